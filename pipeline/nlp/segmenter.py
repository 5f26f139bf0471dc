"""A pkuseg CRF word segmenter loaded from plain files, with width normalisation.

Why not ``spacy_pkuseg.pkuseg`` directly: it loads models through a global
config, only from its own file names, and treats half-width Latin letters as
unknown characters (its training data, People's Daily 1998, is full-width).
Here a model directory holds ``features.msgpack`` and ``weights.npz`` (float64,
or float32/float16 compressed to keep committed models small); the model reads
a copy of the text mapped 1:1 from half-width ASCII to full-width (or any
same-length view the caller gives, e.g. :func:`pipeline.nlp.normalize.segmenter_view`),
so token boundaries map back onto the original characters unchanged. The CRF is
scored by :class:`pipeline.nlp.features.FastCrf` (the same scores and tags as
spacy_pkuseg's extractor and Viterbi, about three times faster).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..errors import ModelError
from .normalize import to_full_width

_NON_SPACE = re.compile(r"\S+")
# pkuseg normalises ／ as a letter, so it glues words on both sides together; in the
# PKU standard a slash is its own word except inside numbers (１／３) and Latin text.
_SLASH_BETWEEN = re.compile(r"(?<![０-９Ａ-Ｚａ-ｚ．])／|／(?![０-９Ａ-Ｚａ-ｚ．])")
MODEL_FILES = ("features.msgpack", "weights.npz")


def read_weights(model_dir: Path) -> tuple[int, int, np.ndarray]:
    """``(n_tag, n_feature, weights)`` of a pkuseg model's ``weights.npz``, the weights
    as contiguous float64, after checking that their count fits the recorded sizes."""
    with np.load(model_dir / "weights.npz") as npz:
        n_tag, n_feature = (int(x) for x in npz["sizes"])
        weights = np.ascontiguousarray(npz["w"], dtype=np.float64)
    expected = n_tag * (n_feature + n_tag)
    if weights.shape[0] != expected:
        raise ModelError(f"{model_dir / 'weights.npz'} has {weights.shape[0]} weights, expected "
                         f"{expected} for {n_feature} features and {n_tag} tags: the model files "
                         f"do not belong together.")
    return n_tag, n_feature, weights


class PkusegSegmenter:
    """Segment Chinese text with a pkuseg CRF model and an optional user dictionary.

    ``user_words`` are forced as whole tokens by forward maximum matching (the
    pkuseg user-dictionary semantics); leave it empty to let the model decide.
    """

    def __init__(self, model_dir: str | Path, user_words: Iterable[str] = (),
                 normalize_width: bool = True):
        from spacy_pkuseg import Preprocesser

        from .features import FastCrf, cached_tables

        model_dir = Path(model_dir)
        missing = [name for name in MODEL_FILES if not (model_dir / name).exists()]
        if missing:
            raise ModelError(f"Segmenter model directory {model_dir} lacks {', '.join(missing)}. "
                             f"Run 'minsheng models fetch' or point to a directory with "
                             f"{' and '.join(MODEL_FILES)}.")
        n_tag, n_feature, weights = read_weights(model_dir)
        tables = cached_tables(model_dir / "features.msgpack", n_feature)
        self.model_dir = model_dir
        self.normalize_width = normalize_width
        self.user_words = sorted({w.strip() for w in user_words if w and w.strip()})
        self.crf = FastCrf(tables, weights, n_tag, n_feature)
        self._begin = set(tables["begin"].tolist())
        self._pre = Preprocesser(None)
        for word in self.user_words:
            self._pre.insert(word, "")

    def _plan_run(self, view: str) -> list[int | str]:
        """One whitespace-free run of the view as pieces: an int is a word of that many
        characters fixed in advance (a user word, a lone slash), a str goes to the CRF."""
        if "／" not in view:
            return self._plan_piece(view)
        plan: list[int | str] = []
        pos = 0
        for match in _SLASH_BETWEEN.finditer(view):
            if match.start() > pos:
                plan += self._plan_piece(view[pos:match.start()])
            plan.append(1)
            pos = match.end()
        if pos < len(view):
            plan += self._plan_piece(view[pos:])
        return plan

    def _plan_piece(self, view: str) -> list[int | str]:
        if not self.user_words:
            return [view]
        pieces, is_word, _ = self._pre.solve(view)
        return [len(piece) if forced else piece for piece, forced in zip(pieces, is_word) if piece]

    def _lengths(self, tags: list[int]) -> list[int]:
        """Word lengths from the CRF's tags: a word begins at every B-type tag."""
        begins = [i for i, tag in enumerate(tags) if i and tag in self._begin]
        return [b - a for a, b in zip([0] + begins, begins + [len(tags)])]

    def spans_many(self, texts: Sequence[str],
                   views: Sequence[str | None] | None = None) -> list[list[tuple[int, int]]]:
        """``(start, length)`` of each word of each text, whitespace left out.

        The model reads each text's view, a copy of the same length (None: the text
        with half-width ASCII made full-width when ``normalize_width``). The CRF
        pieces of all texts are scored in one pass (:meth:`FastCrf.tags_many`),
        which gives the same words as one text at a time."""
        plans, pieces = self.plan(texts, views)
        return self.assemble(plans, self.crf.tags_many(pieces))

    def plan(self, texts: Sequence[str], views: Sequence[str | None] | None = None
             ) -> tuple[list[list[tuple[int, list[int | str]]]], list[str]]:
        """Per text, its whitespace-free runs as ``(start, pieces)``; and all pieces
        the CRF must tag, in order (see :meth:`_plan_run`)."""
        plans: list[list[tuple[int, list[int | str]]]] = []
        pieces: list[str] = []
        for k, text in enumerate(texts):
            view = views[k] if views is not None else None
            if view is None:
                view = to_full_width(text) if self.normalize_width else text
            elif len(view) != len(text):
                raise ValueError(f"the segmenter's view has {len(view)} characters, the text "
                                 f"{len(text)}: a view must map one character to one.")
            runs = [(match.start(), self._plan_run(match.group())) for match in _NON_SPACE.finditer(view)]
            pieces += [item for _, plan in runs for item in plan if isinstance(item, str)]
            plans.append(runs)
        return plans, pieces

    def assemble(self, plans: list[list[tuple[int, list[int | str]]]],
                 tags: Iterable[list[int]]) -> list[list[tuple[int, int]]]:
        """Word spans of each planned text, given the CRF's tags of its pieces in order."""
        tags = iter(tags)
        out = []
        for runs in plans:
            spans: list[tuple[int, int]] = []
            for pos, plan in runs:
                for item in plan:
                    for length in ([item] if isinstance(item, int) else self._lengths(next(tags))):
                        spans.append((pos, length))
                        pos += length
            out.append(spans)
        return out

    def cut(self, text: str, view: str | None = None) -> list[str]:
        """Words of *text*, whitespace dropped; their concatenation is the non-space text.

        The model reads *view* (see :meth:`spans_many`); the words are the original
        characters at the positions it chose."""
        return [text[start:start + length] for start, length in self.spans_many([text], [view])[0]]


def save_model_files(src: Path, dest: Path, weight_dtype: str = "float32",
                     prune_below: float = 0.0) -> dict[str, int]:
    """Copy a trained model compactly: features whose weights are all below
    *prune_below* in absolute value are dropped (they barely move a decision),
    the training-only bigram set is left out, and weights are stored compressed
    in *weight_dtype*. Returns feature counts before and after."""
    from .ensemble import merge_models

    return merge_models([(Path(src), 1.0)], dest, prune_below, weight_dtype, compress=True)
