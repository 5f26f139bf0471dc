"""Build the optional compiled kernels (pipeline/_kernels.pyx); metadata is in pyproject.toml.

Without Cython or a C compiler the package still installs and runs: the numpy
code the kernels stand in for computes the same numbers (see
``pipeline.nlp.kernels``; ``minsheng bench nlp`` says which one ran).
"""
from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Build the kernels when a compiler is there; say so and go on when not."""

    def run(self):
        try:
            super().run()
        except Exception as e:  # noqa: BLE001 - any compiler failure leaves the numpy path
            print(f"minsheng: compiled kernels not built ({e}); the numpy code is used")

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as e:  # noqa: BLE001
            print(f"minsheng: compiled kernels not built ({e}); the numpy code is used")


try:
    from Cython.Build import cythonize
except ImportError:  # no Cython: pure-numpy install
    ext_modules = []
else:
    ext_modules = cythonize(["pipeline/_kernels.pyx"], language_level=3, quiet=True)

setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})
