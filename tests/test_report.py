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
    for section in ("facts", "distribution", "profiles", "terms", "documents", "errors"):
        assert f'id="{section}"' in html
    rows = [json.loads(x) for x in (result.output_dir / "paragraphs.jsonl").read_text("utf-8").splitlines()]
    assert html.count('class="para ') == len(rows)
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
    assert text.count('class="para ') == len(rows)

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
