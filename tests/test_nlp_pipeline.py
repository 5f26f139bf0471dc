"""The shipped spaCy pipeline: tags, UPOS, entities, serialisation, determinism, pipe."""
from __future__ import annotations

import spacy
import pytest

import pipeline

SENTENCE = "城镇新增就业1361万人，调查失业率稳定在5%左右。"


@pytest.fixture(scope="module")
def nlp():
    return pipeline.load(domains=False)


def _dump(doc):
    return ([(t.text, t.whitespace_, t.tag_, t.pos_) for t in doc],
            [(e.start_char, e.end_char, e.label_) for e in doc.ents])


def test_tags_and_upos(nlp):
    doc = nlp(SENTENCE)
    tags = {t.text: (t.tag_, t.pos_) for t in doc}
    assert tags["，"] == ("w", "PUNCT")
    assert tags["城镇"][0] == "n" and tags["城镇"][1] == "NOUN"
    assert tags["就业"][0] in {"v", "vn"}
    assert all(t.tag_ and t.pos_ for t in doc)


def test_person_names_are_joined(nlp):
    doc = nlp("国务院总理李强在北京主持召开国务院常务会议。")
    labels = {(e.text, e.label_) for e in doc.ents}
    assert ("李强", "PERSON") in labels
    assert ("北京", "LOC") in labels


def test_round_trip_to_disk(nlp, tmp_path):
    texts = [SENTENCE, "习近平总书记在内蒙古考察时强调，要保障和改善民生。"]
    nlp.to_disk(tmp_path / "nlp")
    again = spacy.load(tmp_path / "nlp")
    assert (again.tokenizer.ensemble, again.tokenizer.ensemble_weight) == ("pkuseg-default", 1.0)
    assert again.tokenizer.segmenter.model_dir == nlp.tokenizer.segmenter.model_dir  # same cached sum
    for text in texts:
        assert _dump(nlp(text)) == _dump(again(text))


def test_deterministic(nlp):
    text = "乌兰察布市教育局推动义务教育优质均衡发展，加大教师培训力度。"
    assert _dump(nlp(text)) == _dump(nlp(text))
    assert _dump(nlp(text)) == _dump(pipeline.load(domains=False)(text))


def test_pipe_with_two_processes(nlp):
    texts = [SENTENCE, "", "Hello world", "加快发展养老服务。" * 3] * 4
    one = [_dump(d) for d in nlp.pipe(texts, batch_size=3)]
    two = [_dump(d) for d in nlp.pipe(texts, batch_size=3, n_process=2)]
    assert one == two
    docs = list(nlp.pipe(texts, batch_size=3))  # Doc inputs, in order, same bytes
    again = [d.to_bytes() for d in nlp.pipe([nlp.make_doc(t) for t in texts], batch_size=3,
                                              n_process=2)]
    assert again == [d.to_bytes() for d in nlp.pipe([nlp.make_doc(t) for t in texts],
                                                     batch_size=3)]
    assert [d.text for d in docs] == texts


def test_parallel_pipe_stops_cleanly_and_reports_worker_errors(nlp):
    import multiprocessing as mp

    from pipeline.nlp.parallel import WorkerError, fork_available

    if not fork_available():
        pytest.skip("workers are forked; spaCy's own implementation runs elsewhere")
    gen = nlp.pipe([SENTENCE] * 50, batch_size=2, n_process=2)
    assert [next(gen).text for _ in range(3)] == [SENTENCE] * 3
    gen.close()  # caller stops early: workers are stopped, nothing hangs
    assert not mp.active_children()
    with pytest.raises(WorkerError, match="E1041"):  # a non-text input, reported with its traceback
        list(nlp.pipe([SENTENCE, 42], batch_size=1, n_process=2))
    assert not mp.active_children()


@pytest.mark.parametrize("text", ["", "  ", "Latin only text.", "😀😀 👍", "教" * 100_000])
def test_odd_input(nlp, text):
    doc = nlp(text)
    assert doc.text == text


def test_seed_page(nlp, seed_page):
    text = seed_page.read_text(encoding="utf-8")
    doc = nlp(text)
    assert doc.text == text
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("内蒙古", "LOC") in ents
    assert any(label == "PERSON" and name in {"习近平", "王海霞", "李娜", "谢飞军"} for name, label in ents)
    words = [t.text for t in doc]
    for word in ["就业", "教育", "残疾人", "民生"]:
        assert word in words


def test_stage_profile_covers_every_stage(nlp):
    from pipeline.nlp.bench_reports import stage_profile

    stages = dict(stage_profile(nlp, [SENTENCE, "", "乡村振兴，兜底保障 1/3"] * 30, batch_size=16))
    assert set(nlp.pipe_names) < set(stages)
    assert {"segmenter: feature lookup", "segmenter: scores", "segmenter: Viterbi",
            "tokenizer: views + lexicon", "tokenizer: Doc construction"} < set(stages)
    assert all(seconds >= 0 for seconds in stages.values()) and sum(stages.values()) > 0


def test_pipe_segments_a_batch_together_with_the_same_docs(nlp):
    """nlp.pipe tokenizes each batch in one segmenter pass: same Docs as nlp(text) one by one,
    for strings, Docs and Doc bytes mixed, and words_and_spaces is spaCy's get_words_and_spaces."""
    from spacy.util import get_words_and_spaces

    from pipeline.nlp.tokenizer import words_and_spaces

    texts = [SENTENCE, "", "  ", " 前导空格", "两个  空格\n换行\t制表 ", "國務院關於醫療", "1998年GDP",
             "Hello world", "加快发展养老服务。" * 3] * 3
    mixed = texts + [nlp.make_doc(SENTENCE), nlp.make_doc(SENTENCE).to_bytes()]
    piped = [_dump(d) for d in nlp.pipe(mixed, batch_size=7)]
    assert piped == [_dump(nlp(t)) for t in texts] + [_dump(nlp(SENTENCE))] * 2
    for text in texts:
        words = nlp.tokenizer.segmenter.cut(text, nlp.tokenizer._view(text))
        spans = list(_spans(text, words))
        assert words_and_spaces(text, spans) == get_words_and_spaces(words, text)


def _spans(text, words):
    pos = 0
    for word in words:
        pos = text.index(word, pos)
        yield pos, len(word)
        pos += len(word)
