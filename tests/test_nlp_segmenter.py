"""The segmenter: shipped model, width normalisation, user dictionary, odd input."""
from __future__ import annotations

import pytest

from pipeline import models
from pipeline.nlp.segmenter import PkusegSegmenter, to_full_width


@pytest.fixture(scope="module")
def plain() -> PkusegSegmenter:
    return PkusegSegmenter(models.segmenter_dir("pd1998"))


@pytest.fixture(scope="module")
def with_lexicon() -> PkusegSegmenter:
    return PkusegSegmenter(models.segmenter_dir("pd1998"), models.read_user_dict("minsheng"))


def test_full_width_mapping_is_one_to_one():
    text = "GDP增长5.2%, CPI 2.0"
    assert len(to_full_width(text)) == len(text)
    assert to_full_width("A1%") == "Ａ１％"


def test_segments_a_policy_sentence(plain):
    words = plain.cut("城镇新增就业1361万人，调查失业率稳定在5%左右。")
    assert "".join(words) == "城镇新增就业1361万人，调查失业率稳定在5%左右。"
    assert "城镇" in words and "就业" in words and "，" in words and "。" in words


def test_latin_acronyms_stay_whole_after_normalisation(plain):
    words = plain.cut("今年GDP增长5.2%。")
    assert "GDP" in words


def test_user_dictionary_forces_policy_terms(plain, with_lexicon):
    text = "健全兜底保障机制，推进乡村振兴。"
    assert "兜底保障" in with_lexicon.cut(text)
    assert "乡村振兴" in with_lexicon.cut(text)
    # the model alone follows the PKU standard and splits such compounds
    assert "兜底保障" not in plain.cut(text) or "乡村振兴" not in plain.cut(text)


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u3000\u3000"])
def test_empty_and_whitespace_give_no_words(plain, text):
    assert plain.cut(text) == []


def test_latin_only_and_emoji(plain):
    assert "".join(plain.cut("Hello world, 2024!")) == "Helloworld,2024!"
    emoji = plain.cut("👍🎉 好的 😀")
    assert "".join(emoji) == "👍🎉好的😀"


def test_long_input_keeps_every_character(plain):
    text = ("推进教育公平，办好人民满意的教育。" * 6000)[:100_000]
    words = plain.cut(text)
    assert "".join(words) == text
    assert max(len(w) for w in words) < 20


def test_a_batch_of_texts_is_cut_as_each_text_alone(plain, with_lexicon):
    from pipeline import assets
    from pipeline.nlp import pd1998

    texts = ["".join(s.words) for s in pd1998.read_split(assets.pd1998_path(), "test")[:300]]
    texts += ["", "  ", "城镇新增就业1361万人，调查失业率稳定在5%左右。", "1/3的 乡村振兴/兜底保障",
              "Hello world, 2024!", "👍🎉 好的 😀", "a\x00b 中\x00国"]
    for seg in (plain, with_lexicon):
        alone = [[(m, len(w)) for m, w in _positions(t, seg.cut(t))] for t in texts]
        assert seg.spans_many(texts) == alone


def _positions(text, words):
    pos = 0
    for word in words:
        pos = text.index(word, pos)
        yield pos, word
        pos += len(word)
