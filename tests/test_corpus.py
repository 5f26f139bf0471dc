"""The bundled sample corpus: the forms users have, and gold labels that match the reader."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline import read_corpus
from pipeline.domains.taxonomy import load_taxonomy
from test_run_support import CORPUS, REPO

GOLD = REPO / "corpus" / "gold.jsonl"


@pytest.fixture(scope="module")
def docs():
    return {d.id: d for d in read_corpus(CORPUS)}


@pytest.fixture(scope="module")
def gold():
    return [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]


def test_every_document_reads_ok(docs):
    assert len(docs) >= 8
    assert all(d.status == "ok" and d.paragraphs for d in docs.values()), \
        {d.id: d.reason for d in docs.values() if d.status != "ok"}


def test_the_forms_users_have(docs):
    formats = Counter(d.format for d in docs.values())
    assert {"txt", "csv", "docx", "jsonl", "html"} <= set(formats)
    assert any(d.encoding == "gb18030" for d in docs.values())
    assert any(d.is_traditional for d in docs.values())
    page = docs["newspaper_page.txt"]
    kinds = {p.kind for p in page.paragraphs}
    assert {"title", "byline", "section", "body"} <= kinds
    assert any(p.merged_from > 1 for p in page.paragraphs), "page-broken paragraph not present"
    report = docs["county_work_report.txt"]
    assert any(p.role == "salutation" for p in report.paragraphs)
    headings = [p.text for p in report.paragraphs if p.kind == "heading"]
    assert any(h.startswith("一、") for h in headings) and any(h.startswith("（一）") for h in headings)


def test_gold_covers_exactly_the_body_paragraphs(docs, gold):
    body = [p.id for d in docs.values() for p in d.paragraphs if p.kind == "body"]
    ids = [g["id"] for g in gold]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(body)
    analysis = {p.id: p.analysis_text for d in docs.values() for p in d.paragraphs}
    assert all(g["text"] == analysis[g["id"]] for g in gold)


def test_gold_labels_follow_the_taxonomy(gold):
    taxonomy = set(load_taxonomy().ids)
    for g in gold:
        assert g["primary"] in taxonomy, g
        assert g["primary"] in g["labels"] and set(g["labels"]) <= taxonomy, g
        assert g["labels"] == sorted(set(g["labels"])), g


def test_every_domain_is_primary_at_least_twice(gold):
    primary = Counter(g["primary"] for g in gold)
    missing = {d: primary[d] for d in load_taxonomy().ids if primary[d] < 2}
    assert not missing, missing


def test_livelihood_paragraphs_are_realistic_length(docs, gold):
    text = {p.id: p.text for d in docs.values() for p in d.paragraphs}
    for g in gold:
        if g["primary"] != "other":
            assert 60 <= len(text[g["id"]]) <= 250, (g["id"], len(text[g["id"]]))


@pytest.mark.shared
def test_no_sentence_is_copied_from_shared(shared_dir: Path, docs):
    """Original writing: no 16-character run of a corpus paragraph occurs in ../shared."""
    haystack = []
    for path in sorted(shared_dir.rglob("*")):
        if path.is_file() and path.suffix in {".txt", ".jsonl", ".md", ".utf8"}:
            haystack.append(path.read_text("utf-8", errors="ignore"))
    big = "\n".join(haystack)
    for d in docs.values():
        for p in d.paragraphs:
            t = p.analysis_text
            if len(t) < 40:
                continue
            for start in range(0, len(t) - 16, 8):
                assert t[start:start + 16] not in big, (p.id, t[start:start + 16])
