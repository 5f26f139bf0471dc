"""Half-width and traditional text read as PD1998 writes it: same features, tags, entities."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.attrs import LENGTH, NORM, PREFIX, SUFFIX

import pipeline
from pipeline import assets
from pipeline.nlp import normalize, pd1998
from pipeline.reading.traditional import to_simplified

REPO = Path(__file__).resolve().parents[1]
NEWSLETTER = REPO / "corpus" / "docs" / "community_newsletter_traditional.txt"
FEATURES = [NORM, PREFIX, SUFFIX, LENGTH]  # what the tagger's tok2vec embeds (models/nlp/config.cfg)


@pytest.fixture(scope="module")
def nlp():
    return pipeline.load()


@pytest.fixture(scope="module")
def pd_test():
    return pd1998.read_split(assets.pd1998_path(), "test")[:300]


def _doc(nlp, words):
    return spacy.tokens.Doc(nlp.vocab, words=words, spaces=[False] * len(words))


def test_fold_is_one_for_one_and_leaves_pd1998_alone(pd_test):
    text = "".join("".join(s.words) for s in pd_test)
    assert normalize.fold(text) == text
    mixed = "國務院2024年GDP增長5.2%，與醫療"
    assert len(normalize.fold(mixed)) == len(mixed)
    assert normalize.fold(mixed) == "国务院２０２４年ＧＤＰ增长５．２％，与医疗"
    assert normalize.to_half_width("１９９８年ＧＤＰ５％") == "1998年GDP5%"


def test_half_width_words_get_the_features_of_their_full_width_forms(nlp):
    half = _doc(nlp, ["1998", "年", "GDP", "增长", "5%", "，", "`", "達到", "30"])
    full = _doc(nlp, ["１９９８", "年", "ＧＤＰ", "增长", "５％", "，", "｀", "达到", "３０"])
    assert (half.to_array(FEATURES) == full.to_array(FEATURES)).all()
    assert [t.text for t in half][0] == "1998"  # the text stays as written


def test_pd1998_tags_and_entities_do_not_change_when_written_half_width(nlp, pd_test):
    changed = [s for s in pd_test if normalize.to_half_width("".join(s.words)) != "".join(s.words)]
    assert len(changed) > 50  # digits, Latin and ％ are common in PD1998
    full = list(nlp.pipe([_doc(nlp, s.words) for s in changed]))
    half = list(nlp.pipe([_doc(nlp, [normalize.to_half_width(w) for w in s.words]) for s in changed]))
    for a, b in zip(full, half):
        assert [t.tag_ for t in a] == [t.tag_ for t in b]
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
    numbers = [t for doc in half for t in doc if any(c.isdigit() for c in t.text)]
    assert sum(t.tag_ in {"m", "t"} for t in numbers) >= 0.95 * len(numbers)


def test_raw_half_width_text_is_segmented_and_tagged_like_full_width(nlp):
    half, full = nlp("1998年GDP增长5%，达到30亿元。"), nlp("１９９８年ＧＤＰ增长５％，达到３０亿元。")
    assert [normalize.fold(t.text) for t in half] == [t.text for t in full]
    assert [t.tag_ for t in half] == [t.tag_ for t in full]
    assert half.text == "1998年GDP增长5%，达到30亿元。"


def test_traditional_sentence_tagged_like_simplified(nlp):
    trad = nlp("國務院關於加強養老服務體系建設的意見，醫療與教育並重。")
    simple = nlp("国务院关于加强养老服务体系建设的意见，医疗与教育并重。")
    assert [len(t) for t in trad] == [len(t) for t in simple]
    assert [t.tag_ for t in trad] == [t.tag_ for t in simple]
    assert [(e.start, e.end, e.label_) for e in trad.ents] == [(e.start, e.end, e.label_) for e in simple.ents]
    assert not any(e.label_ == "PERSON" for e in trad.ents)  # 醫療, 與 were PERSON before


def _paragraphs() -> list[str]:
    return [p for p in NEWSLETTER.read_text(encoding="utf-8").split("\n") if p.strip()]


def test_traditional_newsletter_tags_and_entities_match_its_simplified_conversion(nlp):
    paragraphs = _paragraphs()
    assert len(paragraphs) >= 4 and all(normalize.looks_traditional(p) for p in paragraphs)
    for trad, simple in zip(nlp.pipe(paragraphs), nlp.pipe([to_simplified(p) for p in paragraphs])):
        assert trad.text != simple.text
        assert [len(t) for t in trad] == [len(t) for t in simple]
        assert [t.tag_ for t in trad] == [t.tag_ for t in simple]
        assert [e.label_ for e in trad.ents] == [e.label_ for e in simple.ents]
        assert [t.norm_ for t in trad] == [t.norm_ for t in simple]


def test_traditional_newsletter_domains_match_its_simplified_conversion(nlp):
    """The domain component reads normalize.script_words(doc): same terms, same domains."""
    paragraphs = _paragraphs()
    for trad, simple in zip(nlp.pipe(paragraphs), nlp.pipe([to_simplified(p) for p in paragraphs])):
        assert (trad._.domain, trad._.domains, trad.cats) == (simple._.domain, simple._.domains,
                                                              simple.cats)


def test_script_words_are_the_simplified_tokens(nlp):
    doc = nlp("國務院關於加強養老服務的意見")
    assert normalize.script_words(doc) == [t.text for t in nlp("国务院关于加强养老服务的意见")]
    assert "".join(normalize.script_words(doc)) == to_simplified(doc.text)


@pytest.mark.parametrize("text", [" ", "   ", "\n", "\u3000", "\t\n "])
def test_whitespace_is_never_an_entity(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    assert list(doc.ents) == []


def test_norms_survive_to_disk_and_load(nlp, tmp_path):
    nlp.to_disk(tmp_path / "nlp")
    again = spacy.load(tmp_path / "nlp")
    text = "國務院2024年GDP增長5.2%"
    assert [(t.text, t.norm_, t.tag_) for t in again(text)] == [(t.text, t.norm_, t.tag_) for t in nlp(text)]
    assert again(text)[1].norm_ == "２０２４年"


def test_segmenter_view_must_keep_the_length(nlp):
    with pytest.raises(ValueError, match="one character to one"):
        nlp.tokenizer.segmenter.cut("国务院", "国务")
