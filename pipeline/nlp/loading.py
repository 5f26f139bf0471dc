"""``pipeline.load()``: the shipped Chinese pipeline, verified, offline.

``pipeline.load()`` is ``spacy.load("models/nlp")`` after every file of that
folder has been checked against ``models/MANIFEST`` (any folder inside
``models/`` only as MANIFEST lists it; a mismatch is a :class:`ModelError`,
never a fallback): the saved config lists every component,
``livelihood_domains`` included (it loads the shipped, verified domain
classifier from ``models/domains``); nothing is added at run time.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import spacy

from .. import models
from ..errors import ModelError
from . import entities, language, ruler, tokenizer, upos  # noqa: F401  (registered functions used by the config)

DOMAINS = "livelihood_domains"


def load(path: str | Path | None = None, *, domains: bool | str | Path = True,
         exclude: Iterable[str] = ()) -> "spacy.language.Language":
    """Load the Chinese pipeline: segmentation, PKU tags (``tag_``), UPOS (``pos_``),
    entities and livelihood domains (``doc.cats``, ``doc._.domain``, ``doc._.domains``).

    *path* defaults to the shipped, manifest-verified ``models/nlp``; any folder
    written by ``nlp.to_disk()`` also works.  ``domains=False`` leaves the
    domain component out; a folder path replaces its classifier with the one
    written there by ``minsheng train domains``.
    """
    folder = models.verify(models.NLP_MODEL) if path is None else Path(path)
    models.verify_folder(folder)  # a folder inside models/ only as MANIFEST lists it
    if not (folder / "config.cfg").exists():
        raise ModelError(f"{folder} is not a saved spaCy pipeline (no config.cfg). Pass a folder "
                         f"written by nlp.to_disk(), or leave path unset for the shipped model.")
    skip = set(exclude)
    if domains is not True:
        skip.add(DOMAINS)
    nlp = spacy.load(folder, exclude=sorted(skip))
    if domains not in (True, False, None):
        pipe = nlp.add_pipe(DOMAINS, config={"model": str(domains)})
        pipe.initialize()
    return nlp
