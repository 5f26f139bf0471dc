"""``zh_minsheng``: spaCy's Chinese with word-shape features that suit Chinese.

spaCy's default PREFIX is a word's first character and SUFFIX its last three;
for Chinese words (mostly 1-3 characters) that suffix is the word itself, so
an unseen word shows the tagger nothing of its head character (化 -> verb,
性/者/率 -> noun). Here PREFIX is the first character and SUFFIX the last one.

NORM, PREFIX and SUFFIX are computed from the word folded to PD1998's writing
(:func:`pipeline.nlp.normalize.fold`: full-width ASCII, simplified
characters), so ``1998`` and ``國`` show the tagger the features ``１９９８`` and
``国`` had in training, while ``token.text`` stays as written. Lexemes are not
saved with the pipeline; these getters are code, so ``spacy.load`` uses them.

Defaults are a config string, as in ``spacy.lang.zh``: the pkuseg tokenizer
from this package, loaded in ``initialize()``.
"""
from __future__ import annotations

import multiprocessing as mp
from typing import Iterable, Iterator

from spacy.attrs import NORM, PREFIX, SUFFIX
from spacy.lang.zh import Chinese, ChineseDefaults
from spacy.tokens import Doc
from spacy.util import SimpleFrozenDict, SimpleFrozenList, load_config_from_str, minibatch, registry
from threadpoolctl import threadpool_limits

from . import embed_cache, fast_layers, normalize, pieces

DEFAULT_CONFIG = """
[nlp]

[nlp.tokenizer]
@tokenizers = "minsheng.PkusegTokenizer.v1"
normalize_width = true

[initialize]

[initialize.tokenizer]
model = "pd1998"
user_dict = null
"""


class MinshengChineseDefaults(ChineseDefaults):
    config = load_config_from_str(DEFAULT_CONFIG)
    lex_attr_getters = {**ChineseDefaults.lex_attr_getters, PREFIX: normalize.prefix,
                        SUFFIX: normalize.suffix, NORM: normalize.norm}


@registry.languages("zh_minsheng")
class MinshengChinese(Chinese):
    """Chinese with first/last-character affix features and the pkuseg tokenizer."""

    lang = "zh_minsheng"
    Defaults = MinshengChineseDefaults

    def __init__(self, *args, **kwargs):
        from . import msgpack_cache

        msgpack_cache.install()  # Doc (de)serialisation, e.g. nlp.pipe(n_process=2)
        super().__init__(*args, **kwargs)
        # spaCy wraps NORM in its base-norm table keyed by the raw word ('`' -> "'"); the
        # folded word's norm must win, so that '`' and '｀' agree, as they do for the tagger
        self.vocab.lex_attr_getters[NORM] = normalize.norm

    def make_doc(self, text: str):
        """spaCy's ``make_doc`` after lone surrogates become U+FFFD (:func:`pieces.storable`)."""
        return super().make_doc(pieces.storable(text))

    def __call__(self, text, *, disable=SimpleFrozenList(), component_cfg=None):
        """spaCy's ``__call__``; a text above :data:`pieces.PIECE_CHARS` is processed in
        bounded pieces joined into one Doc (:mod:`pipeline.nlp.pieces`)."""
        if isinstance(text, str) and len(text) > pieces.PIECE_CHARS:
            return self._long(text, disable, component_cfg)
        return super().__call__(text, disable=disable, component_cfg=component_cfg)

    def _long(self, text: str, disable=(), component_cfg=None):
        def piece_pipe(parts, off):
            return super(MinshengChinese, self).pipe(parts, batch_size=1, disable=off,
                                                     component_cfg=component_cfg)

        return pieces.process_long(self, piece_pipe, text, disable, component_cfg)

    def _unit(self, size: int, disable) -> int:
        """Texts handed to spaCy's pipe at once: at least the largest batch an enabled
        component wants (the domain step classifies 256 Docs per call); spaCy still
        runs the other components in *size* batches."""
        off = set(disable)
        return max([size] + [getattr(proc, "min_batch", 0) for name, proc in self.pipeline
                             if name not in off])

    def _serial_pipe(self, texts, batch_size, disable, component_cfg):
        size = batch_size or self.batch_size
        return pieces.pipe_with_long(
            texts, self._unit(size, disable),
            lambda run: super(MinshengChinese, self).pipe(self.make_docs(run, size), batch_size=size,
                                                          disable=disable, component_cfg=component_cfg),
            lambda text: self._long(text, disable, component_cfg))

    def from_disk(self, path, *, exclude=SimpleFrozenList(), overrides=SimpleFrozenDict()):
        """spaCy's ``from_disk``; then the tok2vec word embeddings are cached per distinct
        word for inference (:mod:`pipeline.nlp.embed_cache`) and its Maxout and LayerNorm
        layers get inference forwards with fewer passes (:mod:`pipeline.nlp.fast_layers`):
        the same vectors, bit for bit."""
        nlp = super().from_disk(path, exclude=exclude, overrides=overrides)
        embed_cache.install(nlp)
        fast_layers.install(nlp)
        return nlp

    def pipe(self, texts, *, as_tuples=False, batch_size=None, disable=SimpleFrozenList(),
             component_cfg=None, n_process=1):
        """spaCy's ``Language.pipe``, with the texts of each batch segmented together
        (:meth:`make_docs`); with ``n_process`` > 1 on a platform that can fork,
        batches go to worker processes that never wait for the parent to read
        (:mod:`pipeline.nlp.parallel`).  Same Docs, same order as ``n_process=1``.

        While it runs, BLAS (numpy's OpenBLAS, used by the domain model on one
        batch's small matrices) keeps to one thread: its spinning helper threads
        made the domain component up to six times slower on a machine whose
        cores were busy, and gain nothing on matrices this size."""
        with threadpool_limits(limits=1, user_api="blas"):
            yield from self._pipe(texts, as_tuples, batch_size, disable, component_cfg, n_process)

    def _pipe(self, texts, as_tuples, batch_size, disable, component_cfg, n_process):
        from . import parallel

        if n_process == -1:
            n_process = mp.cpu_count()
        if as_tuples or (n_process != 1 and (component_cfg or not parallel.fork_available())):
            yield from super().pipe(texts, as_tuples=as_tuples, batch_size=batch_size,
                                    disable=disable, component_cfg=component_cfg,
                                    n_process=n_process)  # as_tuples comes back here per text
            return
        if n_process == 1:
            yield from self._serial_pipe(texts, batch_size, disable, component_cfg)
            return
        size = batch_size or self.batch_size
        chunk = self._unit(size, disable)  # a worker's unit: the domain step's batch
        yield from parallel.parallel_pipe(
            self, texts, n_process, size,
            lambda batch: self._serial_pipe(batch, size, disable, None),
            disable, chunk_size=chunk)

    def make_docs(self, texts: Iterable, batch_size: int) -> Iterator[Doc]:
        """Docs of *texts* (strings, Docs or Doc bytes, as ``pipe`` takes), in order: the
        strings of each batch go through the tokenizer together (one segmenter pass
        per batch instead of per text); Docs, bytes and texts over ``max_length``
        go through ``make_doc``'s usual path one by one. Lone surrogates become U+FFFD
        as in :meth:`make_doc`."""
        batch_docs = getattr(self.tokenizer, "docs", None)
        for batch in minibatch(texts, batch_size):
            together = [t for t in batch if isinstance(t, str) and len(t) <= self.max_length]
            made = iter(batch_docs([pieces.storable(t) for t in together]) if batch_docs and together
                        else ())
            for item in batch:
                if batch_docs and isinstance(item, str) and len(item) <= self.max_length:
                    yield next(made)
                else:
                    yield self._ensure_doc(item)
