"""--resume: a run killed with SIGKILL mid-way resumes to the uninterrupted outputs."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from pipeline.run.runner import PAUSE_ENV, PAUSE_MARKER, run_from_config
from test_run_support import DEFAULT_CFG, REPO, make_corpus, overrides, read_outputs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("resume-corpus"))


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    return run_from_config(DEFAULT_CFG, overrides(corpus, tmp_path_factory.mktemp("ref")))


def _argv(ov: dict[str, str]) -> list[str]:
    args = [sys.executable, "-m", "pipeline", "run", str(DEFAULT_CFG)]
    for key, value in ov.items():
        args += [f"--{key}", value]
    return args


def _kill_after(ov: dict[str, str], parts: int) -> None:
    """Start a real run, wait until it has stored *parts* parts, then SIGKILL it."""
    env = dict(os.environ, **{PAUSE_ENV: str(parts)})
    proc = subprocess.Popen(_argv(ov), cwd=REPO, env=env, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        seen = []
        for line in proc.stderr:  # the hook announces the pause, then sleeps
            seen.append(line)
            if PAUSE_MARKER in line or time.monotonic() > deadline:
                break
        assert any(PAUSE_MARKER in s for s in seen), "".join(seen)[-3000:]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()


@pytest.mark.slow
def test_kill_9_then_resume_gives_identical_outputs(corpus, reference, tmp_path):
    out = tmp_path / "killed"
    ov = overrides(corpus, out)
    _kill_after(ov, parts=3)
    stored = list((out / ".minsheng-state" / "parts").glob("*.json"))
    assert len(stored) == 3
    assert not (out / "paragraphs.jsonl").exists(), "outputs written before the run finished"

    resumed = run_from_config(DEFAULT_CFG, ov, resume=True)
    assert read_outputs(resumed.output_dir) == read_outputs(reference.output_dir)
    counts = resumed.manifest["counts"]
    assert counts["parts_reused"] == 3
    assert counts["parts_processed"] == reference.manifest["counts"]["parts_processed"] - 3


def test_resume_skips_unchanged_and_redoes_changed_documents(corpus, reference, tmp_path):
    import shutil

    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy)
    ov = overrides(copy, tmp_path / "out")
    first = run_from_config(DEFAULT_CFG, ov)
    total = first.manifest["counts"]["parts_processed"]
    again = run_from_config(DEFAULT_CFG, ov, resume=True)
    assert again.manifest["counts"]["parts_reused"] == total
    assert again.manifest["counts"]["parts_processed"] == 0
    assert read_outputs(again.output_dir) == read_outputs(first.output_dir)

    path = copy / "news_briefs.jsonl"
    lines = path.read_text("utf-8").splitlines()
    last = json.loads(lines[-1])
    last["text"] += "另外，全市新增公办幼儿园学位两千个。"
    path.write_text("\n".join(lines[:-1] + [json.dumps(last, ensure_ascii=False)]) + "\n",
                    encoding="utf-8")  # change one record: each record is its own document
    changed = run_from_config(DEFAULT_CFG, ov, resume=True)
    assert changed.manifest["counts"]["parts_processed"] == 1  # only that document
    rows = [json.loads(x) for x in (changed.output_dir / "paragraphs.jsonl").read_text("utf-8").splitlines()]
    assert sum(r["doc_id"].startswith("news_briefs.jsonl/") for r in rows) == len(lines)
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # drop that record
    dropped = run_from_config(DEFAULT_CFG, ov, resume=True)
    assert dropped.manifest["counts"]["parts_processed"] == 0
    rows = [json.loads(x) for x in (dropped.output_dir / "paragraphs.jsonl").read_text("utf-8").splitlines()]
    assert sum(r["doc_id"].startswith("news_briefs.jsonl/") for r in rows) == len(lines) - 1


def test_run_without_resume_recomputes_everything(corpus, reference, tmp_path):
    ov = overrides(corpus, tmp_path / "o")
    run_from_config(DEFAULT_CFG, ov)
    fresh = run_from_config(DEFAULT_CFG, ov, resume=False)
    assert fresh.manifest["counts"]["parts_reused"] == 0
    assert read_outputs(fresh.output_dir) == read_outputs(reference.output_dir)


def test_resume_redoes_everything_when_the_model_changes(corpus, tmp_path, monkeypatch):
    from pipeline.run import runner

    ov = overrides(corpus, tmp_path / "o")
    first = run_from_config(DEFAULT_CFG, ov)
    total = first.manifest["counts"]["parts_processed"]
    monkeypatch.setattr(runner, "model_fingerprint", lambda nlp: "another-model")
    changed = run_from_config(DEFAULT_CFG, ov, resume=True)
    assert changed.manifest["counts"]["parts_reused"] == 0
    assert changed.manifest["counts"]["parts_processed"] == total
