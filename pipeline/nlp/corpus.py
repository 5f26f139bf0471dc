"""Turn People's Daily 1998 splits into spaCy ``DocBin`` files with gold words.

Each paragraph becomes a Doc with its gold words, PKU tags and the PERSON /
LOC / ORG entities the nr / ns / nt tags imply; the tagger and the entity
recogniser are trained and scored on these (``gold_preproc``), independent of
the segmenter.
"""
from __future__ import annotations

from pathlib import Path

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from .. import assets
from . import pd1998
from .tags import entity_spans


def sentence_to_doc(vocab: Vocab, words: list[str], tags: list[str]) -> Doc:
    doc = Doc(vocab, words=words, spaces=[False] * len(words), tags=tags)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in entity_spans(tags)]
    return doc


def write_docbins(out_dir: Path) -> dict[str, Path]:
    """Write ``train.spacy``, ``dev.spacy`` and ``test.spacy`` into *out_dir*."""
    out_dir.mkdir(parents=True, exist_ok=True)
    source = assets.pd1998_path()
    vocab = Vocab()
    paths = {}
    for split in pd1998.SPLITS:
        db = DocBin(attrs=["ORTH", "TAG", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
        for sent in pd1998.read_split(source, split):
            db.add(sentence_to_doc(vocab, sent.words, sent.tags))
        paths[split] = out_dir / f"{split}.spacy"
        db.to_disk(paths[split])
    return paths
