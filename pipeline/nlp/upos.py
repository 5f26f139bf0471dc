"""PKU tag -> Universal POS map, applied by spaCy's ``attribute_ruler``.

One UPOS per PKU tag, written by hand from the two guidelines, then
word-level exceptions where the Universal Dependencies Chinese treebanks give
a closed-class word a UPOS its PKU tag does not imply (了/着/过 and 是 are AUX,
这/那 DET, conditionals SCONJ, classifiers NOUN). ``fit_exceptions`` refines
the exceptions from a UD *dev* file (word+tag pairs whose majority UPOS
differs from the rule); the result is stored in ``data/upos_exceptions.json``
and scored on UD *test* only.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from spacy.util import registry

EXCEPTIONS_PATH = Path(__file__).resolve().parents[1] / "data" / "upos_exceptions.json"

TAG_TO_UPOS: dict[str, str] = {
    "n": "NOUN", "vn": "NOUN", "an": "NOUN", "Ng": "NOUN", "s": "NOUN", "t": "NOUN", "Tg": "NOUN",
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
    """``attribute_ruler`` patterns: the tag rule first, word exceptions after, and the
    PKU tags the bundled lexicon gives words the 1998 training text never saw."""
    patterns = [{"patterns": [[{"TAG": tag}]], "attrs": {"POS": upos}}
                for tag, upos in sorted(TAG_TO_UPOS.items())]
    patterns += [{"patterns": [[{"ORTH": word}]], "attrs": {"POS": upos}}
                 for word, upos in sorted(WORD_TO_UPOS.items())]
    from ..models import read_lexicon

    patterns += [{"patterns": [[{"ORTH": word}]], "attrs": {"TAG": tag, "POS": TAG_TO_UPOS[tag]}}
                 for word, tag in sorted(read_lexicon("minsheng").items()) if tag in TAG_TO_UPOS]
    if EXCEPTIONS_PATH.exists():
        fitted = json.loads(EXCEPTIONS_PATH.read_text(encoding="utf-8"))
        patterns += [{"patterns": [[{"ORTH": word, "TAG": tag}]], "attrs": {"POS": upos}}
                     for word, tag, upos in fitted["word_tag_upos"]]
    return patterns


def fit_exceptions(tagged: list[tuple[list[str], list[str], list[str]]], min_count: int = 2,
                   min_share: float = 0.6) -> dict:
    """Word+tag exceptions from (words, predicted PKU tags, gold UPOS) sentences.

    A (word, tag) pair becomes an exception when it occurs *min_count* times or
    more and a clear majority (*min_share*) of its gold UPOS differs from what the
    rules above give it; near-ties stay with the rule, which reads better on PKU
    tokens (人/n stays NOUN although GSD, splitting 工 人, often calls it PART).
    """
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for words, tags, gold in tagged:
        for word, tag, upos in zip(words, tags, gold):
            counts[(word, tag)][upos] += 1
    exceptions = []
    for (word, tag), counter in sorted(counts.items()):
        best, n = counter.most_common(1)[0]
        rule = WORD_TO_UPOS.get(word, TAG_TO_UPOS.get(tag, "X"))
        total = sum(counter.values())
        if total >= min_count and best != rule and n >= min_share * total:
            exceptions.append([word, tag, best])
    return {"min_count": min_count, "min_share": min_share, "word_tag_upos": exceptions}


def main(argv: list[str] | None = None) -> None:
    """``python -m pipeline.nlp.upos UD_DEV.conllu``: refit the exceptions with the shipped tagger."""
    import argparse

    from spacy.tokens import Doc

    from .evaluation import read_conllu
    from .loading import load

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("conllu", type=Path)
    args = parser.parse_args(argv)
    if EXCEPTIONS_PATH.exists():
        EXCEPTIONS_PATH.unlink()  # fit against the hand-written rules alone
    nlp = load(domains=False)
    sents = read_conllu(args.conllu)
    docs = nlp.pipe(Doc(nlp.vocab, words=w, spaces=[False] * len(w)) for w, _ in sents)
    tagged = [(words, [t.tag_ for t in doc], gold) for (words, gold), doc in zip(sents, docs)]
    fitted = fit_exceptions(tagged)
    fitted["source"] = args.conllu.name
    EXCEPTIONS_PATH.write_text(json.dumps(fitted, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(fitted['word_tag_upos'])} exceptions written to {EXCEPTIONS_PATH}")


if __name__ == "__main__":
    main()
