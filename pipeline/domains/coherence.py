"""NPMI topic coherence over a binary document-term matrix."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def npmi_coherence(B, cols: Sequence[int]) -> float:
    """Mean NPMI of all pairs of *cols* over the binary doc-term matrix *B* (csc)."""
    cols = list(cols)
    if len(cols) < 2:
        return float("nan")
    n = B.shape[0]
    sub = B[:, cols].astype(np.float64)
    co = (sub.T @ sub).toarray()
    df = np.diag(co)
    vals = []
    for i in range(len(cols)):
        for j in range(i + 1, len(cols)):
            if co[i, j] == 0 or df[i] == 0 or df[j] == 0:
                vals.append(-1.0)
                continue
            pij, pi, pj = co[i, j] / n, df[i] / n, df[j] / n
            vals.append(1.0 if pij >= 1.0 else float(np.log(pij / (pi * pj)) / -np.log(pij)))
    return float(np.mean(vals))
