"""The dask engine on a real two-worker LocalCluster gives the local engine's bytes."""
from __future__ import annotations

import json

import pytest

from pipeline.run.runner import run_from_config
from test_run_support import DEFAULT_CFG, make_corpus, overrides, read_outputs

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as c:
        yield c


@pytest.mark.slow
def test_dask_output_is_byte_identical_to_local(cluster, tmp_path):
    corpus = make_corpus(tmp_path)
    local = run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path / "local"))
    dask = run_from_config(DEFAULT_CFG, overrides(
        corpus, tmp_path / "dask", **{"run.engine": "dask",
                                      "run.scheduler": cluster.scheduler_address}))
    assert read_outputs(dask.output_dir) == read_outputs(local.output_dir)
    manifest = json.loads((dask.output_dir / "run.json").read_text("utf-8"))
    assert manifest["engine"]["engine"] == "dask" and manifest["engine"]["workers"] == 2
    assert manifest["config"]["run"]["scheduler"] == cluster.scheduler_address
    # the work really was spread: both workers processed parts
    parts = dask.output_dir / ".minsheng-state" / "parts"
    pids = {json.loads(p.read_text("utf-8"))["pid"] for p in parts.iterdir()}
    assert len(pids) == 2
    assert (dask.output_dir / "report.html").is_file()


@pytest.mark.slow
def test_workers_with_a_different_model_are_refused(cluster, tmp_path, monkeypatch):
    from pipeline.errors import MinshengError
    from pipeline.run import runner

    monkeypatch.setattr(runner, "model_fingerprint", lambda nlp: "not-the-workers-model")
    corpus = make_corpus(tmp_path)
    with pytest.raises(MinshengError, match="loaded a different model"):
        run_from_config(DEFAULT_CFG, overrides(
            corpus, tmp_path / "dask", **{"run.engine": "dask",
                                          "run.scheduler": cluster.scheduler_address}))
