"""Targets the domain classifier accepts, and their checks.

Each entry of ``y`` is one of:

* ``None`` or ``""``: unlabeled (the paragraph only feeds the topic models);
* a domain id (``str``): the primary domain;
* a list or tuple of ids: a label set whose first id is the primary
  (``livelihood_dev.jsonl``'s ``labels``);
* a ``set``/``frozenset`` of ids: any of them is an acceptable primary
  (``messages_dev.jsonl``'s ``primary_ok``); no label-set information.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import ConfigError


@dataclass
class Targets:
    """Parsed ``y``: which rows are labeled, acceptable-primary masks, label sets."""

    labeled: np.ndarray          # (n,) bool
    acceptable: np.ndarray       # (n, K) 0/1, rows of unlabeled entries all 0
    label_sets: list[list[str] | None]  # per row; None where only a primary set is known


def parse_targets(y: Sequence[Any] | None, n: int, ids: Sequence[str]) -> Targets:
    """Check *y* against the taxonomy *ids*; an id outside it is an error, not a warning."""
    index = {d: i for i, d in enumerate(ids)}
    labeled = np.zeros(n, dtype=bool)
    acceptable = np.zeros((n, len(ids)))
    label_sets: list[list[str] | None] = [None] * n
    if y is None:
        return Targets(labeled, acceptable, label_sets)
    y = list(y)
    if len(y) != n:
        raise ConfigError(f"y has {len(y)} entries but X has {n} paragraphs; give one target per "
                          f"paragraph (None for unlabeled).")
    for i, target in enumerate(y):
        if target is None or (isinstance(target, str) and not target):
            continue
        if isinstance(target, (np.str_, str)):
            chosen, labels = [str(target)], [str(target)]
        elif isinstance(target, (set, frozenset)):
            chosen, labels = sorted(map(str, target)), None
        elif isinstance(target, (list, tuple, np.ndarray)) and len(target):
            labels = [str(t) for t in target]
            chosen = labels[:1]
        else:
            raise ConfigError(f"y[{i}] is {target!r}; give a domain id, a label list (primary "
                              f"first), a set of acceptable ids, or None.")
        unknown = sorted({d for d in (labels or chosen) if d not in index})
        if unknown:
            raise ConfigError(f"y[{i}] names {unknown}, not in the taxonomy ({', '.join(ids)}). "
                              f"Fix the label or add the domain to the taxonomy.")
        labeled[i] = True
        for d in chosen:
            acceptable[i, index[d]] = 1.0
        label_sets[i] = labels
    return Targets(labeled, acceptable, label_sets)
