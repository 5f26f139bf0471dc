"""PKU tag -> Universal POS map, applied by spaCy's ``attribute_ruler``.

One UPOS per PKU tag, then word-level exceptions where the Universal
Dependencies Chinese treebanks (GSD) give a closed-class word a UPOS its PKU
tag does not imply (了/着/过 are AUX, 是 is AUX, 这/那 DET, conditionals SCONJ,
classifiers NOUN). The table is written by hand from the two guidelines.
"""
from __future__ import annotations

from spacy.util import registry

TAG_TO_UPOS: dict[str, str] = {
    "n": "NOUN", "vn": "VERB", "an": "NOUN", "Ng": "NOUN", "s": "NOUN", "t": "NOUN", "Tg": "NOUN",
    "f": "ADP", "nr": "PROPN", "ns": "PROPN", "nt": "PROPN", "nz": "PROPN", "nx": "X", "j": "PROPN",
    "v": "VERB", "vd": "ADV", "Vg": "VERB", "vvn": "VERB", "l": "VERB", "i": "VERB",
    "a": "ADJ", "ad": "ADV", "b": "ADJ", "Bg": "ADJ", "z": "ADJ", "Ag": "ADJ",
    "d": "ADV", "Dg": "ADV", "m": "NUM", "Mg": "NUM", "q": "NOUN",
    "r": "PRON", "Rg": "PRON", "p": "ADP", "c": "CCONJ", "u": "PART", "y": "PART",
    "e": "INTJ", "o": "ADV", "h": "PART", "k": "PART", "w": "PUNCT", "x": "X", "na": "NOUN",
}

# (word, upos) exceptions, applied after the tag rule whatever the PKU tag.
WORD_TO_UPOS: dict[str, str] = {
    "了": "AUX", "着": "AUX", "过": "AUX", "是": "AUX", "被": "AUX", "为": "AUX",
    "会": "AUX", "能": "AUX", "要": "AUX", "可以": "AUX", "应该": "AUX", "应": "AUX",
    "必须": "AUX", "可能": "AUX", "能够": "AUX", "将": "ADV",
    "这": "DET", "那": "DET", "该": "DET", "此": "DET", "每": "DET", "各": "DET", "这些": "DET",
    "那些": "DET", "其": "PRON",
    "如果": "SCONJ", "虽然": "SCONJ", "因为": "SCONJ", "由于": "ADP", "但": "SCONJ", "但是": "SCONJ",
    "而": "SCONJ", "并": "SCONJ", "也": "SCONJ", "都": "SCONJ", "所": "SCONJ", "就": "SCONJ",
    "而且": "SCONJ", "不过": "SCONJ", "因此": "SCONJ", "所以": "SCONJ", "即": "SCONJ",
    "的": "PART", "之": "PART", "地": "PART", "得": "PART", "们": "PART",
}


@registry.misc("minsheng.upos_patterns.v1")
def upos_patterns() -> list[dict]:
    """``attribute_ruler`` patterns: the tag rule first, word exceptions after."""
    patterns = [{"patterns": [[{"TAG": tag}]], "attrs": {"POS": upos}}
                for tag, upos in sorted(TAG_TO_UPOS.items())]
    patterns += [{"patterns": [[{"ORTH": word}]], "attrs": {"POS": upos}}
                 for word, upos in sorted(WORD_TO_UPOS.items())]
    return patterns
