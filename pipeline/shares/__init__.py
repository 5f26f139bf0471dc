"""Attention: how much each livelihood domain gets, by document and by group (issue 11).

* :mod:`.measures`  -- primary / chars / expected / coverage shares as ratio estimators;
* :mod:`.bootstrap` -- seeded, clustered (documents, then paragraphs) bootstrap intervals;
* :mod:`.adjust`    -- prior-adjusted shares from a confusion matrix (adjusted classify-and-count);
* :mod:`.table`     -- ``attention(run_dir_or_rows, by=[...])``: the tidy table;
* :mod:`.logodds`   -- distinctive terms per domain (weighted log-odds, informative prior);

Only numpy / scipy / pandas: no spaCy, no run engine. The app-level glue is
in :mod:`pipeline.run`: ``confusion`` (where the confusion matrix comes from),
``attention_cmd`` (``minsheng attention RUN_DIR --by year``) and
``attention_check`` (share error against gold labels, interval coverage by
simulation).
"""
from __future__ import annotations

from .adjust import adjusted_shares, confusion_from_predictions
from .measures import MEASURES, SCOPES
from .table import attention, attention_rows

__all__ = ["MEASURES", "SCOPES", "adjusted_shares", "attention", "attention_rows",
           "confusion_from_predictions"]
