"""Config-driven runs: a folder of documents to outputs and a report (issue 5).

* :mod:`.config`   -- load/validate the confection ``.cfg`` (defaults = ``configs/default.cfg``);
* :mod:`.process`  -- the per-partition function every engine runs (nlp loaded once per process);
* :mod:`.engines`  -- ``local`` (this process or a spawn pool) and ``dask`` (distributed);
* :mod:`.state`    -- per-part results on disk, for ``--resume`` and kill -9 safety;
* :mod:`.outputs`  -- paragraphs.jsonl/.parquet, documents.csv, topics.csv;
* :mod:`.report`   -- the self-contained report.html;
* :mod:`.manifest` -- run.json;
* :mod:`.runner`   -- ``run_from_config`` / ``run``: the whole flow;
* :mod:`.bench`    -- ``minsheng bench run``.

Submodules are imported on use, so ``import pipeline.run`` stays cheap.
"""
from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    """Lets ``pipeline.run(...)`` work once this subpackage shadows the lazy export.

    ``pipeline.__init__`` exports the function ``run`` lazily, but importing
    ``pipeline.run.runner`` binds the *package* ``pipeline.run`` as an
    attribute of ``pipeline``; calling the package calls the function.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .runner import run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
