"""Small pieces of the NLP layer: PD1998 parsing and split, entity spans, UPOS patterns."""
from __future__ import annotations

import spacy

from pipeline import assets
from pipeline.nlp import pd1998
from pipeline.nlp.entities import PkuEntities
from pipeline.nlp.tags import entity_spans
from pipeline.nlp.upos import TAG_TO_UPOS, upos_patterns


def test_parse_line():
    sent = pd1998.parse_line("中共中央/nt  总书记/n  江/nr  泽民/nr")
    assert sent.words == ["中共中央", "总书记", "江", "泽民"]
    assert sent.tags == ["nt", "n", "nr", "nr"]


def test_fixed_split_sizes():
    path = assets.pd1998_path()
    sizes = {s: len(pd1998.read_split(path, s)) for s in pd1998.SPLITS}
    assert sizes == {"train": 19484 - 2 * 1948, "dev": 1948, "test": 1948}
    test_first = pd1998.read_split(path, "test")[0]
    dev_last = pd1998.read_split(path, "dev")[-1]
    assert test_first != dev_last


def test_entity_spans_join_split_names():
    tags = ["nt", "n", "nr", "nr", "v", "ns", "ns", "nr"]
    assert entity_spans(tags) == [(0, 1, "ORG"), (2, 4, "PERSON"), (5, 6, "LOC"),
                                  (6, 7, "LOC"), (7, 8, "PERSON")]


def test_entity_component_uses_tags():
    nlp = spacy.blank("zh")
    doc = spacy.tokens.Doc(nlp.vocab, words=["江", "泽民", "在", "北京"], spaces=[False] * 4,
                           tags=["nr", "nr", "p", "ns"])
    doc = PkuEntities()(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("江泽民", "PERSON"), ("北京", "LOC")]


def test_upos_patterns_cover_every_tag():
    pats = upos_patterns()
    tagged = {p["patterns"][0][0].get("TAG") for p in pats if "ORTH" not in p["patterns"][0][0]}
    assert tagged == set(TAG_TO_UPOS)
    assert all(p["attrs"]["POS"] for p in pats)


def test_lookup_ruler_matches_spacy_attribute_ruler():
    from spacy.pipeline import AttributeRuler

    from pipeline.nlp.ruler import LookupAttributeRuler

    nlp = spacy.blank("zh")
    words = ["习近平", "是", "了", "在", "北京", "发展", "的", "人", "市"]
    tags = ["nz", "v", "u", "p", "ns", "vn", "u", "n", "n"]
    extra = [{"patterns": [[{"ORTH": "北京"}, {"TAG": "vn"}]], "attrs": {"POS": "X"}, "index": 1}]
    results = []
    for cls in (AttributeRuler, LookupAttributeRuler):
        ruler = cls(nlp.vocab)
        ruler.add_patterns(upos_patterns() + extra)
        doc = ruler(spacy.tokens.Doc(nlp.vocab, words=words, spaces=[False] * 9, tags=tags))
        results.append([(t.tag_, t.pos_) for t in doc])
        assert len(ruler.patterns) == len(upos_patterns()) + 1
    assert results[0] == results[1]
    assert results[1][0] == ("nr", "PROPN")  # tagged lexicon entry
    assert results[1][5] == ("vn", "X")  # multi-token pattern through the Matcher


def test_lookup_ruler_array_path_matches_spacy_attribute_ruler():
    """Only single-token rules (the array path), incl. rules that set TAG and MORPH too,
    later rules winning; the same Doc twice (the per-pair cache) and an empty Doc."""
    from spacy.pipeline import AttributeRuler

    from pipeline.nlp.ruler import LookupAttributeRuler

    nlp = spacy.blank("zh")
    words = ["习近平", "是", "了", "在", "北京", "发展", "的", "人", "市", "北京"]
    tags = ["nz", "v", "u", "p", "ns", "vn", "u", "n", "n", "vn"]
    extra = [{"patterns": [[{"ORTH": "北京", "TAG": "vn"}]], "attrs": {"POS": "X", "TAG": "ns"}},
             {"patterns": [[{"TAG": "u"}]], "attrs": {"POS": "PART", "MORPH": "Case=Gen"}},
             {"patterns": [[{"ORTH": "市"}]], "attrs": {"POS": "NOUN"}}]
    results = []
    for cls in (AttributeRuler, LookupAttributeRuler):
        ruler = cls(nlp.vocab)
        ruler.add_patterns(upos_patterns() + extra)
        runs = []
        for _ in range(2):
            doc = ruler(spacy.tokens.Doc(nlp.vocab, words=words, spaces=[False] * 10, tags=tags))
            runs.append([(t.tag_, t.pos_, str(t.morph)) for t in doc])
        assert runs[0] == runs[1]
        assert len(ruler(spacy.tokens.Doc(nlp.vocab, words=[]))) == 0
        results.append(runs[0])
    assert results[0] == results[1]
    assert results[1][9] == ("ns", "X", "") and results[1][2] == ("u", "PART", "Case=Gen")
    assert results[1][8][1] == "NOUN"


def test_lookup_ruler_pipe_matches_spacy_attribute_ruler_batch_by_batch():
    """``pipe`` rewrites a batch's arrays together: the Docs of spaCy's AttributeRuler,
    with empty Docs and a rule added between batches (the resolved table starts again)."""
    from spacy.pipeline import AttributeRuler

    from pipeline.nlp.ruler import LookupAttributeRuler

    nlp = spacy.blank("zh")
    words = ["习近平", "是", "了", "在", "北京", "发展", "的", "人", "市", "北京"]
    tags = ["nz", "v", "u", "p", "ns", "vn", "u", "n", "n", "vn"]
    extra = [{"patterns": [[{"ORTH": "北京", "TAG": "vn"}]], "attrs": {"POS": "X", "TAG": "ns"}},
             {"patterns": [[{"TAG": "u"}]], "attrs": {"POS": "PART", "MORPH": "Case=Gen"}}]

    def docs():
        full = [spacy.tokens.Doc(nlp.vocab, words=words[:k], spaces=[False] * k, tags=tags[:k])
                for k in (10, 0, 3, 10, 1)]
        return full + [spacy.tokens.Doc(nlp.vocab, words=[])]

    results = []
    for cls in (AttributeRuler, LookupAttributeRuler):
        ruler = cls(nlp.vocab)
        ruler.add_patterns(upos_patterns() + extra)
        first = [[(t.tag_, t.pos_, str(t.morph)) for t in d] for d in ruler.pipe(docs(), batch_size=4)]
        ruler.add_patterns([{"patterns": [[{"ORTH": "市"}]], "attrs": {"POS": "NOUN"}}])
        second = [[(t.tag_, t.pos_, str(t.morph)) for t in d] for d in ruler.pipe(docs(), batch_size=4)]
        results.append((first, second))
    assert results[0] == results[1] and len(results[1][0]) == 6
    assert results[1][0][0][8][1] != "NOUN" and results[1][1][0][8][1] == "NOUN"


def test_msgpack_memo_is_transparent():
    """The memoised extension lookup gives srsly's answer, and sees later registrations."""
    import numpy as np
    import srsly
    from srsly import msgpack

    from pipeline.nlp import msgpack_cache

    msgpack_cache.install()
    assert msgpack_cache.install() is False  # idempotent
    memo = msgpack.msgpack_decoders.get_all
    assert set(memo()) == set(memo.__wrapped__())
    data = {"a": np.arange(5, dtype="float32"), "b": "民生"}
    back = srsly.msgpack_loads(srsly.msgpack_dumps(data))
    assert back["b"] == "民生" and np.array_equal(back["a"], data["a"])

    def tag_decoder(obj, chain=None):
        return obj if chain is None else chain(obj)

    msgpack.msgpack_decoders.register("minsheng_test_decoder", func=tag_decoder)
    assert "minsheng_test_decoder" in msgpack.msgpack_decoders.get_all()


def test_shipped_nlp_config_trains_on_train_plus_dev_unless_told_not_to():
    from pathlib import Path

    from pipeline.nlp.training import _with_dev

    config = Path(__file__).resolve().parents[1] / "pipeline" / "configs" / "nlp.cfg"
    assert _with_dev(config, {}) is True
    assert _with_dev(config, {"paths.train_with_dev": False}) is False
