"""PKU part-of-speech tags: entities they imply and the gold-entity conversion.

People's Daily 1998 marks person names ``nr``, place names ``ns`` and
organisation names ``nt``. A person's name is often split into surname and
given name (``江/nr 泽民/nr``); adjacent ``nr`` tokens form one PERSON.
"""
from __future__ import annotations

ENTITY_TAGS = {"nr": "PERSON", "ns": "LOC", "nt": "ORG"}
ENTITY_LABELS = tuple(sorted(set(ENTITY_TAGS.values())))


def entity_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(start, end, label)`` implied by PKU tags, adjacent nr joined."""
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tags):
        label = ENTITY_TAGS.get(tags[i])
        if label is None:
            i += 1
            continue
        end = i + 1
        if label == "PERSON":
            while end < len(tags) and tags[end] == "nr":
                end += 1
        spans.append((i, end, label))
        i = end
    return spans
