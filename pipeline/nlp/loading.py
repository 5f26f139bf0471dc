"""``pipeline.load()``: the shipped Chinese pipeline, verified, offline.

The pipeline folder (``models/nlp``, or any folder inside ``models/``) is
checked file by file against ``models/MANIFEST`` before spaCy opens it, and a
mismatch is a :class:`ModelError`, never a fallback; the livelihood domain component is
added from ``models/domains`` the same way when it is available.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..errors import ModelError


def load(path: str | Path | None = None, *, domains: bool | str | Path = True,
         exclude: Iterable[str] = ()) -> "spacy.language.Language":  # noqa: F821
    """Load the Chinese pipeline: segmentation, PKU tags (``tag_``), UPOS (``pos_``),
    entities, and (``domains=True`` or a model folder) livelihood domains in ``doc.cats``.

    *path* defaults to the shipped, manifest-verified ``models/nlp``; any folder
    written by ``nlp.to_disk()`` also works.
    """
    import spacy

    from .. import models
    from . import entities, language, ruler, tokenizer, upos  # noqa: F401  (registered functions used by the config)

    folder = models.verify(models.NLP_MODEL) if path is None else Path(path)
    models.verify_folder(folder)  # a folder inside models/ only as MANIFEST lists it
    if not (folder / "config.cfg").exists():
        raise ModelError(f"{folder} is not a saved spaCy pipeline (no config.cfg). Pass a folder "
                         f"written by nlp.to_disk(), or leave path unset for the shipped model.")
    nlp = spacy.load(folder, exclude=list(exclude))
    if domains and "livelihood_domains" not in nlp.pipe_names:
        nlp = _add_domains(nlp, None if domains is True else Path(domains))
    return nlp


def _add_domains(nlp, model_dir: Path | None):
    """Attach the livelihood domain component when its model is present."""
    from ..bridge import add_to_pipeline

    add_to_pipeline(nlp, model_dir)
    return nlp
