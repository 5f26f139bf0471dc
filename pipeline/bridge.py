"""The ``livelihood_domains`` spaCy component: the DomainClassifier on a Doc's tokens.

The component takes each Doc's words and PKU tags (:func:`pipeline.nlp.analysis.doc_tokens`),
turns them into terms with the classifier's own featurizer
(:meth:`TermFeaturizer.terms`) and calls the classifier — the same steps
``DomainClassifier.predict(["raw text"])`` runs after analysing the text with
the shipped pipeline, so every path gives the same ``domain``, ``domains`` and
``cats``.  It writes ``doc.cats`` (every taxonomy id), ``doc._.domain``
(primary), ``doc._.domains`` (label set, primary first, then by probability),
``doc._.domain_status`` (``ok``, ``empty``, ``no_terms``) and
``doc._.domain_topic`` (the heaviest topic per topic model).

Construction is cheap; the model is loaded by :meth:`initialize` or
:meth:`from_disk` (what ``spacy.load`` calls).  The shipped model is checked
there (every file of ``models/domains`` against ``models/MANIFEST``, and its
sha256 against the one the saved pipeline recorded, so a tampered or missing
model fails ``pipeline.load()``), but unpickled on first use
(:attr:`LivelihoodDomains.classifier`, the first Doc), after the same checks again:
unpickling imports scikit-learn and scipy, about 1.2 s of a 2.4 s load, which
a process that only loads, or only segments, should not pay.  That is why
:mod:`pipeline.domains` (it imports scikit-learn) is imported here only inside
the functions that need it.  Config: ``model`` is
``"default"`` (the shipped, manifest-verified ``models/domains``) or the path
of a directory written by ``minsheng train domains``.  ``to_disk`` writes
``source.json`` and, unless the model is the shipped one, the artifact itself
(``model/``), so a saved pipeline travels with its classifier.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from spacy import util
from spacy.language import Language
from spacy.tokens import Doc

from .assets import sha256_file
from .errors import ModelError
from .models import models_dir, verify_folder
from .nlp.analysis import doc_ids, doc_tokens

for _name in ("domain", "domains", "domain_status", "domain_topic"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

SOURCE_FILE = "source.json"
MIN_BATCH = 256  # Docs per classifier call (see LivelihoodDomains.pipe)
MODEL_FILE = "model.joblib"  # pipeline.domains.artifact.MODEL_FILE (tested equal)


def shipped_model_dir() -> Path:
    """``pipeline.domains.artifact.default_model_dir()`` (tested equal) without importing
    scikit-learn: the committed ``models/domains``."""
    return models_dir() / "domains"


def _artifact():
    """:mod:`pipeline.domains.artifact`, imported when a model is unpickled or saved
    (importing it imports scikit-learn; see the module docstring)."""
    from .domains import artifact

    return artifact


class LivelihoodDomains:
    """spaCy component scoring each Doc with a verified :class:`DomainClassifier`."""

    def __init__(self, nlp: Language, name: str, model: str | None = "default",
                 topics: bool = True):
        self.name = name
        self.min_batch = MIN_BATCH  # nlp.pipe(n_process>1) hands workers this many texts at once
        self.model_spec = model
        self.topics = topics
        self._model: Any = None
        self._deferred = False  # the shipped model, checked, is unpickled on first use
        self._lock = threading.Lock()
        self.source = None

    # ------------------------------------------------------------- loading
    @property
    def classifier(self) -> Any:
        """The DomainClassifier; the shipped one is unpickled here on first use, after
        :func:`pipeline.domains.artifact.load_domain_model` checks MANIFEST and
        ``meta.json`` again (a file changed since load is an error, not a fallback).
        Not called ``model``: spaCy reads every component's ``model`` while loading
        (``Tok2Vec.find_listeners``), which would unpickle it there."""
        if self._deferred:
            with self._lock:
                if self._deferred:
                    self._model = _artifact().load_domain_model(None)
                    self._deferred = False
        return self._model

    @classifier.setter
    def classifier(self, value: Any) -> None:
        self._model, self._deferred = value, False

    def __getstate__(self) -> dict:  # a lock does not pickle; the copy gets its own
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def ensure_model(self) -> None:
        """Unpickle a deferred model now, e.g. before worker processes are forked, so
        they share it instead of each unpickling it (and importing scikit-learn)."""
        _ = self.classifier

    def initialize(self, get_examples=None, *, nlp=None, model: str | None = None) -> None:
        """Load the classifier named by *model* (or the config's ``model``)."""
        spec = model or self.model_spec or "default"
        self._load(spec)

    def _load(self, spec: str) -> None:
        if spec == "default":  # MANIFEST now; unpickled on first use (see the module docstring)
            verify_folder(shipped_model_dir())
            self._model, self._deferred, self.source = None, True, "default"
        else:
            self.classifier, self.source = _artifact().load_domain_model(Path(spec)), str(spec)

    def _require_model(self):
        if self.classifier is None:
            raise ModelError(f"The '{self.name}' component has no domain model loaded. Call "
                             f"nlp.initialize() (or nlp.get_pipe('{self.name}').initialize()), "
                             f"or load a saved pipeline with spacy.load(PATH).")
        return self.classifier

    # ----------------------------------------------------------- scoring
    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Score *stream* in batches of at least ``min_batch`` Docs (or *batch_size*,
        if larger): the classifier's cost per call (input checks, topic transforms) is
        fixed, and with ``nlp.pipe``'s 64-Doc batches it was 40 % of this component.
        Each Doc's scores do not depend on its batch (tested)."""
        batch: list[Doc] = []
        size = max(batch_size, self.min_batch)
        for doc in stream:
            batch.append(doc)
            if len(batch) >= size:
                yield from self._score(batch)
                batch = []
        if batch:
            yield from self._score(batch)

    def _score(self, docs: list[Doc]) -> Iterator[Doc]:
        model = self._require_model()
        featurizer = model.featurizer_
        terms, blank = [], []
        for doc in docs:
            ids = doc_ids(doc)
            if ids is not None:  # no traditional-only character: the tokens are their own words
                orths, tags, empty = ids
                blank.append(empty)  # the Doc's text is only whitespace
                terms.append([] if empty else featurizer.terms_from_ids(orths, tags, doc.vocab.strings))
                continue
            words, tags = doc_tokens(doc)
            blank.append(not "".join(words).strip())
            terms.append([] if blank[-1] else featurizer.terms(words, tags))
        for doc, res, empty in zip(docs, model.classify(terms), blank):
            topic = res["topic"] if self.topics else None
            status = "empty" if empty else res["status"]
            doc.cats = dict(res["cats"])
            doc._.domain = res["domain"]
            doc._.domains = list(res["domains"])
            doc._.domain_status = status
            doc._.domain_topic = topic
            yield doc

    # ---------------------------------------------------- serialisation
    def to_disk(self, path, *, exclude: Sequence[str] = ()) -> None:
        model = self._require_model()
        embedded = self.source != "default"

        def write_source(p: Path) -> None:
            digest = (model.meta_.get("files") or {}).get(MODEL_FILE) if hasattr(model, "meta_") else None
            p.write_text(json.dumps({"model": "embedded" if embedded else "default",
                                     "sha256": digest}, indent=2, sort_keys=True) + "\n",
                         encoding="utf-8")

        serializers = {SOURCE_FILE: write_source}
        if embedded:
            meta = {k: v for k, v in (getattr(model, "meta_", None) or {}).items()
                    if k not in ("files", "versions", "schema_version", "taxonomy")}
            serializers["model"] = lambda p: _artifact().save_domain_model(model, p, meta)
        util.to_disk(path, serializers, exclude)

    def from_disk(self, path, *, exclude: Sequence[str] = ()) -> "LivelihoodDomains":
        path = Path(path)
        source = {}

        def read_source(p: Path) -> None:
            source.update(json.loads(p.read_text(encoding="utf-8")))

        if not (path / SOURCE_FILE).is_file():
            raise ModelError(f"{path} has no {SOURCE_FILE}: not a livelihood_domains folder written by "
                             f"this minsheng. Save the pipeline again with nlp.to_disk().")
        util.from_disk(path, {SOURCE_FILE: read_source}, exclude)
        if source.get("model") == "embedded":
            self.classifier, self.source = _artifact().load_domain_model(path / "model"), str(path / "model")
        else:  # MANIFEST first, then the recorded digest, before anything is unpickled
            verify_folder(shipped_model_dir())
            shipped = sha256_file(shipped_model_dir() / MODEL_FILE)
            if source.get("sha256") and source["sha256"] != shipped:
                raise ModelError(f"The pipeline at {path.parent} was saved with domain model "
                                 f"sha256 {source['sha256']}, but the shipped models/domains has "
                                 f"{shipped}. Save the pipeline again (nlp.to_disk) with this "
                                 f"model, or restore the matching models/domains.")
            self._load("default")
        return self


@Language.factory("livelihood_domains",
                  assigns=["doc.cats", "doc._.domain", "doc._.domains", "doc._.domain_status",
                           "doc._.domain_topic"],
                  default_config={"model": "default", "topics": True})
def make_livelihood_domains(nlp: Language, name: str, model: str | None,
                            topics: bool) -> LivelihoodDomains:
    """Factory for the ``livelihood_domains`` component (entry point in pyproject)."""
    return LivelihoodDomains(nlp, name, model=model, topics=topics)


def add_to_pipeline(nlp: Language, model_dir: str | Path | None = None,
                    name: str = "livelihood_domains") -> LivelihoodDomains:
    """Append the component to *nlp* and load its classifier (default: the shipped one)."""
    spec = str(model_dir) if model_dir is not None else "default"
    pipe = nlp.add_pipe("livelihood_domains", name=name, config={"model": spec})
    pipe.initialize()
    return pipe
