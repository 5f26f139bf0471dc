"""The one bridge between spaCy and the scikit-learn domain model.

* :func:`doc_terms` turns a spaCy ``Doc`` into analysis terms (content words by
  PKU tag when the pipeline tags, a stop-word + character-class filter when it
  does not; optional joined bigrams).  ``pipeline.domains`` only ever sees
  these term lists.
* The ``livelihood_domains`` component writes ``doc.cats`` (every taxonomy id),
  ``doc._.domain`` (primary), ``doc._.domains`` (label set) and
  ``doc._.domain_status`` ('ok', 'empty', 'no_terms'); ``to_disk``/``from_disk``
  save and load the verified sklearn artifact.

Adding it to a pipeline (what ``pipeline.load()`` does)::

    nlp.add_pipe("livelihood_domains", config={"model_path": "models/domains"})
    # or: add_to_pipeline(nlp, "models/domains")

Config keys: ``model_path`` (artifact directory; ``"default"`` = the shipped
``models/domains``; ``null`` = load later via ``from_disk``/``initialize``) and
``bigrams`` (must match training; default true).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from .domains.artifact import default_model_dir, load_domain_model, save_domain_model
from .domains.terms import terms_from_tagged
from .errors import ModelError

for _name in ("domain", "domains", "domain_status"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def doc_terms(doc: Doc, bigrams: bool = True) -> list[str]:
    """Analysis terms of a Doc: content words (by tag when tagged) and joined bigrams."""
    words = [t.text for t in doc]
    tags = [t.tag_ for t in doc]
    return terms_from_tagged(words, tags if any(tags) else None, bigrams=bigrams)


def pkuseg_nlp():
    """A blank Chinese pipeline with the provisioned pkuseg "default" segmenter (no tagger)."""
    import spacy

    from . import assets

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    nlp.tokenizer.initialize(pkuseg_model=str(assets.pkuseg_default_dir()),
                             pkuseg_user_dict="default")
    return nlp


def segmenter_nlp(source: str = "auto"):
    """The spaCy pipeline used to segment text for the domain model.

    ``"pipeline"``: ``pipeline.load()`` (the project's segmenter + tagger);
    ``"pkuseg_default"``: :func:`pkuseg_nlp`; ``"auto"``: the first that works.
    The domain component itself is disabled so segmentation never needs a model.
    """
    if source in ("pipeline", "auto"):
        try:
            from .nlp.loading import load  # built by the NLP-core issue
            try:
                nlp = load(domains=False)
            except TypeError:  # an older load() without the domains switch
                nlp = load()
            for pipe_name in list(nlp.pipe_names):
                if pipe_name == "livelihood_domains" or pipe_name.startswith("livelihood"):
                    nlp.disable_pipe(pipe_name)
            return nlp
        except ImportError:
            if source == "pipeline":
                raise ModelError("pipeline.load() is not available yet; use "
                                 "tokenizer.source = \"pkuseg_default\" in the config.")
    if source in ("pkuseg_default", "auto"):
        return pkuseg_nlp()
    from .errors import ConfigError, value_invalid_msg
    raise ConfigError(value_invalid_msg("tokenizer.source", source,
                                        ["auto", "pipeline", "pkuseg_default"]))


def segment_texts(nlp, texts: Sequence[str], batch_size: int = 64) -> list[tuple[list[str], list[str]]]:
    """``(words, tags)`` of each text, whitespace tokens dropped."""
    out = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        toks = [t for t in doc if not t.is_space]
        out.append(([t.text for t in toks], [t.tag_ for t in toks]))
    return out


class LivelihoodDomains:
    """spaCy component scoring each Doc with a verified :class:`DomainModel` artifact."""

    def __init__(self, nlp: Language, name: str, model_path: str | None = None,
                 bigrams: bool = True):
        self.name = name
        self.bigrams = bigrams
        self.model = None
        if model_path:
            self.model = load_domain_model(default_model_dir() if model_path == "default" else model_path)

    def _require_model(self):
        if self.model is None:
            raise ModelError(f"The '{self.name}' component has no domain model. Add it with "
                             f"config={{'model_path': 'models/domains'}} or call "
                             f"nlp.get_pipe('{self.name}').from_disk(PATH).")
        return self.model

    def _set(self, doc: Doc, result: dict) -> Doc:
        doc.cats = dict(result["cats"])
        doc._.domain = result["domain"]
        doc._.domains = list(result["domains"])
        doc._.domain_status = result["status"]
        return doc

    def _empty(self, doc: Doc) -> Doc:
        model = self._require_model()
        fb = model.taxonomy_.fallback
        return self._set(doc, {"cats": {str(d): float(d == fb) for d in model.classes_},
                               "domain": fb, "domains": [fb], "status": "empty"})

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        model = self._require_model()
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._score(model, batch)
                batch = []
        if batch:
            yield from self._score(model, batch)

    def _score(self, model, docs: list[Doc]) -> Iterator[Doc]:
        full = [d for d in docs if d.text.strip()]
        results = iter(model.classify([doc_terms(d, self.bigrams) for d in full])) if full else iter(())
        for doc in docs:
            yield self._set(doc, next(results)) if doc.text.strip() else self._empty(doc)

    def initialize(self, get_examples=None, *, nlp=None, model_path: str | None = None) -> None:
        """Load the artifact at *model_path* (default: the shipped model) if none is loaded."""
        if self.model is None or model_path:
            self.model = load_domain_model(model_path)

    def to_disk(self, path, *, exclude: Sequence[str] = ()) -> None:
        save_domain_model(self._require_model(), Path(path),
                          meta={k: v for k, v in getattr(self.model, "meta_", {}).items()
                                if k not in ("files", "versions", "schema_version", "taxonomy")})

    def from_disk(self, path, *, exclude: Sequence[str] = ()) -> "LivelihoodDomains":
        self.model = load_domain_model(Path(path))
        return self


@Language.factory("livelihood_domains", assigns=["doc.cats", "doc._.domain", "doc._.domains"],
                  default_config={"model_path": None, "bigrams": True})
def make_livelihood_domains(nlp: Language, name: str, model_path: str | None,
                            bigrams: bool) -> LivelihoodDomains:
    """Factory for the ``livelihood_domains`` component (entry point in pyproject)."""
    return LivelihoodDomains(nlp, name, model_path=model_path, bigrams=bigrams)


def add_to_pipeline(nlp: Language, model_dir: str | Path | None = None,
                    name: str = "livelihood_domains", **kwargs) -> LivelihoodDomains:
    """Append the component to *nlp* and load the artifact (default: shipped model)."""
    path = str(model_dir) if model_dir is not None else "default"
    return nlp.add_pipe("livelihood_domains", name=name, config={"model_path": path, **kwargs})
