"""Domain classification: estimators, taxonomy, terms, calibration, artifacts (no spaCy)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipeline.domains import (DomainModel, SeededLDA, SeededNMF, load_domain_model,
                              load_taxonomy, save_domain_model, terms_from_tagged)
from pipeline.domains.artifact import SCHEMA_VERSION
from pipeline.domains.metrics import score
from pipeline.errors import ConfigError, ModelError

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- estimator checks
_PROBA_REASON = ("topic models expose predict_proba (topic distribution) without being "
                 "classifiers; this check assumes predict_proba implies classifier tags")
_NOT_APPLICABLE = {"check_estimator_sparse_array": _PROBA_REASON,
                   "check_estimator_sparse_matrix": _PROBA_REASON}


@parametrize_with_checks([SeededNMF(n_free_topics=2, max_iter=50),
                          SeededNMF(seeds=[[0, 1]], n_free_topics=1, max_iter=50),
                          SeededLDA(n_free_topics=2, max_iter=5)],
                         expected_failed_checks=lambda est: _NOT_APPLICABLE)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ------------------------------------------------------------------- toy corpus
TOY = ([["就业", "岗位", "就业岗位", "高校毕业生"]] * 8 + [["教育", "学校", "教师", "学生"]] * 8
       + [["经济", "增长", "投资", "市场"]] * 8 + [["养老", "老年人", "养老服务"]] * 6
       + [["环境", "污染", "生态"]] * 6)


def _toy_model(**kw) -> DomainModel:
    params = dict(n_free_topics=2, min_df=1, max_df=1.0, max_iter=50, expand_seeds=20)
    params.update(kw)
    return DomainModel(**params).fit(TOY)


def test_seeded_nmf_keeps_seed_topics():
    m = _toy_model(self_training=False)
    info = m.get_topic_info()
    assert {"topic", "domain", "size", "top_terms", "npmi"} <= set(info.columns)
    row = info[info["name"] == "education"].iloc[0]
    assert "教育" in row["top_terms"].split()
    assert list(m.predict([["教育", "学校"], ["就业", "岗位"]])) == ["education", "employment"]


def test_no_terms_is_other_with_status():
    m = _toy_model()
    out = m.classify([[], ["xyz"], "   "])
    assert [o["domain"] for o in out] == ["other"] * 3
    assert {o["status"] for o in out} == {"no_terms"}
    assert all(abs(sum(o["cats"].values()) - 1) < 1e-6 for o in out)


def test_proba_rows_sum_to_one_and_columns_follow_taxonomy():
    m = _toy_model()
    P = m.predict_proba([["就业"], ["教育", "环境"]])
    assert P.shape == (2, len(load_taxonomy().ids))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert list(m.classes_) == load_taxonomy().ids


def test_nmf_lda_ensemble_averages_members(tmp_path):
    m = _toy_model(topic_model="nmf+lda")
    assert [x.topic_model for x in m.members_] == ["nmf", "lda"]
    X = [["教育", "学校"], ["就业", "岗位"]]
    np.testing.assert_allclose(m.raw_proba(X)[0],
                               np.mean([x.raw_proba(X)[0] for x in m.members_], axis=0))
    assert set(m.get_topic_info()["model"]) == {"nmf", "lda"}
    assert list(load_domain_model(save_domain_model(m, tmp_path / "e")).predict(X)) == \
        list(m.predict(X))


def test_seeds_outside_vocabulary_still_in_vocabulary():
    m = _toy_model()
    assert "碳达峰" in set(m.get_feature_names_out())


def test_custom_taxonomy(tmp_path):
    toml = tmp_path / "tax.toml"
    toml.write_text('[[domain]]\nid = "jobs"\nzh = "就业"\nseeds = ["就业", "岗位"]\n'
                    '[[domain]]\nid = "school"\nseeds = ["教育", "学校"]\n'
                    '[[domain]]\nid = "none"\nfallback = true\nseeds = ["经济", "投资"]\n',
                    encoding="utf-8")
    m = DomainModel(taxonomy=str(toml), n_free_topics=1, min_df=1, max_df=1.0, max_iter=30).fit(TOY)
    assert list(m.classes_) == ["jobs", "school", "none"]
    assert m.predict([["学校", "教育"]])[0] == "school"
    assert m.classify([[]])[0]["domain"] == "none"


def test_everyday_words_join_their_domain_in_their_own_pseudo_paragraph(tmp_path):
    toml = tmp_path / "tax.toml"
    toml.write_text('[[domain]]\nid = "jobs"\nseeds = ["就业", "岗位"]\neveryday = ["找工作", "岗位"]\n'
                    '[[domain]]\nid = "school"\nseeds = ["教育", "学校"]\n'
                    '[[domain]]\nid = "none"\nfallback = true\nseeds = ["经济", "投资"]\n',
                    encoding="utf-8")
    tax = load_taxonomy(toml)
    assert tax["jobs"].everyday == ("找工作", "岗位") and tax["jobs"].seeds == ("就业", "岗位", "找工作")
    assert tax.seed_topics()[0] == ("jobs", "jobs", ("就业", "岗位", "找工作"))
    assert tax.seed_documents() == [["就业", "岗位"], ["找工作"], ["教育", "学校"], ["经济", "投资"]]
    m = DomainModel(taxonomy=str(toml), n_free_topics=1, min_df=1, max_df=1.0, max_iter=30).fit(TOY)
    assert "找工作" in m.vectorizer_.vocabulary_  # absent from the corpus, known through its domain
    assert m.predict([["找工作"]])[0] == "jobs"


def test_bad_taxonomy_messages(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_taxonomy(tmp_path / "missing.toml")
    bad = tmp_path / "dup.toml"
    bad.write_text('[[domain]]\nid = "a"\nseeds=["x"]\n[[domain]]\nid = "a"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate domain id 'a'"):
        load_taxonomy(bad)


def test_shipped_taxonomy_matches_contract():
    tax = load_taxonomy()
    assert tax.ids[0] == "employment" and tax.fallback == "other" and len(tax.ids) == 18
    assert all(tax[d].seeds for d in tax.livelihood_ids)


def test_terms_filter_with_and_without_tags():
    words = ["加快", "发展", "养老", "保险", "，", "2024年", "的", "我们"]
    tags = ["v", "v", "vn", "n", "w", "t", "u", "r"]
    tagged = terms_from_tagged(words, tags)
    assert "养老保险" in tagged and "，" not in tagged and "2024年" not in tagged
    untagged = terms_from_tagged(words, None)
    assert "养老保险" in untagged and "的" not in untagged and "我们" not in untagged


def test_metrics_known_values():
    s = score(["a", "other"], [["a"], ["other"]], ["a", "a"], [["a"], ["a"]], ["a", "other"])
    assert s["primary_accuracy"] == 0.5 and s["livelihood_f1"] == pytest.approx(2 / 3)


def test_calibration_is_saved_and_changes_predictions():
    m = _toy_model()
    gp = ["employment", "education", "other", "other"]
    X = [["就业"], ["教育"], ["经济", "增长"], ["投资"]]
    cal = m.calibrate(X, gp, [[g] for g in gp])
    assert set(cal) == {"other_weight", "label_threshold", "anchor_thresholds"}
    assert m.calibration_ == cal
    assert set(cal["anchor_thresholds"]) == set(m.classes_) - {"other"}
    assert set(m.calibrate(X, gp, [[g] for g in gp], anchors=False)) == {"other_weight",
                                                                         "label_threshold"}


def test_anchor_evidence_labels_a_domain_named_once():
    """A jobs paragraph with one care-service term: the share is small, the anchor is not."""
    m = _toy_model()
    X = [["就业", "岗位", "就业岗位", "高校毕业生", "就业", "岗位", "养老服务"]]
    ids = list(m.classes_)
    E = m.anchor_evidence(X)
    assert E.shape == (1, len(ids))
    assert E[0, ids.index("elderly_care")] > 0.5 > E[0, ids.index("education")]
    m.calibration_ = {"other_weight": 1.0, "label_threshold": 1.01}
    assert m.predict_labels(X) == [["employment"]]
    m.calibration_["anchor_thresholds"] = {"elderly_care": 0.5}
    assert m.predict_labels(X) == [["employment", "elderly_care"]]
    assert m.anchor_evidence([[]])[0].sum() == 0


def test_fast_calibration_scorer_equals_metrics_score():
    from pipeline.domains.calibration import _Scorer

    ids = ["a", "b", "c", "other"]
    rng = np.random.default_rng(0)
    gp = [ids[i] for i in rng.integers(0, 4, 60)]
    gl = [sorted({p} | {ids[j] for j in range(4) if rng.random() < 0.2}) for p in gp]
    scorer = _Scorer(ids, "other", gp, gl)
    for _ in range(10):
        pred = rng.integers(0, 4, 60)
        Y = rng.random((60, 4)) < 0.25
        Y[np.arange(60), pred] = True
        s = score(gp, gl, [ids[i] for i in pred], [[ids[j] for j in np.where(y)[0]] for y in Y],
                  ids, "other")
        expected = s["primary_accuracy"] + s["livelihood_f1"] + s["label_micro_f1"] \
            + s["label_macro_f1"]
        assert scorer(pred, Y) == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------------- artifacts
def _sha(path: Path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_artifact_round_trip_and_determinism(tmp_path):
    a = save_domain_model(_toy_model(), tmp_path / "a", {"note": "x"})
    b = save_domain_model(_toy_model(), tmp_path / "b", {"note": "x"})
    for name in ("model.joblib", "meta.json"):
        assert _sha(a / name) == _sha(b / name), name
    m = load_domain_model(a)
    X = [["就业", "岗位"], ["教育"], []]
    assert m.classify(X) == _toy_model().classify(X)
    meta = json.loads((a / "meta.json").read_text(encoding="utf-8"))
    assert meta["schema_version"] == SCHEMA_VERSION and "sklearn" in meta["versions"]
    assert meta["taxonomy"]["sha256"] == load_taxonomy().sha256


def test_determinism_across_processes(tmp_path):
    """String hashing is randomised per process: the artifact must not depend on it."""
    code = ("import sys; from tests.test_domains import _toy_model; "
            "from pipeline.domains import save_domain_model; "
            "save_domain_model(_toy_model(), sys.argv[1])")
    for name in ("p1", "p2"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True, cwd=REPO)
    assert _sha(tmp_path / "p1" / "model.joblib") == _sha(tmp_path / "p2" / "model.joblib")


def test_tampered_artifact_refused(tmp_path):
    d = save_domain_model(_toy_model(), tmp_path / "m")
    with open(d / "model.joblib", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelError, match="sha256 mismatch"):
        load_domain_model(d)


def test_newer_schema_refused(tmp_path):
    d = save_domain_model(_toy_model(), tmp_path / "m")
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    meta["schema_version"] = SCHEMA_VERSION + 1
    (d / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="newer than this minsheng"):
        load_domain_model(d)


def test_missing_artifact_message(tmp_path):
    with pytest.raises(ModelError, match="No meta.json"):
        load_domain_model(tmp_path)


# ------------------------------------------------------------ the shipped model
SHIPPED = REPO / "models" / "domains"


@pytest.mark.skipif(not (SHIPPED / "meta.json").exists(), reason="no committed model yet")
def test_shipped_model_loads_and_classifies_without_shared():
    m = load_domain_model()
    out = m.classify([["养老", "保险", "养老保险", "退休"], ["学校", "教师", "教育"], []])
    assert out[1]["domain"] == "education"
    assert out[2]["domain"] == "other" and out[2]["status"] == "no_terms"
    meta = m.meta_
    assert meta["scores"]["cv5"]["primary_accuracy"] > 0.7


@pytest.mark.skipif(not (SHIPPED / "meta.json").exists(), reason="no committed model yet")
def test_shipped_model_heading_names_domain():
    """推动教育事业高质量发展 (pkuseg terms) is education; 各位代表 is other."""
    m = load_domain_model()
    assert m.predict([["推动", "教育", "事业", "教育事业", "高质量", "发展"]])[0] == "education"
    assert m.predict([["各位", "代表"]])[0] == "other"


def test_domains_package_never_imports_spacy():
    code = ("import sys, pipeline.domains, pipeline.domains.bench, pipeline.domains.supervised; "
            "from pipeline import load_domain_model; "
            "sys.exit(1 if 'spacy' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
