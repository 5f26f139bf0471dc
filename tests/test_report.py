"""report.html: self-contained, complete, and actually rendered by headless Chromium."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.run.runner import run_from_config
from test_run_support import DEFAULT_CFG, make_corpus, overrides

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    corpus = make_corpus(tmp_path_factory.mktemp("report-corpus"))
    out = tmp_path_factory.mktemp("report-out")
    return run_from_config(DEFAULT_CFG, overrides(corpus, out))


@pytest.fixture(scope="module")
def chromium() -> str:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium); "
                "the report rendering test needs it")


def _chromium(chromium: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def test_report_is_self_contained(result):
    html = result.report_path.read_text("utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "external resource"
    assert "@import" not in html and "url(" not in html


def test_report_has_every_section_and_paragraph(result):
    html = result.report_path.read_text("utf-8")
    for section in ("facts", "distribution", "trend-year", "groups-year", "groups-region",
                    "profiles", "terms", "examples", "documents", "errors"):
        assert f'id="{section}"' in html, section
    rows = [json.loads(x) for x in (result.output_dir / "paragraphs.jsonl").read_text("utf-8").splitlines()]
    assert html.count('class="para kind-') == len(rows)  # a small run lists every paragraph
    assert html.count('class="para example') >= 17  # and examples of every domain it found
    assert 'class="para kind-title nonbody' in html  # non-body blocks greyed
    assert "zz_broken.docx" in html and "unreadable" in html and "empty" in html


def test_report_renders_in_chromium(result, chromium, tmp_path):
    url = result.report_path.resolve().as_uri()
    dom = _chromium(chromium, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert "Corpus domain distribution" in text and "Domain profile per document" in text
    assert "newspaper_page.txt" in text and "county_work_report.txt" in text
    assert "【民生关注】" in text  # the section marker, as a greyed block
    assert text.count("<svg") >= 2
    rows = (result.output_dir / "paragraphs.jsonl").read_text("utf-8").splitlines()
    assert text.count('class="para kind-') == len(rows)
    assert "Attention over year" in text and "Attention by region" in text

    png = tmp_path / "report.png"
    shot = _chromium(chromium, tmp_path, f"--screenshot={png}", "--window-size=1280,2000", url)
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    from matplotlib import image

    pixels = image.imread(str(png))
    assert pixels.shape[0] >= 1000 and pixels.shape[1] >= 1000
    rgb = pixels[..., :3]
    non_white = (rgb < 0.9).any(axis=-1).mean()
    coloured = (rgb.max(axis=-1) - rgb.min(axis=-1) > 0.2).mean()
    assert non_white > 0.01, f"screenshot is blank ({non_white:.4f} non-white)"
    assert coloured > 0.001, "no coloured pixels: charts or paragraph colours did not render"


def test_domain_colours_are_all_distinct():
    from pipeline.domains.taxonomy import load_taxonomy
    from pipeline.run.report import colours

    col = colours(load_taxonomy().ids)
    assert len(col) == 18 and len(set(col.values())) == 18

    def lab(h: str):
        import numpy as np

        rgb = np.array([int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)])
        rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1, 1.08883])
        f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    import itertools

    import numpy as np

    gaps = [float(np.linalg.norm(lab(a) - lab(b))) for a, b in itertools.combinations(col.values(), 2)]
    assert min(gaps) > 15, f"two domain colours are only {min(gaps):.1f} CIELAB units apart"


def test_report_stays_small_for_100k_paragraphs():
    """100,000 synthetic paragraphs through the report writer: ≤ 3 MB, trend still drawn."""
    from types import SimpleNamespace

    from pipeline.domains.taxonomy import load_taxonomy
    from pipeline.run.outputs import document_rows
    from pipeline.run.report import render_report
    from pipeline.shares import attention_rows

    ids = load_taxonomy().ids
    rng = __import__("numpy").random.default_rng(0)
    docs, prows = [], []
    for k in range(500):
        doc = SimpleNamespace(id=f"report-{k:04d}.txt", source="x", format="txt", encoding="utf-8",
                              status="ok", reason=None, sha256="0" * 64, paragraphs=(),
                              meta={"year": 1950 + k % 70, "region": f"r{k % 30}"})
        docs.append(doc)
        for i, d in enumerate(rng.choice(len(ids), size=200)):
            cats = {x: round(0.9 if x == ids[d] else 0.1 / 17, 4) for x in ids}
            prows.append({"doc_id": doc.id, "para_id": f"{doc.id}#p{i}", "record_id": None,
                          "meta": doc.meta, "kind": "body", "role": "", "text": "推进民生工作。" * 12,
                          "start": 0, "end": 84, "status": "ok", "reason": None, "domain": ids[d],
                          "domains": [ids[d]], "cats": cats, "score": 0.9, "low_confidence": False})
    assert len(prows) == 100_000
    arows = [{"by": "year", **r} for r in attention_rows(prows, ["year"], domains=ids, n_boot=20)]
    manifest = {"config": {"paths": {"corpus": "synthetic"}}, "counts": {}, "errors": []}
    html = render_report(manifest=manifest, docs=docs, prows=prows,
                         drows=document_rows(docs, prows, ids), domains=ids, attention=arows,
                         groups=[["year"]])
    size = len(html.encode("utf-8"))
    assert size <= 3 * 1024 * 1024, f"report is {size} bytes for 100,000 paragraphs"
    assert 'id="trend-year"' in html and html.count('class="panel"') == 18
    assert html.count('class="para example') <= 6 * 18


def test_distinctive_terms_are_the_domain_models_terms():
    """The report counts what the domain model reads: the model featurizer's phrases are
    one term (最低/生活/保障 -> 最低生活保障), names are left out, and no bigrams."""
    from pipeline.domains import TermFeaturizer
    from pipeline.run.report import corpus_terms

    words, tags = ["申请", "最低", "生活", "保障", "，", "张三", "说", "。"], \
        ["v", "a", "n", "vn", "w", "nr", "v", "w"]
    prows = [{"kind": "body", "domain": "social_assistance", "para_id": f"p{i}"} for i in range(3)] + \
        [{"kind": "body", "domain": "other", "para_id": "q"}]
    tokens = {**{f"p{i}": (words, tags) for i in range(3)}, "q": (["经济", "增长"], ["n", "vn"])}
    model = TermFeaturizer(phrases=["最低生活保障"])
    got = {w for w, _, _ in corpus_terms(prows, tokens, featurizer=model)["social_assistance"]}
    assert "最低生活保障" in got and not {"最低", "保障", "张三", "申请最低生活保障"} & got
    plain = {w for w, _, _ in corpus_terms(prows, tokens)["social_assistance"]}
    assert {"最低", "保障"} <= plain and "最低生活保障" not in plain
    assert model.bigrams  # the model's featurizer itself is left as it was
