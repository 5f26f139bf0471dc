"""Values an estimator derives from its own state, kept on the instance but never pickled.

A fitted estimator often needs a form of its state that is cheaper to use than
to recompute (the topic-word posterior, the term layer's regressions as one
matrix, a loaded analyzer).  :class:`DerivedCache` keeps each such value
under ``_cache_<name>`` with the object it was derived from, rebuilds it when
that object is replaced (a refit, ``set_params``), and leaves every cache out
of the pickle, so an artifact holds fitted state only and its bytes do not
depend on what was used before saving.
"""
from __future__ import annotations

from typing import Any, Callable

_PREFIX = "_cache_"


class DerivedCache:
    """Mixin: :meth:`_derived` values, dropped from pickles by ``__getstate__``."""

    def _derived(self, name: str, source: Any, build: Callable[[], Any]) -> Any:
        """The cached value *name* derived from *source* (built by *build* when absent or
        when *source* is no longer the object it was built from)."""
        key = _PREFIX + name
        cached = self.__dict__.get(key)
        if cached is None or cached[0] is not source:
            cached = (source, build())
            self.__dict__[key] = cached
        return cached[1]

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith(_PREFIX)}


class EstimatorCache(DerivedCache):
    """:class:`DerivedCache` for an estimator whose pickle otherwise stays scikit-learn's
    own (``BaseEstimator.__getstate__``, with its version stamp): only the caches are
    left out, so adding a cache leaves the artifact's bytes as they were."""

    def __getstate__(self) -> dict:
        state = super(DerivedCache, self).__getstate__()
        return {k: v for k, v in state.items() if not k.startswith(_PREFIX)}
