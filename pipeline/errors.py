"""Error types and message helpers shared by every part of minsheng.

Every message names the thing, the value, and the fix, so a user reading one
line of output knows what to do next.
"""
from __future__ import annotations

from typing import Iterable


class MinshengError(Exception):
    """Base class for errors raised on purpose by minsheng."""


class ConfigError(MinshengError, ValueError):
    """A configuration value is unknown, missing or of the wrong type."""


class ModelError(MinshengError):
    """A model or artifact is missing, corrupt, or incompatible."""


class ProvisionError(ModelError):
    """A registry download or cache step failed."""


def value_invalid_msg(name: str, value: object, valid: Iterable[object] | str) -> str:
    """Return 'Invalid value for NAME: VALUE. Valid: ...' in one line."""
    if not isinstance(valid, str):
        valid = ", ".join(repr(v) for v in valid)
    return f"Invalid value for {name}: {value!r}. Valid values: {valid}."


def missing_dependency_msg(module: str, extra: str) -> str:
    """Explain how to install an optional dependency, with the exact command."""
    return (
        f"The optional dependency '{module}' is not installed. "
        f"Install it with: pip install 'minsheng[{extra}]'  (or: pip install {module})"
    )
