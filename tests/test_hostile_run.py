"""Hostile runs (issue 13): the hostile folder end to end, one run per output folder,
outputs published together, workers that die with the driver, config mistakes that stop."""
from __future__ import annotations

import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hostile.make_hostile import build
from pipeline.errors import MinshengError
from pipeline.run import lock
from pipeline.run.outputs import cell
from pipeline.run.runner import PAUSE_ENV, PAUSE_MARKER, PAUSE_WRITE_ENV
from test_run_support import DEFAULT_CFG, REPO, make_corpus, overrides


def _argv(ov: dict[str, str]) -> list[str]:
    args = [sys.executable, "-m", "pipeline", "run", str(DEFAULT_CFG)]
    for key, value in ov.items():
        args += [f"--{key}", value]
    return args


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), **extra)


@pytest.mark.slow
def test_hostile_folder_end_to_end(tmp_path):
    corpus = tmp_path / "hostile"
    expect = build(corpus)
    out = tmp_path / "out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ov = overrides(corpus, out, **{"run.n_process": "2", "corpus.unit": "file"})  # a row a file
    proc = subprocess.run(_argv(ov), cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=900)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / "documents.csv", encoding="utf-8", newline="") as fh:
        docs = list(csv.DictReader(fh))
    by_id = {r["doc_id"].removeprefix("'"): r for r in docs}
    assert len(docs) == len(expect) and sorted(by_id) == sorted(expect)
    rows = [json.loads(line) for line in (out / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in rows]
    for doc_id, exp in expect.items():
        row = by_id[doc_id]
        assert row["status"] == exp.status, (doc_id, row)
        said = row["reason"] + " ".join(r["reason"] or "" for r in rows if r["doc_id"] == doc_id)
        assert exp.reason_has in said, (doc_id, said)
        if exp.status != "ok":
            assert row["reason"], doc_id
        for good in exp.good:
            assert texts.count(good) == 1, (doc_id, good[:40])
    assert all(r["status"] == "ok" for r in rows), [r for r in rows if r["status"] != "ok"][:2]
    assert by_id['=HYPERLINK("https:example.com","x").txt']["doc_id"].startswith("'=")
    assert lock.check_outputs(out)
    errors = json.loads((out / "run.json").read_text(encoding="utf-8"))["errors"]
    assert any(e["doc_id"] == "one_broken_line.jsonl" and "line 4" in e["reason"] for e in errors)
    if before < peak_mb * 1024:  # this child was the largest so far: its peak is measured
        assert peak_mb < 1500, f"peak RSS {peak_mb:.0f} MB"


def test_formula_cells_are_escaped():
    assert [cell(v) for v in ("=1+1", "+x", "-x", "@x", "ok", None, 3)] == \
        ["'=1+1", "'+x", "'-x", "'@x", "ok", "", 3]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("lock-corpus"))


def _paused_run(ov: dict[str, str], parts: int = 1, env: dict[str, str] | None = None
                ) -> subprocess.Popen:
    """A real run that stops (sleeps) after storing *parts* parts, holding its folder."""
    proc = subprocess.Popen(_argv(ov), cwd=REPO, env=_env(**(env or {PAUSE_ENV: str(parts)})),
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if PAUSE_MARKER in line:
            return proc
    proc.wait()
    raise AssertionError("".join(seen)[-3000:])


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the run's whole process group (its workers too, even after the driver died)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)
    proc.stderr.close()


def test_second_run_into_a_held_folder_refuses_at_once(corpus, tmp_path):
    out = tmp_path / "out"
    first = _paused_run(overrides(corpus, out))
    try:
        t0 = time.monotonic()
        second = subprocess.run(_argv(overrides(corpus, out)), cwd=REPO, env=_env(),
                                capture_output=True, text=True, timeout=300)
        assert second.returncode != 0
        lines = [ln for ln in second.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "in use by another minsheng run" in lines[0]
        assert str(out) in lines[0] and f"pid {first.pid}" in lines[0]
        assert time.monotonic() - t0 < 120  # refused before loading or processing anything
    finally:
        _kill(first)
    # the kernel dropped the dead run's lock: the folder is free again
    with lock.hold(out):
        pass


def test_kill_during_a_run_leaves_no_run_json_and_check_outputs_says_so(corpus, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(_argv(overrides(corpus, out)), cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert lock.check_outputs(out)
    (out / "documents.csv").write_text("doc_id\nother run\n", encoding="utf-8")  # a mixed folder
    with pytest.raises(MinshengError, match="documents.csv does not belong"):
        lock.check_outputs(out)
    lock.unpublish(out, ["paragraphs.jsonl"])
    with pytest.raises(MinshengError, match="did not finish"):
        lock.check_outputs(out)
    again = subprocess.run(_argv(overrides(corpus, out)), cwd=REPO, env=_env(),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and lock.check_outputs(out)


def test_kill_in_the_write_phase_leaves_no_run_json_beside_new_files(corpus, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(_argv(overrides(corpus, out)), cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and (out / "run.json").exists()
    (corpus / "zz_new.txt").write_text("新增的养老服务段落。", encoding="utf-8")
    try:
        proc = _paused_run(overrides(corpus, out), env={PAUSE_WRITE_ENV: "1"})
        _kill(proc)
        assert "zz_new.txt" in (out / "paragraphs.jsonl").read_text(encoding="utf-8")
        assert not (out / "run.json").exists() and not (out / "documents.csv").exists()
        with pytest.raises(MinshengError, match="did not finish"):
            lock.check_outputs(out)
    finally:
        (corpus / "zz_new.txt").unlink()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_pool_workers_die_with_a_killed_driver(corpus, tmp_path):
    proc = _paused_run(overrides(corpus, tmp_path / "out", **{"run.n_process": "2"}))
    try:
        workers = _children(proc.pid)
        assert len(workers) >= 2, workers
        os.kill(proc.pid, signal.SIGKILL)  # the driver only, not its process group
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        alive = workers
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [w for w in workers if Path(f"/proc/{w}").exists()
                     and "Z" not in (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[:1])]
        assert not alive, f"workers {alive} outlived the driver"
    finally:
        _kill(proc)


@pytest.mark.parametrize("extra, message", [
    ({"corpus.glob": "/etc/*"}, "corpus glob"),
    ({"corpus.options.max_bytes": "abc"}, "max_bytes"),
    ({"paths.output": "/proc/minsheng-cannot/x"}, "Cannot create the output folder"),
])
def test_config_mistakes_stop_with_one_line(corpus, tmp_path, extra, message):
    ov = overrides(corpus, tmp_path / "out")
    ov.update(extra)
    proc = subprocess.run(_argv(ov), cwd=REPO, env=_env(), capture_output=True, text=True,
                          timeout=600)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], proc.stderr[-2000:]


def test_output_folder_inside_the_corpus_is_not_read_back(corpus, tmp_path):
    import shutil

    from pipeline.run.runner import run_from_config

    inner = tmp_path / "corpus"
    shutil.copytree(corpus, inner)
    first = run_from_config(DEFAULT_CFG, overrides(inner, inner / "runs" / "x"))
    second = run_from_config(DEFAULT_CFG, overrides(inner, inner / "runs" / "x"))
    assert first.manifest["counts"]["documents"] == second.manifest["counts"]["documents"]
    assert not any(i["id"].startswith("runs/") for i in second.manifest["inputs"])
    assert any("inside the corpus folder" in w for w in second.manifest["warnings"])


@pytest.mark.parametrize("data, message", [(b"", "has no records"),
                                           (b'{"id": 1, "text": "\xff"}\n', "is not UTF-8 (byte 19")])
def test_classify_input_it_cannot_use_is_one_line(tmp_path, capsys, data, message):
    from pipeline.cli import main

    (tmp_path / "in.jsonl").write_bytes(data)
    assert main(["classify", str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "out.jsonl").exists()
