"""`minsheng train domains` from a fresh clone: own taxonomy, own labels, own reports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.domains import load_domain_model

REPO = Path(__file__).resolve().parents[1]

TAXONOMY = """
version = 1
name = "two domains"

[[domain]]
id = "jobs"
zh = "就业"
seeds = ["就业", "岗位", "招聘", "失业"]

[[domain]]
id = "schools"
zh = "教育"
seeds = ["学校", "教育", "教师", "学生"]

[[domain]]
id = "rest"
fallback = true
seeds = ["经济", "投资", "市场"]
"""

REPORT = ["今年新增就业岗位一万个，举办招聘会二十场，帮助失业人员再就业。",
          "新建学校三所，招聘教师二百名，学生入学更方便。",
          "经济平稳增长，投资和市场活力增强。"]


@pytest.mark.slow
def test_train_own_taxonomy_without_shared(tmp_path, capsys):
    tax = tmp_path / "my.toml"
    tax.write_text(TAXONOMY, encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    for n in range(6):
        (reports / f"r{n}.txt").write_text("\n\n".join(REPORT), encoding="utf-8")
    labeled = tmp_path / "my.jsonl"
    rows = [{"id": f"l{i}", "text": t, "primary": p, "labels": [p]}
            for i, (t, p) in enumerate(zip(REPORT * 3, ["jobs", "schools", "rest"] * 3))]
    labeled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "model"
    code = main(["train", "domains", str(REPO / "pipeline" / "configs" / "domains.cfg"),
                 "--paths.taxonomy", str(tax), "--paths.labeled", str(labeled),
                 "--paths.reports", str(reports), "--paths.output", str(out),
                 "--corpus.pd1998_max", "200", "--topics.min_df", "1", "--paths.messages", ""])
    assert code == 0, capsys.readouterr().err
    clf = load_domain_model(out)
    assert list(clf.classes_) == ["jobs", "schools", "rest"]
    assert list(clf.predict(["学校和教师"])) == ["schools"]
    assert "cv5" in clf.meta_["scores"]


def test_labels_outside_the_taxonomy_stop_training(tmp_path, capsys):
    tax = tmp_path / "my.toml"
    tax.write_text(TAXONOMY, encoding="utf-8")
    labeled = tmp_path / "my.jsonl"
    labeled.write_text(json.dumps({"id": "a", "text": "学校", "primary": "education"}) + "\n",
                       encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "r.txt").write_text("\n\n".join(REPORT), encoding="utf-8")
    code = main(["train", "domains", str(REPO / "pipeline" / "configs" / "domains.cfg"),
                 "--paths.taxonomy", str(tax), "--paths.labeled", str(labeled),
                 "--paths.reports", str(reports), "--paths.output", str(tmp_path / "m"),
                 "--corpus.pd1998", "false", "--paths.messages", ""])
    assert code == 2
    assert "not in the taxonomy" in capsys.readouterr().err
