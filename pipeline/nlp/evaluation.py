"""Accuracy measures for the NLP layer, each computed the way its field does.

* Segmentation: the SIGHAN-2005 official ``score`` script (perl) on the PKU
  and MSR test sets: F1 and OOV recall.
* PKU tags and entities: People's Daily 1998 test split with gold words.
* UPOS: UD Chinese GSDSimp with gold words.

Each can also be measured on the same data written another way (a
``transform`` of the text, e.g. :func:`pipeline.nlp.normalize.to_half_width`
for modern half-width digits and Latin): test, gold and training word list are
transformed alike, so the score says how the models cope with the writing,
not with a different standard.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from spacy.tokens import Doc

from .pd1998 import TaggedSentence
from .tags import entity_spans

Segment = Callable[[str], list[str]]


def sighan_score(segment: Segment, icwb2: Path, corpus: str,
                 transform: Callable[[str], str] | None = None) -> dict[str, float]:
    """Segment ``{corpus}_test.utf8`` and score it with the official script; with
    *transform*, test, gold and training words are all transformed first."""
    files = {name: icwb2 / f"{corpus}_{name}.utf8" for name in ("test", "test_gold", "training_words")}
    with tempfile.TemporaryDirectory() as tmp:
        if transform is not None:
            for name, path in files.items():
                files[name] = Path(tmp) / path.name
                files[name].write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
        lines = files["test"].read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        out = Path(tmp) / "segmented.txt"
        with out.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write("  ".join(w for w in segment(line) if w.strip()) + "\n")
        proc = subprocess.run(["perl", str(icwb2 / "score"), str(files["training_words"]),
                               str(files["test_gold"]), str(out)],
                              capture_output=True, text=True, check=True)
    found = dict(re.findall(r"=== (F MEASURE|OOV Recall Rate|TOTAL TRUE WORDS RECALL|"
                            r"TOTAL TEST WORDS PRECISION):\s+([\d.]+)", proc.stdout))
    return {"f1": 100 * float(found["F MEASURE"]), "oov_recall": 100 * float(found["OOV Recall Rate"]),
            "recall": 100 * float(found["TOTAL TRUE WORDS RECALL"]),
            "precision": 100 * float(found["TOTAL TEST WORDS PRECISION"])}


def _tag_gold_words(nlp, word_lists: Iterable[list[str]], batch_size: int = 256) -> Iterable[Doc]:
    docs = (Doc(nlp.vocab, words=words, spaces=[False] * len(words)) for words in word_lists)
    return nlp.pipe(docs, batch_size=batch_size)


def pd_tag_ner_scores(nlp, sentences: list[TaggedSentence],
                      transform: Callable[[str], str] | None = None) -> dict[str, float]:
    """PKU tag accuracy and entity P/R/F (exact span + label) with gold words, each
    word written through *transform* when given (the gold tags stay)."""
    correct = total = 0
    tp = n_pred = n_gold = 0
    words = [[transform(w) for w in s.words] if transform else s.words for s in sentences]
    for sent, doc in zip(sentences, _tag_gold_words(nlp, words)):
        for token, gold in zip(doc, sent.tags):
            correct += token.tag_ == gold
            total += 1
        gold_ents = set(entity_spans(sent.tags))
        pred_ents = {(e.start, e.end, e.label_) for e in doc.ents}
        tp += len(gold_ents & pred_ents)
        n_pred += len(pred_ents)
        n_gold += len(gold_ents)
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"tag_acc": 100 * correct / total, "ents_p": 100 * p, "ents_r": 100 * r,
            "ents_f": 100 * (2 * p * r / (p + r) if p + r else 0.0)}


def read_conllu(path: Path) -> list[tuple[list[str], list[str]]]:
    """(words, UPOS) per sentence; multi-word token ranges and empty nodes skipped."""
    sents, words, upos = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sents.append((words, upos))
            words, upos = [], []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if cols[0].isdigit():
                words.append(cols[1])
                upos.append(cols[3])
    if words:
        sents.append((words, upos))
    return sents


def upos_accuracy(nlp, conllu: Path) -> float:
    sents = read_conllu(conllu)
    correct = total = 0
    for (words, gold), doc in zip(sents, _tag_gold_words(nlp, [w for w, _ in sents])):
        for token, g in zip(doc, gold):
            correct += token.pos_ == g
            total += 1
    return 100 * correct / total
