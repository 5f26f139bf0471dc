"""The shipped domain classifier is checked at ``pipeline.load()`` and unpickled on first use.

Loading stays cheap (no scikit-learn import) without weakening the rule that a
model is unpickled only after its sha256 matches: a tampered file fails the
load, and a file changed after the load fails the first Doc.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline
from pipeline import bridge
from pipeline.domains import artifact
from pipeline.errors import ModelError

REPO = Path(__file__).resolve().parents[1]
TEXT = "加强养老服务体系建设，提高城乡居民基本医疗保险补助标准。"


def test_names_shared_with_the_artifact_module_agree():
    assert bridge.MODEL_FILE == artifact.MODEL_FILE
    assert bridge.shipped_model_dir() == artifact.default_model_dir()


def test_load_imports_no_scikit_learn_until_the_first_doc():
    code = ("import json, sys, pipeline\n"
            "nlp = pipeline.load()\n"
            "before = 'sklearn' in sys.modules\n"
            f"doc = nlp({TEXT!r})\n"
            "print(json.dumps([before, 'sklearn' in sys.modules, doc._.domain]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300)
    before, after, domain = json.loads(out.stdout.strip().splitlines()[-1])
    assert (before, after) == (False, True)
    assert domain == pipeline.load()(TEXT)._.domain


def test_deferred_classifier_is_the_eagerly_loaded_one():
    nlp = pipeline.load()
    pipe = nlp.get_pipe("livelihood_domains")
    assert pipe._deferred and pipe.source == "default"
    eager = artifact.load_domain_model(None)
    assert pipe.classifier.meta_["files"] == eager.meta_["files"] and not pipe._deferred
    assert list(pipe.classifier.classes_) == list(eager.classes_)


def test_model_changed_after_load_fails_the_first_doc(models_copy):
    nlp = pipeline.load()
    path = models_copy / "domains" / "model.joblib"
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"model\.joblib is [0-9a-f]{64}, MANIFEST says"):
        nlp(TEXT)


def test_meta_resigned_after_load_fails_the_first_doc(models_copy):
    nlp = pipeline.load()
    meta_path = models_copy / "domains" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["schema_version"] = 99
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="meta.json"):
        nlp(TEXT)


def test_workers_are_forked_after_the_classifier_is_loaded():
    from pipeline.nlp import parallel

    if not parallel.fork_available():
        pytest.skip("no fork on this platform")
    nlp = pipeline.load()
    pipe = nlp.get_pipe("livelihood_domains")
    assert pipe._deferred
    parallel.prepare_for_fork(nlp, disable=["livelihood_domains"])
    assert pipe._deferred  # a disabled component is left alone
    docs = list(nlp.pipe([TEXT] * 4, batch_size=1, n_process=2))
    assert not pipe._deferred
    assert [d._.domain for d in docs] == [nlp(TEXT)._.domain] * 4


def test_a_pickled_component_keeps_its_state():
    import pickle

    pipe = pipeline.load().get_pipe("livelihood_domains")
    copy = pickle.loads(pickle.dumps(pipe))
    assert copy._deferred and copy.source == "default"
    assert list(copy.classifier.classes_) == list(pipe.classifier.classes_)
