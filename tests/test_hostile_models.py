"""Hostile models: nothing is unpickled that models/MANIFEST does not vouch for, and a
broken model stops every load path with one line (never a fallback pipeline).

Every test damages a private copy of ``models/`` (``$MINSHENG_MODELS``), never the real one.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from pipeline import assets
from pipeline.domains.artifact import load_domain_model
from pipeline.errors import ModelError

REPO = Path(__file__).resolve().parents[1]


class _Evil:
    """A pickle that runs code when loaded: it creates the file named in its argument."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _plant_code_running_pickle(models_root: Path, marker: Path) -> None:
    """Replace model.joblib by a code-running pickle and re-sign meta.json to match it
    (what an attacker who can write the folder does); MANIFEST stays as shipped."""
    folder = models_root / "domains"
    (folder / "model.joblib").write_bytes(pickle.dumps(_Evil(marker)))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["files"]["model.joblib"] = assets.sha256_file(folder / "model.joblib")
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _flip_byte(path: Path, at: int = 1000) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def _run_cli(tmp_path: Path, models_root: Path) -> subprocess.CompletedProcess:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text("加强养老服务体系建设。", encoding="utf-8")
    env = dict(os.environ, MINSHENG_MODELS=str(models_root), PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "pipeline", "run", str(REPO / "pipeline/configs/default.cfg"),
                           "--paths.corpus", str(corpus), "--paths.output", str(tmp_path / "out"),
                           "--run.n_process", "1", "--run.progress", "off"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)


def test_resigned_code_running_pickle_is_never_unpickled(models_copy, tmp_path):
    marker = tmp_path / "pwned"
    _plant_code_running_pickle(models_copy, marker)
    with pytest.raises(ModelError, match=r"domains/(meta\.json|model\.joblib) is [0-9a-f]{64}, MANIFEST says [0-9a-f]{64}"):
        load_domain_model()
    with pytest.raises(ModelError, match="MANIFEST"):
        load_domain_model(models_copy / "domains")
    with pytest.raises(ModelError, match="MANIFEST"):
        pipeline.load()
    assert not marker.exists(), "the pickle ran"


def test_run_with_resigned_pickle_exits_nonzero_with_one_line(models_copy, tmp_path):
    marker = tmp_path / "pwned"
    _plant_code_running_pickle(models_copy, marker)
    proc = _run_cli(tmp_path, models_copy)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("minsheng: error:"), proc.stderr[-2000:]
    assert "domains/" in lines[0] and "git checkout" in lines[0]
    assert not marker.exists()
    assert not (tmp_path / "out" / "paragraphs.jsonl").exists()


@pytest.mark.parametrize("rel", ["domains/model.joblib", "nlp/tok2vec/model"])
def test_flipped_byte_is_an_error_not_a_fallback(models_copy, tmp_path, rel):
    _flip_byte(models_copy / rel)
    proc = _run_cli(tmp_path, models_copy)
    assert proc.returncode != 0, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and Path(rel).name in lines[0] and "MANIFEST says" in lines[0], proc.stderr
    assert not (tmp_path / "out" / "documents.csv").exists()


def test_pipeline_folder_inside_models_is_checked_even_by_path(models_copy):
    _flip_byte(models_copy / "nlp" / "tok2vec" / "model")
    with pytest.raises(ModelError, match="tok2vec/model"):
        pipeline.load(models_copy / "nlp", domains=False)


def test_unlisted_file_in_a_model_folder_is_refused(models_copy):
    (models_copy / "domains" / "extra.joblib").write_bytes(b"not listed")
    with pytest.raises(ModelError, match="extra.joblib is not listed in MANIFEST"):
        load_domain_model()


def test_folder_in_models_without_an_entry_is_refused(models_copy):
    shutil.copytree(models_copy / "domains", models_copy / "mine")
    with pytest.raises(ModelError, match="no entry of .*MANIFEST describes it"):
        load_domain_model(models_copy / "mine")


def test_own_artifact_outside_models_is_checked_against_its_meta(models_copy, tmp_path):
    own = tmp_path / "own"
    shutil.copytree(models_copy / "domains", own)
    assert load_domain_model(own) is not None  # outside models/: meta.json decides
    _flip_byte(own / "model.joblib")
    with pytest.raises(ModelError, match="meta.json says"):
        load_domain_model(own)
