"""The livelihood_domains component, one inference path, and the CLI domain tasks."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.bridge import add_to_pipeline
from pipeline.domains import DomainClassifier, load_domain_model, save_domain_model
from pipeline.errors import ModelError

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "models" / "domains"


@pytest.fixture(scope="module")
def toy_dir(tmp_path_factory) -> Path:
    from tests.test_domains import _toy_model
    return save_domain_model(_toy_model(), tmp_path_factory.mktemp("m") / "toy")


def _doc(words, tags=None) -> Doc:
    doc = Doc(spacy.blank("zh").vocab, words=words)
    for tok, tag in zip(doc, tags or []):
        tok.tag_ = tag
    return doc


def test_component_writes_cats_domain_domains_topic(toy_dir):
    nlp = spacy.blank("zh")
    pipe = add_to_pipeline(nlp, toy_dir)
    doc = pipe(_doc(["教育", "学校", "教师"], ["vn", "n", "n"]))
    assert doc._.domain == "education" and doc._.domains[0] == "education"
    assert set(doc.cats) == set(pipe.classifier.classes_)
    assert doc._.domain_status == "ok" and set(doc._.domain_topic) == {"nmf", "lda"}
    assert pipe(_doc([" "]))._.domain_status == "empty"


def test_component_equals_classifier_on_terms(toy_dir):
    nlp = spacy.blank("zh")
    pipe = add_to_pipeline(nlp, toy_dir)
    words, tags = ["发展", "养老", "服务", "学校"], ["v", "vn", "vn", "n"]
    doc = pipe(_doc(words, tags))
    res = pipe.classifier.classify([pipe.classifier.featurizer_.terms(words, tags)])[0]
    assert (doc.cats, doc._.domain, doc._.domains) == (res["cats"], res["domain"], res["domains"])


def test_component_to_disk_embeds_a_trained_model(toy_dir, tmp_path):
    nlp = spacy.blank("zh")
    add_to_pipeline(nlp, toy_dir)
    nlp.to_disk(tmp_path / "p")
    assert (tmp_path / "p" / "livelihood_domains" / "model" / "model.joblib").exists()
    again = spacy.load(tmp_path / "p")
    d = _doc(["教育", "学校"], ["n", "n"])
    assert again.get_pipe("livelihood_domains")(d).cats == nlp.get_pipe("livelihood_domains")(
        _doc(["教育", "学校"], ["n", "n"])).cats


def test_component_without_model_says_how_to_fix():
    nlp = spacy.blank("zh")
    pipe = nlp.add_pipe("livelihood_domains", config={"model": None})
    with pytest.raises(ModelError, match="initialize"):
        pipe(_doc(["教育"]))


def test_classify_jsonl_every_line_gets_output(tmp_path):
    from pipeline.tasks.classify import classify_jsonl
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text('{"id": 1, "text": "加快发展养老服务，建设社区养老服务中心。"}\n'
                   '{"id": 2, "text": ""}\nnot json\n{"id": 4, "text": 5}\n', encoding="utf-8")
    counts = classify_jsonl(inp, out, None, "text", "id")
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in rows] == ["ok", "empty", "invalid_json", "invalid_text"]
    assert rows[0]["domain"] == "elderly_care"
    assert counts == {"empty": 1, "invalid_json": 1, "invalid_text": 1, "ok": 1}
    first = out.read_bytes()
    classify_jsonl(inp, out, None, "text", "id")
    assert out.read_bytes() == first


def test_raw_text_predict_uses_the_shipped_pipeline():
    clf = load_domain_model()
    assert list(clf.predict(["今年我市将大力发展养老服务，建设社区养老服务中心，提高老年人生活质量。"])) \
        == ["elderly_care"]
    assert clf.classify(["   "])[0]["status"] == "empty"


def test_pipeline_load_is_the_saved_pipeline_with_domains():
    import pipeline
    nlp = pipeline.load()
    assert nlp.pipe_names[-1] == "livelihood_domains"
    assert "livelihood_domains" in spacy.load(REPO / "models" / "nlp").pipe_names
    assert "livelihood_domains" not in pipeline.load(domains=False).pipe_names


# ----------------------------------------------------------------- one inference path
def _paragraphs(shared: Path | None) -> list[dict]:
    rows = [json.loads(x) for x in (REPO / "corpus" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip()]
    if shared is not None:
        path = shared / "data" / "labeled" / "livelihood_dev.jsonl"
        rows += [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [{"id": f"r{i}", "text": r["text"]} for i, r in enumerate(rows)]


@pytest.mark.slow
def test_one_inference_path(tmp_path, request):
    """classify, evaluate's classifier, run, pipeline.load(), spacy.load and raw-text
    predict give identical domain, domains and cats on every paragraph."""
    import pipeline
    from pipeline.run.runner import run_from_config
    from pipeline.tasks.classify import classify_jsonl

    try:
        shared = request.getfixturevalue("shared_dir")
    except pytest.skip.Exception:
        shared = None
    paras = _paragraphs(shared)
    texts = [p["text"] for p in paras]
    clf = load_domain_model()
    want = [(r["domain"], r["domains"], r["cats"]) for r in clf.classify(texts)]
    assert list(clf.predict(texts)) == [w[0] for w in want]
    for nlp in (pipeline.load(), spacy.load(REPO / "models" / "nlp")):
        got = [(d._.domain, d._.domains, d.cats) for d in nlp.pipe(texts, batch_size=64)]
        assert got == want
    inp = tmp_path / "corpus" / "paras.jsonl"
    inp.parent.mkdir()
    inp.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in paras), encoding="utf-8")
    classify_jsonl(inp, tmp_path / "out.jsonl", None, "text", "id")
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["domain"], r["domains"], r["cats"]) for r in rows] == want
    run_from_config(REPO / "pipeline" / "configs" / "default.cfg",
                    {"paths.corpus": str(inp.parent), "paths.output": str(tmp_path / "run"),
                     "output.report": "false", "output.parquet": "false", "run.n_process": "1"})
    by_record = {}
    for line in (tmp_path / "run" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        by_record.setdefault(r["record_id"], []).append(r)
    for p, w in zip(paras, want):
        rows = by_record[p["id"]]
        if len(rows) == 1:  # the reader kept the record as one paragraph
            assert (rows[0]["domain"], rows[0]["domains"], rows[0]["cats"]) == w, p["text"][:40]


# ------------------------------------------------------------------------ seed page
def _voices(page: str) -> list[list[str]]:
    """Test-only reading of the seed page's four voices: body paragraphs after each □ byline."""
    paras = [p.strip() for p in page.split("【基层声音】", 1)[1].split("\n\n") if p.strip()]
    bylines = [i for i, p in enumerate(paras) if p.startswith("□")]
    return [paras[b + 1:(bylines[n + 1] - 1 if n + 1 < len(bylines) else len(paras))]
            for n, b in enumerate(bylines)]


@pytest.mark.shared
def test_seed_page_voices_paragraph_by_paragraph(seed_page):
    """Through pipeline.load(), the body paragraphs of the four voices get their voice's
    domain: education; employment or social_security; social_assistance; disability.

    The goal is all 12; the shipped model gets 11: education, 人社 and 民政 all right, 残联
    two of three (its third, on jobs for disabled people after a generic opening, reads as
    ``other``, then employment).  This test holds the line at 11 and names the miss."""
    import pipeline
    from pipeline.reading import read_document

    doc = read_document(seed_page)
    text = "\n\n".join(p.text for p in doc.paragraphs)
    voices = _voices(text)
    assert len(voices) == 4
    expected = [{"education"}, {"employment", "social_security"}, {"social_assistance"}, {"disability"}]
    nlp = pipeline.load()
    misses = []
    for body, ok in zip(voices, expected):
        for text, doc in zip(body, nlp.pipe(body)):
            if doc._.domain not in ok:
                misses.append((sorted(ok), doc._.domain, text[:30]))
    assert sum(len(b) for b in voices) == 12
    assert all(d._.domain == "education" for d in nlp.pipe(voices[0]))
    assert len(misses) <= 1, misses


# --------------------------------------------------------------------- acceptance
@pytest.mark.shared
def test_shipped_model_meets_issue_targets(shared_dir):
    """The recorded 5-fold CV and message scores of the shipped model, and dev recomputed.

    The issue's targets (primary 0.92, livelihood F1 0.90, label micro 0.85, macro 0.78,
    messages 0.78) and primary recall >= 0.60 for every domain with >= 5 dev primaries."""
    from pipeline.domains.metrics import score
    from pipeline.tasks.domain_config import read_labeled

    clf = load_domain_model()
    sc = clf.meta_["scores"]
    rows = read_labeled(shared_dir / "data" / "labeled" / "livelihood_dev.jsonl")
    res = clf.classify([r["text"] for r in rows])
    dev = score([r["primary"] for r in rows], [r["labels"] for r in rows],
                [r["domain"] for r in res], [r["domains"] for r in res], list(clf.classes_), "other")
    assert dev["primary_accuracy"] == pytest.approx(sc["dev"]["primary_accuracy"], abs=1e-4)
    cv = sc["cv5"]
    assert cv["primary_accuracy"] >= 0.92 and cv["livelihood_f1"] >= 0.90
    assert cv["label_micro_f1"] >= 0.85 and cv["label_macro_f1"] >= 0.78
    assert sc["messages"]["primary_accuracy"] >= 0.78
    assert sc["messages"]["primary_accuracy_adapted"] >= 0.85
    recall = {d: v["recall"] for d, v in sc["cv5_primary_recall"].items() if v["n"] >= 5}
    assert {d: r for d, r in recall.items() if r < 0.60} == {}
    assert clf.meta_["confusion"]["ids"] == list(clf.classes_)


def test_classify_jsonl_hostile_rows(tmp_path):
    """A lone surrogate, a 3,000,000-character row and non-string text: a row each, no crash."""
    from pipeline.tasks.classify import classify_jsonl
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    long_text = "加快发展养老服务，建设社区养老服务中心。" * 150_000
    lines = ['{"id": "s\\ud800", "text": "养老\\ud800服务"}',
             json.dumps({"id": "long", "text": long_text}, ensure_ascii=False),
             '{"id": "n", "text": 12}', '{"id": "l", "text": ["养老"]}']
    inp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(long_text) == 3_000_000
    classify_jsonl(inp, out, None, "text", "id")
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in rows] == ["ok", "ok", "invalid_text", "invalid_text"]
    assert rows[0]["id"] == "s\ud800" and rows[1]["domain"] == "elderly_care"
    assert "not a string" in rows[2]["reason"]


def test_classify_cli_adapt_priors(tmp_path):
    """--adapt-priors re-estimates the livelihood prior on the file (here: all livelihood text)."""
    from pipeline.cli import main
    inp = tmp_path / "in.jsonl"
    texts = ["失业保险金怎么领取？", "孩子上学难，学位不够。", "小区垃圾分类没人管。", "看病挂号太难了。"]
    inp.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                           for i, t in enumerate(texts)), encoding="utf-8")
    assert main(["classify", str(inp), str(tmp_path / "a.jsonl")]) == 0
    assert main(["classify", str(inp), str(tmp_path / "b.jsonl"), "--adapt-priors"]) == 0
    plain = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    adapted = [json.loads(x) for x in (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(b["cats"]["other"] <= a["cats"]["other"] for a, b in zip(plain, adapted))
    assert any(b["cats"]["other"] < a["cats"]["other"] for a, b in zip(plain, adapted))


def test_scores_do_not_depend_on_the_batch():
    """The component classifies MIN_BATCH Docs at a time; each Doc gets what it gets alone."""
    import pipeline
    from pipeline.bridge import MIN_BATCH

    text = (REPO / "corpus" / "docs" / "county_work_report.txt").read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n") if len(p.strip()) >= 10]
    texts = (paras * (MIN_BATCH // len(paras) + 2))[:MIN_BATCH + 7]
    nlp = pipeline.load()
    pipe = nlp.get_pipe("livelihood_domains")
    docs = list(nlp.pipe(texts, batch_size=16, disable=["livelihood_domains"]))
    together = [(d.cats, d._.domains, d._.domain_topic) for d in pipe.pipe([d.copy() for d in docs])]
    alone = [(d.cats, d._.domains, d._.domain_topic)
             for doc in docs[:len(paras)] + docs[-3:] for d in pipe._score([doc.copy()])]
    assert together[:len(paras)] + together[-3:] == alone


def test_nlp_pipe_hands_the_domain_step_whole_batches():
    """nlp.pipe(batch_size=16) still gives the domain step MIN_BATCH Docs per classifier
    call (spaCy's batches stay 16 for the other components)."""
    import pipeline
    from pipeline.bridge import MIN_BATCH

    text = (REPO / "corpus" / "docs" / "county_work_report.txt").read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n") if len(p.strip()) >= 10]
    texts = (paras * (2 * MIN_BATCH // len(paras) + 2))[:2 * MIN_BATCH + 5]
    nlp = pipeline.load()
    pipe = nlp.get_pipe("livelihood_domains")
    sizes, score = [], pipe._score
    pipe._score = lambda docs: (sizes.append(len(docs)), score(docs))[1]
    try:
        assert len(list(nlp.pipe(texts, batch_size=16))) == len(texts)
    finally:
        del pipe._score
    assert sizes == [MIN_BATCH, MIN_BATCH, 5]


def test_two_processes_with_domains_equal_one():
    """Workers get min_batch texts at a time (the domain step's batch); Docs equal n_process=1."""
    import pipeline

    text = (REPO / "corpus" / "docs" / "county_work_report.txt").read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    nlp = pipeline.load()
    texts = (paras * (3 * nlp.get_pipe("livelihood_domains").min_batch // len(paras) + 1))
    one = [(d.to_bytes(), d.cats, d._.domains) for d in nlp.pipe(texts, batch_size=16)]
    two = [(d.to_bytes(), d.cats, d._.domains) for d in nlp.pipe(texts, batch_size=16, n_process=2)]
    assert len(two) == len(texts) and one == two


def test_term_ids_path_gives_the_featurizers_terms():
    """The component reads a Doc's terms by (ORTH, TAG) id pairs: the terms of
    ``featurizer.terms`` on the Doc's words and tags, in every featurizer mode; a Doc
    with traditional-only characters takes the words path."""
    import pipeline
    from pipeline.nlp.analysis import doc_ids, doc_tokens

    from pipeline.reading import read_document

    texts = [p.text for path in sorted((REPO / "corpus" / "docs").glob("*.txt"))
             for p in read_document(path).paragraphs]
    texts += [line for line in (REPO / "corpus" / "docs" / "community_newsletter_traditional.txt")
              .read_text(encoding="utf-8").splitlines() if line.strip()]  # as written
    texts += ["", "  ", "Hello world 2024", "养老服务 养老服务", "。。。"]
    nlp = pipeline.load(domains=False)
    featurizer = pipeline.load_domain_model().featurizer_
    docs = list(nlp.pipe(texts))
    assert any(doc_ids(d) is None for d in docs)  # the traditional newsletter
    for params in ({}, {"drop_names": False}, {"pos_filter": False}, {"bigrams": False}):
        f = featurizer.__class__(**{**featurizer.get_params(), **params}).fit()
        for doc in docs:
            ids = doc_ids(doc)
            if ids is not None:
                words, tags = doc_tokens(doc)
                assert ids[2] == (not "".join(words).strip())
                assert f.terms_from_ids(*ids[:2], doc.vocab.strings) == f.terms(words, tags), doc.text
    untagged = nlp.make_doc("今年我市将大力发展养老服务")
    ids = doc_ids(untagged)
    assert not any(ids[1]) and featurizer.terms_from_ids(*ids[:2], untagged.vocab.strings) == \
        featurizer.terms(*doc_tokens(untagged))
