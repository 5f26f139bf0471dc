"""The compiled kernels of :mod:`pipeline._kernels`, or None where they were not built.

They are built at install when Cython and a C compiler are present (``setup.py``);
every caller keeps the numpy code they stand in for, which computes the same
numbers, so a machine without a compiler gets the same output, slower.
``MINSHENG_KERNELS=0`` in the environment makes an install with them run the numpy
code instead (to compare, or to rule them out).
"""
from __future__ import annotations

import os

try:
    from . import _kernels as compiled
except ImportError:  # installed without a compiler: the numpy code runs
    compiled = None
if os.environ.get("MINSHENG_KERNELS", "").strip().lower() in ("0", "off", "no", "false"):
    compiled = None  # MINSHENG_KERNELS=0: run the numpy code (what a machine without a compiler runs)

#: Whether this install runs the compiled kernels (``minsheng bench nlp`` prints it).
AVAILABLE = compiled is not None
