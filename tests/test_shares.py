"""pipeline.shares: measures, seeded bootstrap, adjusted classify-and-count, log-odds."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from pipeline.shares import adjusted_shares, attention_rows, confusion_from_predictions
from pipeline.shares.bootstrap import group_rng, percentile_interval, replicate_counts
from pipeline.shares.logodds import log_odds_terms

DOMAINS = ["employment", "health", "other"]


def _rows(spec: list[tuple[str, int, str, list[str]]], meta_of=lambda doc: {}) -> list[dict]:
    """(doc, chars, primary, labels) -> paragraph rows as paragraphs.jsonl has them."""
    out = []
    for i, (doc, chars, d, labels) in enumerate(spec):
        cats = {x: (0.7 if x == d else 0.15) for x in DOMAINS}
        out.append({"doc_id": doc, "para_id": f"{doc}#p{i}", "kind": "body", "status": "ok",
                    "domain": d, "domains": labels, "cats": cats, "text": "字" * chars,
                    "meta": meta_of(doc)})
    return out


def _simulated(rng: np.random.Generator, docs: int, n: int, p: np.ndarray) -> list[dict]:
    spec = []
    for k in range(docs):
        for d in rng.choice(len(DOMAINS), size=n, p=p):
            spec.append((f"d{k}", 10, DOMAINS[d], [DOMAINS[d]]))
    return _rows(spec, lambda doc: {"year": 2000 + int(doc[1:]) % 2})


def _value(table, **key):
    [row] = [r for r in table if all(r.get(k) == v for k, v in key.items())]
    return row


def test_measures_by_hand():
    rows = _rows([("a", 10, "employment", ["employment", "health"]), ("a", 30, "health", ["health"]),
                  ("a", 60, "other", ["other"]), ("a", 5, "employment", ["employment"])])
    rows.append({**rows[0], "para_id": "a#p9", "kind": "heading"})  # not body: left out
    t = attention_rows(rows, ["doc_id"], domains=DOMAINS, n_boot=50)
    assert _value(t, scope="all", measure="primary", domain="employment")["value"] == 0.5
    assert _value(t, scope="all", measure="chars", domain="health")["value"] == pytest.approx(30 / 105)
    assert _value(t, scope="all", measure="coverage", domain="health")["value"] == 0.5
    assert _value(t, scope="all", measure="expected", domain="employment")["value"] == \
        pytest.approx((0.7 + 0.15 + 0.15 + 0.7) / 4)
    # livelihood only: the 3 non-other paragraphs, other dropped, scores renormalised
    assert _value(t, scope="livelihood", measure="primary", domain="employment")["value"] == \
        pytest.approx(2 / 3)
    assert not [r for r in t if r["scope"] == "livelihood" and r["domain"] == "other"]
    assert _value(t, scope="livelihood", measure="primary", domain="health")["paragraphs"] == 3
    for m in ("primary", "chars", "expected"):
        assert sum(r["value"] for r in t if r["measure"] == m and r["scope"] == "all") == \
            pytest.approx(1.0)


def test_bootstrap_is_seeded_and_intervals_contain_the_estimate():
    rows = _simulated(np.random.default_rng(1), docs=6, n=40, p=np.array([0.2, 0.1, 0.7]))
    a = attention_rows(rows, ["year"], domains=DOMAINS, n_boot=300)
    b = attention_rows(rows, ["year"], domains=DOMAINS, n_boot=300)
    assert a == b
    c = attention_rows(rows, ["year"], domains=DOMAINS, n_boot=300, seed=7)
    assert [r["lo"] for r in a] != [r["lo"] for r in c]
    for r in a:
        assert r["lo"] <= r["value"] + 1e-12 and r["value"] <= r["hi"] + 1e-12, r
        assert r["documents"] == 3
    # a group's interval does not depend on which other groups exist
    only_2000 = [r for r in rows if r["meta"]["year"] == 2000]
    alone = attention_rows(only_2000, ["year"], domains=DOMAINS, n_boot=300)
    assert alone == [r for r in a if r["year"] == 2000]


def test_clustered_bootstrap_draws_documents_then_paragraphs():
    counts = np.concatenate(list(replicate_counts([3, 5, 2], 64, group_rng(0, "k"))))
    assert counts.shape == (64, 10) and (counts.sum(axis=1) > 0).all()
    per_doc = np.stack([counts[:, :3].sum(1) / 3, counts[:, 3:8].sum(1) / 5, counts[:, 8:].sum(1) / 2], 1)
    assert np.allclose(per_doc, np.round(per_doc))  # whole copies of documents
    assert (per_doc.sum(axis=1) == 3).all()  # as many document draws as documents
    lo, hi = percentile_interval(np.array([[np.nan], [np.nan]]))
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_interval_coverage_by_simulation():
    """95 % intervals of the primary share cover the true share about 95 % of the time."""
    rng = np.random.default_rng(2024)
    p = np.array([0.25, 0.15, 0.60])
    hits = Counter()
    sims = 150
    for s in range(sims):
        rows = _rows([(f"s{s}", 10, DOMAINS[d], [DOMAINS[d]])
                      for d in rng.choice(3, size=200, p=p)])
        t = attention_rows(rows, [], domains=DOMAINS, n_boot=200, seed=s, scopes=["all"])
        for k, d in enumerate(DOMAINS):
            r = _value(t, measure="primary", domain=d)
            hits[d] += r["lo"] <= p[k] <= r["hi"]
    coverage = sum(hits.values()) / (3 * sims)
    assert 0.90 <= coverage <= 0.99, hits


def test_adjusted_shares_undo_a_known_confusion():
    C = np.array([[0.8, 0.1, 0.1], [0.05, 0.9, 0.05], [0.15, 0.05, 0.8]])
    p = np.array([0.1, 0.3, 0.6])
    q = C.T @ p
    assert np.allclose(adjusted_shares(q, C), p, atol=1e-6)
    assert np.allclose(adjusted_shares(q * 250, C), p, atol=1e-6)  # counts work too
    out = adjusted_shares(np.array([0.0, 0.0, 1.0]), C)  # would be negative unconstrained
    assert (out >= 0).all() and out.sum() == pytest.approx(1.0)
    assert np.isnan(adjusted_shares(np.zeros(3), C)).all()
    assert adjusted_shares(np.array([[0.2, 0.3, 0.5], [0, 0, 0]]), np.eye(3)).shape == (2, 3)
    with pytest.raises(ValueError, match="square"):
        adjusted_shares(q, np.ones((3, 2)))


def test_confusion_from_predictions_and_table_alignment():
    gold = ["employment"] * 4 + ["other"] * 6
    pred = ["employment"] * 3 + ["other"] + ["other"] * 4 + ["employment"] * 2
    C = confusion_from_predictions(gold, pred, DOMAINS, prior=0.0)
    assert C[0].tolist() == [0.75, 0.0, 0.25] and C[2].tolist() == pytest.approx([1 / 3, 0, 2 / 3])
    assert C[1].tolist() == [0, 1, 0]  # no health examples: trusted as predicted
    rows = _rows([("a", 5, d, [d]) for d in pred])
    t = attention_rows(rows, [], domains=DOMAINS, n_boot=100, confusion=C[::-1, ::-1],
                       confusion_ids=DOMAINS[::-1])
    adj = {r["domain"]: r["value"] for r in t if r["measure"] == "adjusted" and r["scope"] == "all"}
    assert adj == pytest.approx(dict(zip(DOMAINS, adjusted_shares(np.array([5, 0, 5]), C))))
    liv = [r for r in t if r["measure"] == "adjusted" and r["scope"] == "livelihood"]
    assert {r["domain"] for r in liv} == {"employment", "health"}
    with pytest.raises(ValueError, match="no rows for domains"):
        attention_rows(rows, [], domains=DOMAINS, confusion=np.eye(2), confusion_ids=DOMAINS[:2])


def test_log_odds_prefers_distinctive_words():
    counts = {"employment": Counter({"发展": 50, "就业": 30, "岗位": 12, "一次": 1}),
              "health": Counter({"发展": 60, "医疗": 25, "医院": 10})}
    terms = log_odds_terms(counts)
    assert [w for w, _, _ in terms["employment"][:2]] == ["就业", "岗位"]
    assert "发展" not in [w for w, z, _ in terms["employment"] if z > 0]
    assert "一次" not in [w for w, _, _ in terms["employment"]]  # below min_count


def test_a_share_of_zero_gets_the_exact_upper_bound():
    rows = _rows([("a", 10, "employment", ["employment"])] * 30 + [("a", 10, "other", ["other"])] * 10)
    t = attention_rows(rows, [], domains=DOMAINS, n_boot=100, scopes=["all"])
    health = _value(t, measure="primary", domain="health")
    assert health["value"] == 0 and health["lo"] == 0
    assert health["hi"] == pytest.approx(1 - 0.025 ** (1 / 40))  # not the degenerate [0, 0]
    assert _value(t, measure="expected", domain="health")["hi"] > 0
