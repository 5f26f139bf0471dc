"""Train a pkuseg CRF segmenter on People's Daily 1998 (train split, or train+dev).

Usage: ``python -m pipeline.nlp.train_segmenter OUT_DIR [--iters N] [--lexicon FILE]
[--pkuseg-words] [--with-dev]``

A lexicon, when given, is appended to the training text one word a line, so
its words enter pkuseg's word-feature dictionary (unigram set) and are seen
once as whole words; this is how the 民生 policy terms become known to the
model without the forced maximum matching of a user dictionary.

pkuseg's word features are lexicalised (``w1.<word>``), so a word list helps
only if it is present at training time.  ``--pkuseg-words`` adds the word list
of the pkuseg "default" model (provisioned from the pkuseg sdist; trained on a
newer, mixed corpus): its Chinese words of 2-6 characters that the training
text lacks, each as a one-word line, so the CRF gets weights for words 1998
text never saw.  Measured on SIGHAN-2005 PKU it does harm (F1 94.5, OOV recall
78.3, against 94.9 / 80.3 without it: the list mixes segmentation standards),
so the shipped model is trained without it; the option stays for other corpora.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from pathlib import Path

from .. import assets
from . import pd1998


_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")


def pkuseg_default_words(known: set[str]) -> list[str]:
    """Chinese words (2-6 characters) of the pkuseg default model's word list not in *known*."""
    import srsly

    data = srsly.read_msgpack(assets.pkuseg_default_dir() / "features.msgpack")
    return sorted(w for w in data["unigram"] if _HAN_WORD.match(w) and w not in known)


def write_training_files(work: Path, lexicon: Path | None, with_dev: bool = False,
                         pkuseg_words: bool = False) -> tuple[Path, Path]:
    """Write train (plus dev when *with_dev*: the final model) and dev text into *work*."""
    corpus = assets.pd1998_path()
    train = work / "train.txt"
    dev = work / "dev.txt"
    splits = ("train", "dev") if with_dev else ("train",)
    lines = [line for split in splits
             for line in pd1998.iter_words_lines(pd1998.read_split(corpus, split))]
    if lexicon is not None:
        from ..models import read_user_dict

        lines.extend(read_user_dict(str(lexicon)))
    if pkuseg_words:
        known = {w for line in lines for w in line.split()}
        lines.extend(pkuseg_default_words(known))
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dev.write_text("\n".join(pd1998.iter_words_lines(pd1998.read_split(corpus, "dev"))) + "\n",
                   encoding="utf-8")
    return train, dev


def train_segmenter(out_dir: Path, iters: int = 20, lexicon: Path | None = None,
                    with_dev: bool = False, pkuseg_words: bool = False) -> Path:
    """Train and write ``features.msgpack`` + ``weights.npz`` into *out_dir*."""
    import spacy_pkuseg

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        train, dev = write_training_files(work, lexicon, with_dev, pkuseg_words)
        cwd = os.getcwd()
        os.chdir(work)  # pkuseg writes scratch files relative to its temp config
        try:
            spacy_pkuseg.train(str(train), str(dev), str(out_dir), train_iter=iters)
        finally:
            os.chdir(cwd)
    for leftover in out_dir.glob("*.txt"):
        leftover.unlink()
    return out_dir


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--lexicon", type=Path, default=None)
    parser.add_argument("--with-dev", action="store_true",
                        help="train on train+dev (final model; dev scores are then optimistic)")
    parser.add_argument("--pkuseg-words", action="store_true",
                        help="add the pkuseg default model's word list (words the training text lacks)")
    args = parser.parse_args(argv)
    train_segmenter(args.out_dir, args.iters, args.lexicon, args.with_dev, args.pkuseg_words)


if __name__ == "__main__":
    main()
