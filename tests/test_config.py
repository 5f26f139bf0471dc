"""Run configs: defaults as data, dotted overrides, one-line errors naming the key."""
from __future__ import annotations

import pytest

from pipeline.cli import main
from pipeline.errors import ConfigError
from pipeline.run.config import DEFAULT_CONFIG, defaults, load_config
from test_run_support import REPO


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch):
    monkeypatch.chdir(REPO)  # default.cfg's relative corpus path


def test_default_config_resolves_with_every_section():
    cfg = load_config(DEFAULT_CONFIG)
    assert set(cfg) == {"paths", "corpus", "nlp", "domains", "run", "output"}
    assert cfg["run"]["engine"] == "local" and cfg["nlp"]["model"] == "default"
    assert cfg == load_config(None)


def test_command_line_overrides_are_typed():
    cfg = load_config(DEFAULT_CONFIG, {"run.engine": "dask", "run.n_process": "3",
                                       "domains.low_confidence": "0.25",
                                       "output.tokens": "true", "paths.output": "runs/2024",
                                       "run.scheduler": "tcp://127.0.0.1:8786",
                                       "corpus.options.text_field": "body"})
    assert cfg["run"]["engine"] == "dask" and cfg["run"]["n_process"] == 3
    assert cfg["domains"]["low_confidence"] == 0.25 and cfg["output"]["tokens"] is True
    assert cfg["paths"]["output"] == "runs/2024"  # stays a string, not a number
    assert cfg["corpus"]["options"] == {"text_field": "body"}


def test_user_config_is_merged_over_defaults_with_variables(tmp_path):
    user = tmp_path / "my.cfg"
    user.write_text('[paths]\ncorpus = "corpus/docs"\noutput = "${paths.corpus}/../../runs/x"\n\n'
                    "[run]\nn_process = 1\n", encoding="utf-8")
    cfg = load_config(user)
    assert cfg["paths"]["output"] == "corpus/docs/../../runs/x"
    assert cfg["run"]["n_process"] == 1
    assert cfg["nlp"]["batch_size"] == defaults()["nlp"]["batch_size"]


@pytest.mark.parametrize("overrides, names", [
    ({"run.engin": "dask"}, ["run.engin", "engine"]),
    ({"run.engine": "spark"}, ["run.engine", "spark", "local", "dask"]),
    ({"run.n_process": "two"}, ["run.n_process", "two", "integer"]),
    ({"output.tokens": "maybe"}, ["output.tokens", "maybe", "true or false"]),
    ({"domains.low_confidence": "1.5"}, ["domains.low_confidence", "1.5"]),
    ({"paths.corpus": "/no/such/folder"}, ["paths.corpus", "/no/such/folder", "Fix"]),
    ({"nlp.model": "/no/such/model"}, ["nlp.model", "/no/such/model"]),
    ({"domains.model": "/no/such/dm"}, ["domains.model", "/no/such/dm", "none"]),
    ({"report.title": "x"}, ["[report]", "report.title"]),
    ({"corpus.options.txt_field": "body"}, ["corpus.options.txt_field", "text_field"]),
])
def test_errors_are_one_line_and_name_key_value_fix(overrides, names):
    with pytest.raises(ConfigError) as info:
        load_config(DEFAULT_CONFIG, overrides)
    msg = str(info.value)
    assert "\n" not in msg
    for name in names:
        assert name in msg


def test_wrong_type_in_a_file_and_unknown_key_in_a_file(tmp_path):
    bad = tmp_path / "bad.cfg"
    bad.write_text('[run]\nn_process = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"run\.n_process.*'many'"):
        load_config(bad)
    typo = tmp_path / "typo.cfg"
    typo.write_text("[output]\nparquett = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"output\.parquett.*parquet"):
        load_config(typo)


def test_syntax_error_and_missing_file_are_config_errors(tmp_path):
    broken = tmp_path / "broken.cfg"
    broken.write_text("[run\nengine = local\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="could not be parsed"):
        load_config(broken)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.cfg")


def test_cli_prints_one_line_and_exits_2(capsys):
    code = main(["run", str(DEFAULT_CONFIG), "--run.engine", "spark"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "run.engine" in err and "spark" in err
