"""Seeded bootstrap of paragraph multiplicities: documents first, then paragraphs.

A group with one document resamples its paragraphs (n draws with
replacement). A group with several documents resamples documents first, then
the paragraphs of each drawn copy (the two-stage, clustered bootstrap): the
spread between documents of a year is part of the uncertainty, which a
paragraph-only bootstrap would hide. Each group's random stream is seeded from
the run's seed and the group's key, so a group's interval does not depend on
which other groups exist, and outputs are byte-identical run to run.

Intervals are percentile intervals (2.5 %, 97.5 %) of the replicate
estimates; replicates where the estimate is undefined (no paragraph in scope)
are ignored.
"""
from __future__ import annotations

import warnings
import zlib
from typing import Callable, Iterator, Sequence

import numpy as np

SEED = 20240305
#: Replicates materialised at once (bounds memory for large groups).
CHUNK = 16


def group_rng(seed: int, key: str) -> np.random.Generator:
    """The generator of one group: from the seed and a stable hash of the group's key."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(key.encode("utf-8"))]))


def replicate_counts(doc_sizes: Sequence[int], n_boot: int, rng: np.random.Generator
                     ) -> Iterator[np.ndarray]:
    """Chunks (r x n) of paragraph multiplicities, n = sum(doc_sizes), paragraphs grouped by doc."""
    sizes = [int(s) for s in doc_sizes if s > 0]
    total = sum(sizes)
    done = 0
    while done < n_boot:
        r = min(CHUNK, n_boot - done)
        out = np.zeros((r, total))
        if len(sizes) == 1:
            out[:] = rng.multinomial(total, np.full(total, 1.0 / total), size=r)
        else:
            copies = rng.multinomial(len(sizes), np.full(len(sizes), 1.0 / len(sizes)), size=r)
            start = 0
            for d, n_d in enumerate(sizes):
                # m copies of a document, each drawing n_d of its paragraphs, pool to
                # one multinomial of m * n_d draws over them
                out[:, start:start + n_d] = rng.multinomial(copies[:, d] * n_d,
                                                            np.full(n_d, 1.0 / n_d))
                start += n_d
        done += r
        yield out


def percentile_interval(reps: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile bounds along axis 0, ignoring undefined replicates."""
    tail = 100 * (1 - level) / 2
    finite = np.isfinite(reps)
    if not finite.any():
        nan = np.full(reps.shape[1:], np.nan)
        return nan, nan
    with warnings.catch_warnings():  # all-undefined cells give NaN, on purpose
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanpercentile(np.where(finite, reps, np.nan), tail, axis=0)
        hi = np.nanpercentile(np.where(finite, reps, np.nan), 100 - tail, axis=0)
    return lo, hi


def bootstrap(estimate: Callable[[np.ndarray], np.ndarray], doc_sizes: Sequence[int], n_boot: int,
              rng: np.random.Generator) -> np.ndarray:
    """All replicate estimates (n_boot x ...) of ``estimate(counts)`` for one group."""
    chunks = [estimate(c) for c in replicate_counts(doc_sizes, n_boot, rng)]
    return np.concatenate(chunks, axis=0)
