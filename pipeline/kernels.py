"""The compiled kernels of :mod:`pipeline._kernels`, or None where they were not built.

They are built at install when Cython and a C compiler are present (``setup.py``);
every caller keeps the numpy code they stand in for, which computes the same
numbers, so a machine without a compiler gets the same output, slower.
"""
from __future__ import annotations

try:
    from . import _kernels as compiled
except ImportError:  # installed without a compiler: the numpy code runs
    compiled = None

#: Whether this install runs the compiled kernels (``minsheng bench nlp`` prints it).
AVAILABLE = compiled is not None
