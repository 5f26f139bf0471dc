"""Domain classification: estimators, taxonomy, terms, calibration, artifacts (no spaCy)."""
from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipeline.domains import (DomainClassifier, SeededLDA, SeededNMF, TermFeaturizer,
                              TopicEnsemble, load_domain_model, load_taxonomy,
                              save_domain_model, terms_from_tagged)
from pipeline.domains.ensemble import default_scorers
from pipeline.domains.artifact import SCHEMA_VERSION
from pipeline.domains.metrics import score
from pipeline.reading.analysis import analysis_text
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
TOY_Y = ["employment"] * 8 + ["education"] * 8 + ["other"] * 8 + ["elderly_care"] * 6 \
    + ["environment"] * 6


def _toy_topics() -> TopicEnsemble:
    scorers = default_scorers()
    for _, s in scorers:
        s.set_params(min_df=1, max_df=1.0, expand_seeds=20)
        s.topic_model.set_params(n_free_topics=2, max_iter=30)
    return TopicEnsemble(scorers)


def _toy_model(labeled: bool = True, **kw) -> DomainClassifier:
    from pipeline.domains import PseudoLabelLayer
    clf = DomainClassifier(topics=_toy_topics(), pseudo_labels=PseudoLabelLayer(per_class=5), **kw)
    if not labeled:
        return clf.fit(TOY)
    return clf.fit(TOY + TOY, [None] * len(TOY) + TOY_Y)


def test_seeded_topics_and_predictions():
    m = _toy_model()
    info = m.get_topic_info()
    assert {"model", "topic", "domain", "size", "top_terms", "npmi"} <= set(info.columns)
    assert set(info["model"]) == {"nmf", "lda"}
    row = info[(info["name"] == "education") & (info["model"] == "nmf")].iloc[0]
    assert "教育" in row["top_terms"].split()
    assert list(m.predict([["教育", "学校"], ["就业", "岗位"]])) == ["education", "employment"]


def test_unsupervised_fit_without_labels():
    m = _toy_model(labeled=False)
    assert m.n_labeled_ == 0
    assert list(m.predict([["教育", "学校"], ["养老", "老年人"]])) == ["education", "elderly_care"]


def test_no_terms_is_other_with_status():
    m = _toy_model()
    out = m.classify([[], ["xyz"], "   "])
    assert [o["domain"] for o in out] == ["other"] * 3
    assert [o["status"] for o in out] == ["no_terms", "no_terms", "empty"]
    assert all(abs(sum(o["cats"].values()) - 1) < 1e-5 for o in out)


def test_proba_rows_sum_to_one_and_columns_follow_taxonomy():
    m = _toy_model()
    P = m.predict_proba([["就业"], ["教育", "环境"]])
    assert P.shape == (2, len(load_taxonomy().ids))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert list(m.classes_) == load_taxonomy().ids
    labels = m.predict_labels([["教育", "环境"]])[0]
    assert labels[0] == m.predict([["教育", "环境"]])[0]
    order = [list(m.classes_).index(d) for d in labels]
    assert list(P[1, order]) == sorted(P[1, order], reverse=True)  # primary first, then by probability


def test_label_sets_and_sets_of_acceptable_primaries_as_targets():
    m = DomainClassifier(topics=_toy_topics()).fit(
        TOY + TOY[:8] + TOY[8:16],
        [None] * len(TOY) + [["employment", "income"]] * 8 + [{"education", "culture_sports"}] * 8)
    assert m.n_labeled_ == 16
    assert m.score(TOY[8:16], [{"education", "culture_sports"}] * 8) == 1.0


def test_label_set_model_learns_a_second_domain_from_label_sets():
    """Rows labeled [education, employment] teach the label-set model that a paragraph
    with both kinds of words carries both (a plain primary is a one-domain set)."""
    both = [["教育", "学校", "就业", "岗位"]] * 8
    m = DomainClassifier(topics=_toy_topics()).fit(
        TOY + TOY + both,
        [None] * len(TOY) + [[y] for y in TOY_Y] + [["education", "employment"]] * 8)
    assert m.label_model_ is not None and 0.0 < m.label_model_.threshold_ < 1.0
    assert set(m.predict_labels([["教育", "学校", "就业", "岗位"]])[0]) == {"education", "employment"}
    assert m.predict_labels([["环境", "污染", "生态"]])[0] == ["environment"]
    unlabeled = DomainClassifier(topics=_toy_topics()).fit(TOY)
    assert unlabeled.label_model_ is None  # no label sets: the share and anchor thresholds


def test_label_set_model_errors_name_the_fix():
    from pipeline.domains.labels import LabelSetModel
    P = np.full((2, 3), 1 / 3)
    with pytest.raises(ConfigError, match="both members and non-members"):
        LabelSetModel().fit([], P, np.ones((2, 3), bool))
    with pytest.raises(ConfigError, match="LabelSetModel C"):
        LabelSetModel(C=0).fit([], P, np.eye(3, dtype=bool)[:2])


def test_term_layer_scores_out_of_fold_and_starts_from_seeds():
    """fit_oof's scores for a row come from a layer that never saw the row; the seed
    pseudo-paragraphs give a domain without labeled rows its own words (every seed term
    is in the vocabulary; a heavier seed row says so more strongly)."""
    from pipeline.domains.term_layer import SupervisedTermLayer
    tax = load_taxonomy()
    ids = tax.ids
    X = [["就业", "岗位", f"w{i}"] for i in range(10)] + [["经济", "投资", f"v{i}"] for i in range(10)]
    Y = np.zeros((20, len(ids)), bool)
    Y[:10, ids.index("employment")] = True
    Y[10:, ids.index("other")] = True
    layer, oof = SupervisedTermLayer().fit_oof(X, Y, taxonomy=tax)
    inside = layer.decision_function(X)
    assert oof.shape == inside.shape == (20, len(ids))
    assert not np.allclose(oof, inside)  # the row's own unique word is unknown out of fold
    emp, fb = ids.index("employment"), ids.index("other")
    assert (oof[:10, emp] > oof[10:, emp].max()).all()
    s = layer.decision_function([["低保", "救助"], ["就业"]])
    sa = ids.index("social_assistance")
    assert s[0, sa] > s[1, sa]  # learned from the seed pseudo-paragraph alone
    no_seeds = SupervisedTermLayer(seed_rows=False).fit(X, Y, taxonomy=tax)
    assert no_seeds.decision_function([["低保"]])[0, sa] < 0  # never in a training set
    assert "民政" in tax["social_assistance"].seeds and "民政" in layer.vectorizer_.vocabulary_
    light = SupervisedTermLayer(seed_weight=1.0).fit(X, Y, taxonomy=tax)

    def lead(m):  # social_assistance's score on 民政 alone over the best other domain's
        s = m.decision_function([["民政"]])[0]
        return s[sa] - np.delete(s, sa).max()

    assert lead(layer) > lead(light) > 0  # the seed rows, heavier, set the domains apart
    for bad in ({"C": -1}, {"seed_weight": 0}):
        with pytest.raises(ValueError, match=f"'{next(iter(bad))}' parameter of SupervisedTermLayer"):
            SupervisedTermLayer(**bad).fit(X, Y, taxonomy=tax)


def test_term_evidence_needs_labels_and_is_silent_without():
    m = _toy_model(labeled=False)
    assert "terms" in m.evidence and m.term_layer_ is None
    labeled = _toy_model()
    assert labeled.term_layer_ is not None
    assert labeled.term_layer_.decision_function([["教育"]]).shape == (1, len(labeled.classes_))


def test_conditional_logit_warns_when_it_does_not_converge():
    from sklearn.exceptions import ConvergenceWarning
    from pipeline.domains.decision import ConditionalLogit
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(40, 3, 4))
    Y = np.eye(3)[rng.integers(0, 3, 40)]
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ConditionalLogit(max_iter=1).fit(Z, Y)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ConditionalLogit().fit(Z, Y)


def test_labels_outside_taxonomy_are_an_error():
    with pytest.raises(ConfigError, match="not in the taxonomy"):
        DomainClassifier(topics=_toy_topics()).fit(TOY, ["jobs"] + [None] * (len(TOY) - 1))


def test_clone_and_cross_val_score_use_labels():
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import cross_val_score
    fitted = _toy_model()
    clf = DomainClassifier(topics=FrozenEstimator(fitted.topics_),
                           pseudo_labels=FrozenEstimator(fitted.pseudo_labels_))
    assert clone(clf).get_params()["topics"] is clf.get_params()["topics"]
    scores = cross_val_score(clf, TOY, TOY_Y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    assert clone(fitted).get_params(deep=False).keys() == fitted.get_params(deep=False).keys()


def test_featurizer_terms_drop_names_and_fold_width():
    f = TermFeaturizer()
    assert f.terms(["张三", "河南", "发展", "养老", "服务"], ["nr", "ns", "v", "vn", "vn"]) == \
        ["发展", "养老", "发展养老", "服务", "养老服务"]
    assert f.terms(["Ａ级", "景区"], ["n", "n"]) == f.terms(["A级", "景区"], ["n", "n"])
    assert f.transform([["已是", "词"], None]) == [["已是", "词"], []]
    with pytest.raises(ConfigError, match="raw text"):
        f.transform([3])


def test_featurizer_lookup_table_gives_the_plain_rule_terms():
    """The (word, tag) table of TermFeaturizer.terms changes nothing: the same terms as
    the width fold + terms_from_tagged rule, in every mode, on first and repeated calls."""
    words = ["张三", "发展", "Ａ级", "养老", "服务", "，", "的", "河南", "养老", "保险", "2024年"]
    tags = ["nr", "v", "n", "vn", "vn", "w", "u", "ns", "vn", "n", "t"]
    for pos_filter in (True, False):
        for drop_names in (True, False):
            f = TermFeaturizer(pos_filter=pos_filter, drop_names=drop_names)
            kept = ["" if drop_names and t in ("nr", "ns") else analysis_text(w)
                    for w, t in zip(words, tags)]
            want = terms_from_tagged(kept, tags if pos_filter else None)
            assert f.terms(words, tags) == want == f.terms(words, tags)
            assert f.terms(words, None) == terms_from_tagged([analysis_text(w) for w in words])
    f = TermFeaturizer()
    f.terms(words, tags)
    assert "_cache_term_tables" in f.__dict__
    assert not [k for k in pickle.loads(pickle.dumps(f)).__dict__ if k.startswith("_cache_")]


def test_taxonomy_phrases_are_one_term_however_the_segmenter_splits_them():
    """Consecutive tokens spelling out a phrase become it (longest match, whatever their
    tags: 无 and 找 would be dropped alone); a token that is a phrase is kept; other tokens
    keep their terms; a DomainClassifier's featurizer gets its taxonomy's terms."""
    from pipeline.domains.featurize import PhraseMatcher, taxonomy_featurizer

    f = TermFeaturizer(phrases=["最低生活保障", "生活保障", "无障碍", "找工作", "低保"]).fit()
    words = ["申请", "最低", "生活", "保障", "。", "无", "障碍", "设施", "找", "工作", "低保"]
    tags = ["v", "a", "n", "vn", "w", "v", "n", "n", "v", "vn", "j"]
    assert f.terms(words, tags) == ["申请", "最低生活保障", "申请最低生活保障", "。", "无障碍", "设施",
                                    "无障碍设施", "找工作", "设施找工作", "低保", "找工作低保"]
    assert TermFeaturizer().fit().terms(words, tags)[1:4] == ["最低", "申请最低", "生活"]
    m = PhraseMatcher(["ab", "abc"])
    assert m.merge(["a", "b", "c", "d"], ["a", "b", "c", "d"]) == ["abc", "d"]
    assert m.merge([None, "b", None], ["a", "b", "x"]) == ["ab", None]
    assert m.merge(["a"], ["a"]) == ["a"]
    tax = load_taxonomy(None)
    clf_f = taxonomy_featurizer(None, tax)
    assert "最低生活保障" in clf_f.phrases and "无障碍" in clf_f.phrases
    assert taxonomy_featurizer(TermFeaturizer(phrases=()), tax).phrases == ()
    strings = {i: w for i, w in enumerate([""] + words + tags)}
    ids = {w: i for i, w in strings.items()}
    assert f.terms_from_ids([ids[w] for w in words], [ids[t] for t in tags], strings) == \
        f.terms(words, tags)
    old_tables = f._cache_term_tables[1]
    f.set_params(phrases=["无障碍设施"])  # new phrases: new matches, the old tables freed
    got = f.terms(words, tags)
    assert "无障碍设施" in got and "最低生活保障" not in got and "最低" in got
    assert f._cache_term_tables[1] is not old_tables and len(f._cache_term_tables[1]) == 1


def test_lead_evidence_reads_the_first_terms():
    """``lead`` is the mean term evidence of a paragraph's first lead_terms terms: a
    paragraph that opens on jobs and goes on about schools leads with employment."""
    m = _toy_model()
    text = ["就业", "岗位", "就业岗位"] + ["教育", "学校", "教师", "学生"] * 3
    (_, nmf), = [(n, s) for n, s in m.topics_.scorers_ if n == "nmf"]
    ids = list(m.classes_)
    nmf.set_params(lead_terms=3)
    ev = nmf.evidence([text])
    assert ev.lead[0, ids.index("employment")] > ev.lead[0, ids.index("education")]
    assert ev.mean[0, ids.index("education")] > ev.mean[0, ids.index("employment")]
    nmf.set_params(lead_terms=len(text))
    assert np.allclose(nmf.evidence([text]).lead, nmf.evidence([text]).mean)
    assert np.all(nmf.evidence([["没有的词"]]).lead == 0)


@pytest.mark.parametrize("params", [{"first_decay": 0}, {"first_at": 0.0}, {"weighting": "bm25"},
                                    {"min_df": 0}, {"lead_terms": 0}])
def test_scorer_refuses_parameters_that_would_give_no_evidence(params):
    """``fit`` validates its parameters (first_decay=0 would divide by zero: NaN evidence)."""
    from pipeline.domains.scorer import SeededTopicScorer
    from pipeline.domains.taxonomy import load_taxonomy

    with pytest.raises(ValueError, match=next(iter(params))):
        SeededTopicScorer(**params).fit([["就业", "岗位"]], taxonomy=load_taxonomy(None))


def test_first_evidence_is_how_early_a_strong_term_names_the_domain():
    """``first`` is exp(-position / first_decay) of the first term with P(domain | term)
    >= first_at (every term counted, sentence and clause marks not), 0 for a domain no
    term names strongly; the same for a row alone or in a batch."""
    from pipeline.domains.term_stats import TermPositions, first_named, known_rows
    from pipeline.domains.terms import CLAUSE_END, SENTENCE_END

    m = _toy_model()
    (_, nmf), = [(n, s) for n, s in m.topics_.scorers_ if n == "nmf"]
    post = nmf.term_domain_posterior()
    ids = list(m.classes_)
    voc = nmf.vectorizer_.vocabulary_
    strong = nmf.first_at
    named = {}  # a term that names each domain it is strong for
    for t, c in sorted(voc.items()):
        for k in np.flatnonzero(post[c] >= strong):
            named.setdefault(ids[k], t)
    (d1, t1), (d2, t2) = [(d, named[d]) for d in ("employment", "education", "elderly_care",
                                                       "environment", "other") if d in named][:2]
    filler = ["没有的词", "也没有", "第三个"]  # unknown terms count for the position
    assert not any(t in voc for t in filler)
    text = filler + [t1, CLAUSE_END, t2, SENTENCE_END] + [t2] * 5  # first_at > 0.5: t1 names d1 only
    nmf.set_params(first_decay=10.0)

    def first(X):
        at = TermPositions(X)
        known, P = known_rows(at, at.columns(voc.get), post)
        return first_named(at, known, P, len(X), nmf.first_at, nmf.first_decay)

    got = first([text, ["没有的词"], []])
    assert got[0, ids.index(d1)] == pytest.approx(np.exp(-3 / 10.0))
    assert got[0, ids.index(d2)] == pytest.approx(np.exp(-4 / 10.0))
    known = [voc[t] for t in text if t in voc]
    never = [k for k in range(len(ids)) if not (post[known] >= strong)[:, k].any()]
    assert never and np.all(got[0, never] == 0.0)
    assert np.all(got[1:] == 0.0)
    assert np.array_equal(nmf.evidence([text]).first, got[:1])
    assert np.array_equal(first([text] * 3), np.vstack([got[:1]] * 3))


def test_seeds_outside_vocabulary_still_in_vocabulary():
    m = _toy_model()
    assert "碳达峰" in set(m.get_feature_names_out())


def test_custom_taxonomy(tmp_path):
    toml = tmp_path / "tax.toml"
    toml.write_text('[[domain]]\nid = "jobs"\nzh = "就业"\nseeds = ["就业", "岗位"]\n'
                    '[[domain]]\nid = "school"\nseeds = ["教育", "学校"]\n'
                    '[[domain]]\nid = "none"\nfallback = true\nseeds = ["经济", "投资"]\n',
                    encoding="utf-8")
    m = DomainClassifier(taxonomy=str(toml), topics=_toy_topics()).fit(TOY)
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
    m = DomainClassifier(taxonomy=str(toml), topics=_toy_topics()).fit(TOY)
    assert "找工作" in m.topics_.vocabulary_  # absent from the corpus, known through its domain
    assert m.predict([["找工作"]])[0] == "jobs"


def test_prior_adaptation_moves_only_the_livelihood_split():
    m = _toy_model()
    X = [["就业", "投资"], ["教育", "市场"], ["养老", "增长"]]
    before = m.predict_proba(X)
    m.adapt_priors(TOY[:16])  # a batch with no 'other' paragraph
    after = m.predict_proba(X)
    fb = list(m.classes_).index("other")
    assert m.adapted_prior_ < m.prior_
    assert (after[:, fb] < before[:, fb]).all()
    live = [i for i in range(len(m.classes_)) if i != fb]
    np.testing.assert_allclose(after[:, live] / after[:, live].sum(1, keepdims=True),
                               before[:, live] / before[:, live].sum(1, keepdims=True), atol=1e-9)


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
    with pytest.raises(ModelError, match="Upgrade minsheng"):
        load_domain_model(d)


def test_missing_artifact_message(tmp_path):
    with pytest.raises(ModelError, match="No meta.json"):
        load_domain_model(tmp_path)


# ------------------------------------------------------------ the shipped model
SHIPPED = REPO / "models" / "domains"


def test_shipped_model_classifies_term_lists_without_shared():
    m = load_domain_model()
    assert isinstance(m, DomainClassifier)
    out = m.classify([["养老", "保险", "养老保险", "退休"], ["学校", "教师", "教育"], []])
    assert out[1]["domain"] == "education"
    assert out[2]["domain"] == "other" and out[2]["status"] == "no_terms"
    assert m.meta_["scores"]["cv5"]["primary_accuracy"] > 0.85


def test_shipped_model_gives_each_everyday_word_alone_its_domain():
    """A bare everyday word of the taxonomy (残疾证, 独居老人, 网格员: what a service
    listing or a message subject may say and nothing else) is classified as its own
    domain by the shipped model as a term list; as raw text that keeps the word, all but
    at most 2 % do (the shipped model: all of them; a miss would be a compound whose
    first word names another domain, 人才公寓 → 人才 → education)."""
    m = load_domain_model()
    words = [(d.id, w) for d in m.taxonomy_.domains for w in d.everyday]
    assert len(words) > 100
    as_terms = m.predict([[w] for _, w in words])
    wrong = [(d, w, p) for (d, w), p in zip(words, as_terms) if p != d]
    assert not wrong, wrong
    whole = [(d, w) for (d, w), t in zip(words, m.featurizer_.transform([w for _, w in words]))
             if w in t]  # raw text the featurizer keeps whole (找工作 alone becomes 工作)
    assert len(whole) > 100
    raw = m.predict([w for _, w in whole])
    misses = [(d, w, p) for (d, w), p in zip(whole, raw) if p != d]
    assert len(misses) <= 0.02 * len(whole), misses


def test_seed_pseudo_documents_stay_with_their_topic():
    """SeededNMF's seed_rows: a pseudo-document's weights stay zero outside its topic, so
    a word that only the pseudo-document has belongs to its seeded topic, not to a free
    topic (the everyday word 找工作 of a toy taxonomy goes to jobs)."""
    rng = np.random.default_rng(0)
    A, B = np.zeros((20, 6)), np.zeros((20, 6))
    A[:, 0], A[:, 1], A[:, 5] = rng.integers(1, 3, 20), rng.integers(0, 3, 20), rng.integers(0, 2, 20)
    B[:, 2], B[:, 3], B[:, 5] = rng.integers(1, 3, 20), rng.integers(0, 3, 20), rng.integers(0, 2, 20)
    pseudo = np.zeros((9, 6))  # topic 0's seeds, its everyday word (column 4), topic 1's seeds
    pseudo[0:3, [0, 1]], pseudo[3:6, 4], pseudo[6:9, [2, 3]] = 1.0, 1.0, 1.0
    X = sp.csr_matrix(np.vstack([A, B, pseudo]))
    kw = dict(seeds=[[0, 1, 4], [2, 3]], n_free_topics=2, max_iter=100)
    free = SeededNMF(**kw).fit(X)
    tied = SeededNMF(**kw, seed_rows=[(40 + i, 0) for i in range(6)]
                     + [(46 + i, 1) for i in range(3)]).fit(X)
    assert free.components_[:, 4].argmax() >= 2  # a free topic took the everyday word
    assert tied.components_[:, 4].argmax() == 0
    W = tied.transform(X[40:])
    assert W[3:6].argmax(axis=1).tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="seed_rows"):
        SeededNMF(**kw, seed_rows=[(99, 0)]).fit(X)


def test_domains_package_never_imports_spacy():
    code = ("import sys, pipeline.domains, pipeline.domains.baselines; "
            "from pipeline import load_domain_model; load_domain_model(); "
            "sys.exit(1 if 'spacy' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


# ------------------------------------------------ scikit-learn checks of the classifier
def _classifier() -> DomainClassifier:
    from pipeline.domains import PseudoLabelLayer
    return DomainClassifier(topics=_toy_topics(), pseudo_labels=PseudoLabelLayer(per_class=5))


#: The classifier declares string input and no 2-D arrays (its paragraphs are raw text or
#: term lists), so parametrize_with_checks runs the checks that apply to such estimators.
@parametrize_with_checks([_classifier()])
def test_classifier_passes_applicable_sklearn_checks(estimator, check):
    check(estimator)


#: API checks that need no numeric data: all must pass.
API_CHECKS = ("check_no_attributes_set_in_init", "check_parameters_default_constructible",
              "check_get_params_invariance", "check_set_params", "check_estimator_repr",
              "check_estimator_cloneable", "check_valid_tag_types",
              "check_do_not_raise_errors_in_init_or_set_params")
#: Checks that fit on random numeric arrays: expected to fail, and why.
NUMERIC_DATA_CHECKS = {
    "check_fit_check_is_fitted": "fits on a random float array; the classifier reads paragraphs",
    "check_dict_unchanged": "predicts on a random float array; the classifier reads paragraphs",
    "check_estimator_sparse_tag": "fits on a sparse float matrix; the classifier reads paragraphs",
}


@pytest.mark.parametrize("name", API_CHECKS)
def test_classifier_api_checks(name):
    import sklearn.utils.estimator_checks as ec
    getattr(ec, name)("DomainClassifier", _classifier())


@pytest.mark.parametrize("name", sorted(NUMERIC_DATA_CHECKS))
def test_classifier_numeric_data_checks_fail_for_the_stated_reason(name):
    import sklearn.utils.estimator_checks as ec
    with pytest.raises((ConfigError, AssertionError)):
        getattr(ec, name)("DomainClassifier", _classifier())


def test_shipped_topics_inspectable_and_free_of_names():
    """get_topic_info has a model column, and no top term is one of the names the previous
    model's topics carried (沛林 … 河南 楚政 for elderly_care, 玉荣 for disability)."""
    info = load_domain_model().get_topic_info()
    assert set(info["model"]) == {"nmf", "lda"}
    assert (info["size"] >= 0).all() and info["npmi"].notna().any()
    terms = {t for row in info["top_terms"] for t in row.split()}
    assert not terms & {"沛林", "河南", "楚政", "玉荣"}


def test_term_counter_gives_each_vectorizers_own_matrix():
    """The one-pass counter of the shipped model's three vectorisers gives, for each, the
    matrix its own transform gives (indices, order, values); the decision's inputs are
    unchanged and the cache is not pickled."""
    from pipeline import load_domain_model
    from pipeline.domains.counting import TermCounter

    clf = load_domain_model()
    rows = [json.loads(line) for line in (REPO / "corpus" / "gold.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    terms = clf.featurizer_.transform([r["text"] for r in rows] + ["", "hello"])
    vecs = clf.topics_.vectorizers() + [clf.term_layer_.vectorizer_]
    counter = TermCounter(vecs)
    assert counter.serves(vecs) and not counter.serves(vecs[:2])
    for vec, got in zip(vecs, counter.transform(terms)):
        want = vec.transform(terms)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.data, want.data)
    members, scores = clf._counted(terms)
    assert np.array_equal(scores, clf.term_layer_.decision_function(terms))
    for a, b in zip(members, clf.topics_.member_evidence(terms)):
        for kind in ("shares", "seeded", "anchors", "mean", "support", "strong", "second", "lead",
                     "first", "clauses"):
            assert np.array_equal(getattr(a, kind), getattr(b, kind)), kind
    assert b"_cache_counter" not in pickle.dumps(clf)


def test_seeded_lda_transform_is_sklearns_e_step():
    """SeededLDA.transform runs scikit-learn's E-step in the compiled loop where it was
    built: the same topic weights up to the order of the dot products' additions
    (1e-12), the same dominant topics, and a row's weights independent of its batch."""
    from pipeline import kernels
    from pipeline.domains import topics

    rng = np.random.default_rng(0)
    X = sp.random(300, 400, density=0.05, format="csr", random_state=1,
                  data_rvs=lambda k: rng.integers(1, 4, k).astype(float))
    X[5] = 0.0  # a row without terms
    lda = SeededLDA(seeds=[[0, 1, 2], [3, 4]], n_free_topics=3, max_iter=10).fit(X)
    got = lda.transform(X)
    assert got.shape == (300, 5) and np.allclose(got.sum(axis=1), 1.0)
    assert np.allclose(got, lda._model.transform(X), rtol=0, atol=1e-12)
    assert np.array_equal(got.argmax(axis=1), lda._model.transform(X).argmax(axis=1))
    parts = np.vstack([lda.transform(X[i:i + 7]) for i in range(0, 300, 7)])
    assert np.array_equal(parts, got)
    assert kernels.AVAILABLE == (topics.compiled is not None)


def test_sentence_marks_between_sentences_read_by_lead_only():
    """The featurizer puts 。 between two sentences' terms (never first, last or twice);
    vectorisers leave it out; ``lead`` reads the first sentence's terms only."""
    from pipeline.domains.scorer import identity_analyzer
    from pipeline.domains.terms import SENTENCE_END, as_term_lists, join_terms

    f = TermFeaturizer().fit()
    words = ["。", "发展", "养老", "服务", "。", "！", "社区", "治理", "；"]
    tags = ["w", "v", "vn", "vn", "w", "w", "n", "vn", "w"]
    got = f.terms(words, tags)
    assert got == ["发展", "养老", "发展养老", "服务", "养老服务", SENTENCE_END, "社区", "治理", "社区治理"]
    assert join_terms(["a", SENTENCE_END, SENTENCE_END, "b", SENTENCE_END]) == ["a", SENTENCE_END, "b"]
    assert identity_analyzer(got) == [t for t in got if t != SENTENCE_END]
    assert as_term_lists([got, " ".join(got)]) == [identity_analyzer(got)] * 2
    clf = _toy_model()
    scorer = clf.topics_.scorers_[0][1]
    post = scorer.term_domain_posterior()
    one, two = ["养老", "服务"], ["就业", "岗位"]
    assert np.array_equal(scorer._lead([one + [SENTENCE_END] + two], post), scorer._lead([one], post))
    assert not np.array_equal(scorer._lead([one + two], post), scorer._lead([one], post))


def test_seed_document_topics_name_the_topic_each_pseudo_document_states():
    """Taxonomy.seed_document_topics is aligned with seed_documents: each pseudo-document's
    words are among its topic's seeds (the shipped taxonomy and one with everyday words)."""
    tax = load_taxonomy(None)
    docs, tops, topics = tax.seed_documents(), tax.seed_document_topics(), tax.seed_topics()
    assert len(docs) == len(tops) > len(topics)  # everyday words add documents
    assert all(set(d) <= set(topics[k][2]) for d, k in zip(docs, tops))
    assert sorted(set(tops)) == list(range(len(topics)))


def test_term_positions_follow_join_terms():
    """A bigram (written right after its second word) takes its first word's position; a
    word equal to the two before it joined is still a word; a sentence mark breaks pairs."""
    from pipeline.domains.term_stats import TermPositions
    from pipeline.domains.terms import SENTENCE_END, join_terms

    assert join_terms(["a", "b", "c"]) == ["a", "b", "ab", "c", "bc"]
    got = TermPositions([["a", "b", "ab", "c", "bc"], ["养老", "服务", "养老服务", "养老服务", "服务养老服务"],
                         ["a", "b", "ab", SENTENCE_END, "ab"], []])
    assert got.position.tolist() == [0, 1, 0, 2, 1, 0, 1, 0, 2, 1, 0, 1, 0, -1, 2]
    assert got.owner.tolist() == [0] * 5 + [1] * 5 + [2] * 5


def test_clause_marks_and_clause_support():
    """Punctuation that ends a clause (，、：) writes a clause mark, one that ends a sentence a
    sentence mark (which outranks a clause mark next to it); neither is ever first, last or
    doubled, and no vectoriser counts them.  ``clauses`` counts, per domain, the clauses
    with a term backing it: a word repeated in one clause once, in three clauses three times."""
    from pipeline.domains.scorer import identity_analyzer
    from pipeline.domains.term_stats import TermPositions, clause_support, known_rows
    from pipeline.domains.terms import CLAUSE_END, SENTENCE_END

    words = ["，", "发展", "智慧", "民政", "、", "法治", "民政", "，", "。", "群众", "幸福感", "：", "！"]
    tags = ["w", "v", "n", "n", "w", "n", "n", "w", "w", "n", "n", "w", "w"]
    got = terms_from_tagged(words, tags, bigrams=False)
    assert got == ["发展", "智慧", "民政", CLAUSE_END, "法治", "民政", SENTENCE_END, "群众", "幸福感"]
    assert TermFeaturizer(bigrams=False).terms(words, tags) == got
    assert identity_analyzer(got) == ["发展", "智慧", "民政", "法治", "民政", "群众", "幸福感"]
    vocab = {"民政": 0, "幸福感": 1, "智慧": 2}
    post = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])  # P(domain | term), 2 domains
    docs = [got, ["民政", "民政", "幸福感"], [], ["民政", CLAUSE_END, "民政", CLAUSE_END, "民政"]]
    at = TermPositions(docs)
    C = clause_support(at, *known_rows(at, at.columns(vocab.get), post), len(docs))
    assert C.tolist() == [[2, 2], [1, 1], [0, 0], [3, 0]]
