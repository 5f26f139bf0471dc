"""Seed support: the corpus terms allowed to carry a seeded NMF topic's weight."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def grow_seed_support(D, seeds: Sequence[Sequence[int]], n_terms: int,
                      min_precision: float, min_count: int = 5) -> list[list[int]]:
    """Grow each seed group by the corpus terms that co-occur with it most exclusively.

    A term's precision for a group is the share of the paragraphs containing it
    that also contain one of the group's seeds; the *n_terms* terms with the
    highest precision (at least *min_precision*, in >= *min_count* paragraphs
    with a seed) join the group's support.  Seeds are always kept; another group's
    seeds never join (养老保险 stays with social_security, not elderly_care).
    """
    B = (D > 0).astype(np.float64).tocsr()
    df = np.asarray(B.sum(axis=0)).ravel()
    out = []
    all_seeds = [set(int(c) for c in cols) for cols in seeds]
    for k, cols in enumerate(seeds):
        foreign = set().union(*(s for j, s in enumerate(all_seeds) if j != k)) - all_seeds[k]
        if not len(cols):
            out.append([])
            continue
        hit = np.asarray(B[:, cols].sum(axis=1)).ravel() > 0
        co = np.asarray(B[hit].sum(axis=0)).ravel()
        prec = np.where(df > 0, co / np.maximum(df, 1), 0.0)
        ok = np.array([c for c in np.where((prec >= min_precision) & (co >= min_count))[0]
                       if int(c) not in foreign], dtype=np.int64)
        ranked = ok[np.lexsort((ok, -co[ok], -prec[ok]))][:n_terms]
        out.append(sorted(set(int(c) for c in cols) | set(int(c) for c in ranked)))
    return out
