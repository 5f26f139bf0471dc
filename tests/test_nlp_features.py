"""FastCrf gives spacy_pkuseg's node scores and tags, bit for bit, much faster."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import srsly

from pipeline import assets, models
from pipeline.nlp import pd1998
from pipeline.nlp.features import FastCrf, build_tables, cached_tables
from pipeline.nlp.segmenter import to_full_width
from pipeline.nlp.tokenizer import crf_model_dir

ICWB2 = Path(os.environ.get("MINSHENG_SHARED", Path(__file__).resolve().parents[2] / "shared")) \
    / "data" / "icwb2"
ODD = ["a", "中", "GDP增长5.2%, CPI 2.0", "-._,|/*:abc１２３ＡＢＣ／・－&", "😀中文😀", "第（一）条",
       "\ue000\ue001\ue002中\ue003", "十分万一三峡", "x" * 300 + "中华人民共和国" * 50, "　 \t中 国"]


class Reference:
    """spacy_pkuseg's own extractor and scores for a model directory."""

    def __init__(self, folder: Path):
        from spacy_pkuseg.feature_extractor import FeatureExtractor

        data = srsly.read_msgpack(folder / "features.msgpack")
        self.extractor = FeatureExtractor.__new__(FeatureExtractor)
        self.extractor.unigram = set(data["unigram"])
        self.extractor.bigram = set()
        self.extractor.feature_to_idx = data["feature_to_idx"]
        self.extractor.tag_to_idx = data["tag_to_idx"]
        with np.load(folder / "weights.npz") as npz:
            self.n_tag, self.n_feature = (int(x) for x in npz["sizes"])
            self.w = np.ascontiguousarray(npz["w"], dtype=np.float64)
        self.data = data

    def scores(self, text: str):
        from spacy_pkuseg.inference import getLogYY, run_viterbi

        chars = list(self.extractor.normalize_text(text))
        feats = [self.extractor.get_node_features_idx(i, chars) for i in range(len(chars))]
        node, edge = getLogYY(feats, self.n_tag, self.n_feature * self.n_tag, self.w, 1.0)
        return node, edge, list(run_viterbi(node, edge)[1])


@pytest.fixture(scope="module", params=["pd1998", "summed"])
def pair(request):
    folder = models.segmenter_dir("pd1998")
    if request.param == "summed":
        folder = crf_model_dir(folder, "pkuseg-default")
    ref = Reference(folder)
    tables = build_tables(ref.data["feature_to_idx"], ref.data["unigram"], ref.data["tag_to_idx"],
                          ref.n_feature)
    return ref, FastCrf(tables, ref.w, ref.n_tag, ref.n_feature)


def _texts() -> list[str]:
    texts = ["".join(s.words) for s in pd1998.read_split(assets.pd1998_path(), "test")[:600]]
    if (ICWB2 / "pku_test.utf8").exists():
        texts += (ICWB2 / "pku_test.utf8").read_text(encoding="utf-8").split("\n")[:300]
        texts += (ICWB2 / "msr_test.utf8").read_text(encoding="utf-8").split("\n")[:300]
    return [to_full_width(t) for t in texts + ODD if t]


def test_scores_and_tags_equal_spacy_pkuseg(pair):
    ref, crf = pair
    texts = _texts()
    assert sum(map(len, texts)) > 40_000
    for text in texts:
        node, edge, tags = ref.scores(text)
        assert np.array_equal(node, crf.node_scores(text)), text[:40]
        assert np.array_equal(edge, crf.edge_scores)
        assert tags == crf.tags(text), text[:40]


def test_feature_rows_are_pkusegs_lists(pair):
    """Every present feature, in pkuseg's order, absent ones marked n_feature."""
    ref, crf = pair
    for text in [to_full_width(t) for t in ODD] + ["城镇新增就业1361万人，调查失业率稳定在5%左右。"]:
        chars = list(ref.extractor.normalize_text(text))
        expected = [ref.extractor.get_node_features_idx(i, chars) for i in range(len(chars))]
        got = [[f for f in row if f != ref.n_feature] for row in crf.feature_matrix(text).tolist()]
        assert got == expected


def test_empty_text_has_no_tags(pair):
    _, crf = pair
    assert crf.tags("") == [] and crf.node_scores("").shape == (0, crf.n_tag)


def test_tables_are_cached_and_rebuilt_when_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("MINSHENG_HOME", str(tmp_path))
    features = models.segmenter_dir("pd1998") / "features.msgpack"
    with np.load(features.parent / "weights.npz") as npz:
        n_feature = int(npz["sizes"][1])
    first = cached_tables(features, n_feature)
    (folder,) = (tmp_path / "segmenter-tables").iterdir()
    again = cached_tables(features, n_feature)
    assert first.keys() == again.keys() and all(np.array_equal(first[k], again[k]) for k in first)
    from pipeline.errors import ModelError

    with pytest.raises(ModelError, match="do not belong together"):
        cached_tables(features, n_feature + 1)  # cached tables, other weights
    monkeypatch.setenv("MINSHENG_HOME", str(tmp_path / "empty"))
    with pytest.raises(ModelError, match="do not belong together"):
        cached_tables(features, n_feature - 1)  # nothing cached yet


def test_long_text_scored_in_blocks_equals_one_piece(pair, monkeypatch):
    from pipeline.nlp import features

    _, crf = pair
    text = to_full_width("".join("".join(s.words) for s in
                                 pd1998.read_split(assets.pd1998_path(), "test")[:40]))
    whole = crf.node_scores(text)
    monkeypatch.setattr(features, "BLOCK", 97)  # many cuts, in words and between them
    assert len(text) > 20 * 97
    assert np.array_equal(crf.node_scores(text), whole)


def test_lone_surrogate_is_an_unknown_character(pair):
    ref, crf = pair
    text = "中文\ud800测试"
    assert len(crf.tags(text)) == len(text)
    assert np.array_equal(crf.node_scores(text), ref.scores(text)[0])


def test_many_texts_in_one_pass_score_as_one_at_a_time(pair):
    """tags_many joins texts with unknown characters: each text's scores, and so its tags,
    are those it gets alone (bit for bit), including empty texts and U+0000 inside one."""
    _, crf = pair
    texts = _texts()[:400] + ["", "中\x00国", "\x00", "".join(_texts()[:40])]
    joined = crf.node_scores(crf.join(texts))
    for text, (lo, hi) in zip(texts, crf.piece_bounds(texts)):
        if text:
            assert np.array_equal(joined[lo:hi], crf.node_scores(text))
    assert crf.tags_many(texts) == [crf.tags(t) for t in texts]
