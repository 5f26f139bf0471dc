"""The summed segmenter: our PD1998 CRF plus pkuseg's default model."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import srsly

from pipeline import models
from pipeline.errors import ModelError
from pipeline.nlp.ensemble import merge_models
from pipeline.nlp.segmenter import PkusegSegmenter

TAGS = {"B": 0, "B_single": 1, "I": 2, "I_end": 3, "I_first": 4}
ICWB2 = Path(os.environ.get("MINSHENG_SHARED", Path(__file__).resolve().parents[2] / "shared")) \
    / "data" / "icwb2"


def _tiny(folder: Path, features: list[str], node: np.ndarray, edge: np.ndarray,
          tags: dict = TAGS) -> Path:
    folder.mkdir(parents=True)
    srsly.write_msgpack(folder / "features.msgpack", {
        "unigram": [f[2:] for f in features if f.startswith("w.")], "bigram": [],
        "feature_to_idx": {f: i for i, f in enumerate(features)}, "tag_to_idx": tags})
    np.savez(folder / "weights.npz", sizes=np.array([len(tags), len(features)]),
             w=np.concatenate([node.reshape(-1), edge]))
    return folder


def _weights(folder: Path) -> tuple[dict, np.ndarray, np.ndarray]:
    data = srsly.read_msgpack(folder / "features.msgpack")
    with np.load(folder / "weights.npz") as npz:
        n_tag, n_feature = (int(x) for x in npz["sizes"])
        w = npz["w"]
    return data, w[: n_tag * n_feature].reshape(n_feature, n_tag), w[n_tag * n_feature:]


@pytest.fixture()
def two_models(tmp_path):
    rng = np.random.default_rng(0)
    a = _tiny(tmp_path / "a", ["$$", "c.甲", "w.甲乙"], rng.normal(size=(3, 5)), rng.normal(size=25))
    b = _tiny(tmp_path / "b", ["$$", "c.丙", "c.甲"], rng.normal(size=(3, 5)), rng.normal(size=25))
    return a, b


def test_merge_adds_weights_feature_by_feature(two_models, tmp_path):
    a, b = two_models
    merge_models([(a, 1.0), (b, 0.5)], tmp_path / "sum", prune_below=0.0)
    data, node, edge = _weights(tmp_path / "sum")
    _, node_a, edge_a = _weights(a)
    _, node_b, edge_b = _weights(b)
    index = data["feature_to_idx"]
    assert list(index) == ["$$", "c.甲", "w.甲乙", "c.丙"]  # first model's order, then new ones
    np.testing.assert_allclose(node[index["$$"]], node_a[0] + 0.5 * node_b[0], rtol=1e-6)
    np.testing.assert_allclose(node[index["c.甲"]], node_a[1] + 0.5 * node_b[2], rtol=1e-6)
    np.testing.assert_allclose(node[index["w.甲乙"]], node_a[2], rtol=1e-6)
    np.testing.assert_allclose(node[index["c.丙"]], 0.5 * node_b[1], rtol=1e-6)
    np.testing.assert_allclose(edge, edge_a + 0.5 * edge_b, rtol=1e-6)
    assert data["unigram"] == ["甲乙"]


def test_merge_is_byte_identical_when_repeated(two_models, tmp_path):
    a, b = two_models
    for out in ("one", "two"):
        merge_models([(a, 1.0), (b, 1.0)], tmp_path / out)
    for name in ("features.msgpack", "weights.npz"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_merge_refuses_models_with_other_tags(two_models, tmp_path):
    a, _ = two_models
    other = _tiny(tmp_path / "c", ["$$"], np.ones((1, 2)), np.ones(4), tags={"B": 0, "I": 1})
    with pytest.raises(ModelError, match="same tag set"):
        merge_models([(a, 1.0), (other, 1.0)], tmp_path / "sum")


def test_model_summed_with_itself_segments_as_before(tmp_path):
    """Doubling every weight cannot change the best path: a check on the real model."""
    own = models.segmenter_dir("pd1998")
    merge_models([(own, 1.0), (own, 1.0)], tmp_path / "double", prune_below=0.0)
    text = "城镇新增就业1361万人，调查失业率稳定在5%左右。健全兜底保障机制，推进乡村振兴。"
    assert PkusegSegmenter(tmp_path / "double").cut(text) == PkusegSegmenter(own).cut(text)


def test_shipped_tokenizer_is_summed_with_pkuseg_default():
    import pipeline

    nlp = pipeline.load(domains=False)
    assert nlp.tokenizer.ensemble == "pkuseg-default"
    assert nlp.tokenizer.segmenter.model_dir.parent.name == "segmenter-ensembles"
    text = "中国人民银行决定下调金融机构存款准备金率。"
    assert "".join(t.text for t in nlp(text)) == text


def test_unknown_partner_is_a_clear_error(tmp_path):
    from pipeline.nlp.tokenizer import crf_model_dir

    with pytest.raises(ModelError, match="segmenter model"):
        crf_model_dir(models.segmenter_dir("pd1998"), "no-such-model")


@pytest.mark.skipif(not (ICWB2 / "pku_test_gold.utf8").exists(), reason="../shared is absent")
def test_shipped_segmenter_meets_sighan_pku_target():
    """The issue's bar: SIGHAN-2005 PKU F1 >= 95.0 with the official score script."""
    import pipeline
    from pipeline.nlp.evaluation import sighan_score

    nlp = pipeline.load(domains=False)
    scores = sighan_score(lambda text: [t.text for t in nlp.tokenizer(text)], ICWB2, "pku")
    assert scores["f1"] >= 95.0, scores
