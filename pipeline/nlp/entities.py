"""Entities from PKU tags: nr -> PERSON, ns -> LOC, nt -> ORG.

People's Daily annotates proper names in the tag itself, so a tagger trained
on it already finds them; this component turns those tags into ``doc.ents``
and joins a surname and given name split into two tokens (``江/nr 泽民/nr``)
into one PERSON. It costs almost nothing at run time, unlike a second
statistical model. Whitespace tokens are never entities, whatever their tag
(PD1998 has no whitespace, so the tagger's tag for one means nothing).
"""
from __future__ import annotations

from spacy.attrs import IS_SPACE, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span

from .tags import ENTITY_TAGS, entity_spans


class PkuEntities:
    """Set ``doc.ents`` from the PKU tags the tagger wrote."""

    def __init__(self, name: str = "pku_entities", tag_labels: dict[str, str] | None = None):
        self.name = name
        self.tag_labels = dict(tag_labels or ENTITY_TAGS)

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings  # tags read from the Doc's array: no Token objects
        tags = ["" if space or not tag else strings[tag]
                for tag, space in doc.to_array([TAG, IS_SPACE]).tolist()]
        if self.tag_labels == ENTITY_TAGS:
            spans = entity_spans(tags)
        else:
            spans = [(i, i + 1, self.tag_labels[tag]) for i, tag in enumerate(tags)
                     if tag and tag in self.tag_labels]
        doc.ents = [Span(doc, start, end, label=label) for start, end, label in spans]
        return doc


@Language.factory("pku_entities", assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
                  requires=["token.tag"], default_config={"tag_labels": None})
def make_pku_entities(nlp: Language, name: str, tag_labels: dict[str, str] | None) -> PkuEntities:
    """Factory for ``nlp.add_pipe("pku_entities")``."""
    return PkuEntities(name, tag_labels)
