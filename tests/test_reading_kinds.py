"""Block kinds and page-break repair rules, on shapes rather than any one page."""
from __future__ import annotations

import pytest

from pipeline.reading import read_document
from pipeline.reading.kinds import classify


@pytest.mark.parametrize("text,kind,role", [
    ("推进城乡养老服务体系建设", "title", "title"),
    ("把好服务 带进社区里面", "title", "title"),
    ("——在全市民生工作会议上的讲话", "title", "subtitle"),
    ("◎ 王小明", "byline", "byline"),
    ("□见习记者 赵一", "byline", "byline"),
    ("本报记者 钱二 孙三", "byline", "byline"),
    ("文/周四", "byline", "byline"),
    ("（作者单位：某某大学公共管理学院）", "note", "note"),
    ("注：数据来自统计公报。", "note", "note"),
    ("责任编辑：吴五", "note", "note"),
    ("【民生观察】", "section", "section"),
    ("〖一线视角〗", "section", "section"),
    ("一、过去一年的主要工作", "heading", "numbered"),
    ("（五）加强基本民生保障，兜牢底线", "heading", "numbered"),
    ("第二章 总则", "heading", "numbered"),
    ("3. 完善托育服务", "heading", "numbered"),
    ("## 就业", "heading", "markdown"),
    ("主要做法：", "heading", "label"),
    ("三年来，社会保障体系日益完善", "heading", "unnumbered"),
    ("各位代表：", "other", "salutation"),
    ("同志们！", "other", "salutation"),
    ("2024", "other", "number"),
    ("★★★", "other", "symbols"),
    ("（一）办好托育服务。新建普惠托位一千个，降低家庭育儿负担。", "body", "numbered"),
    ("●稳住就业基本盘。开发公益岗位，帮扶零就业家庭。", "body", "bullet"),
    ("今年以来，全市新增城镇就业三万人，城镇调查失业率保持在较低水平。", "body", "body"),
])
def test_classify(text: str, kind: str, role: str) -> None:
    assert classify(text) == (kind, role)


def _kinds(text: str) -> list[tuple[str, int]]:
    return [(p.kind, p.merged_from) for p in read_document(text, name="k.txt").paragraphs]


LONG = "这是一段很长的正文，讲的是城乡居民的就业、收入、教育、医疗和养老等方方面面的情况，而且还在继续"


def test_page_break_merges_body_fragments() -> None:
    assert _kinds(f"{LONG}\n\n下去，直到这里才结束。") == [("body", 2)]


def test_no_merge_after_sentence_end_or_into_headings() -> None:
    assert _kinds(f"{LONG}。\n\n下一段。") == [("body", 1), ("body", 1)]
    assert _kinds(f"{LONG}\n\n二、下一部分\n\n正文。") == [("body", 1), ("heading", 1), ("body", 1)]
    assert _kinds(f"{LONG}\n\n【专栏】\n\n正文。") == [("body", 1), ("section", 1), ("body", 1)]
    assert _kinds(f"{LONG}\n\n□记者 张三\n\n正文。") == [("body", 1), ("byline", 1), ("body", 1)]
    assert _kinds(f"{LONG}\n\n●另一项要点，单独成段。") == [("body", 1), ("body", 1)]


def test_title_never_absorbs_body() -> None:
    assert _kinds("推进养老服务\n\n各地加快建设社区养老服务站点，覆盖城乡。") == [("title", 1), ("body", 1)]


def test_hard_wrapped_narrow_column_is_rejoined() -> None:
    column = "全市新增城镇就业，\n三万余人，城镇调查\n失业率保持在较低水\n平，群众就业更加稳定。"
    assert _kinds(column) == [("body", 4)]


def test_unnumbered_heading_before_blank_line_stays_heading() -> None:
    assert _kinds("三年来，社会保障体系日益完善\n\n养老保险参保人数持续增加。") == [("heading", 1), ("body", 1)]


def test_latin_fragments_joined_with_a_space() -> None:
    doc = read_document("This sentence is long enough to be body text, and it breaks\n\nin the middle.", name="e.txt")
    assert [p.text for p in doc.paragraphs] == ["This sentence is long enough to be body text, and it breaks in the middle."]


def test_indentation_convention_rejoins_hard_wrapped_lines() -> None:
    text = ("\u3000\u3000第一段第一行，讲就业。\n第一段第二行，讲收入。\n"
            "\u3000\u3000第二段，讲教育。\n第二段续行。\n"
            "\u3000\u3000第三段，讲医疗。\n"
            "标题行不并入\n"
            "\u3000\u3000第四段。")
    doc = read_document(text, name="w.txt")
    assert [(p.kind, p.merged_from) for p in doc.paragraphs] == [
        ("body", 2), ("body", 2), ("body", 1), ("title", 1), ("body", 1)]


def test_without_indentation_convention_full_stop_ends_paragraph() -> None:
    text = "第一段，讲就业。\n第二段，讲收入。\n\u3000\u3000第三段，讲教育。"
    assert [p.merged_from for p in read_document(text, name="n.txt").paragraphs] == [1, 1, 1]
