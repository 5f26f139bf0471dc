"""spaCy tokenizer around :class:`PkusegSegmenter`, saved with the pipeline.

Construction is cheap; the model is loaded in ``initialize()`` (from a named
model or a directory) and then travels with ``nlp.to_disk()`` as plain files.
When the model is summed with a partner model (``ensemble``, see
:mod:`pipeline.nlp.ensemble`), only the partner's name travels: it is
provisioned from its registry package (``minsheng models fetch``), and the sum
is rebuilt from the cache on load.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

import srsly
from spacy import util
from spacy.tokens import Doc
from spacy.util import DummyTokenizer, registry
from spacy.vocab import Vocab

from ..errors import ModelError
from . import normalize
from .segmenter import MODEL_FILES, PkusegSegmenter

USER_DICT_FILE = "user_dict.txt"


@registry.tokenizers("minsheng.PkusegTokenizer.v1")
def create_tokenizer(normalize_width: bool = True,
                     normalize_script: bool = True) -> Callable[[Any], "PkusegTokenizer"]:
    """Tokenizer factory for ``[nlp.tokenizer]``: the segmenter reads half-width ASCII
    as full-width (*normalize_width*) and traditional text as simplified
    (*normalize_script*, :func:`pipeline.nlp.normalize.script_view`)."""

    def make(nlp) -> PkusegTokenizer:
        return PkusegTokenizer(nlp.vocab, normalize_width=normalize_width,
                               normalize_script=normalize_script)

    return make


def crf_model_dir(model_dir: Path, ensemble: str | None = None,
                  ensemble_weight: float = 1.0) -> Path:
    """The folder the CRF is loaded from: *model_dir*, or its cached sum with *ensemble*."""
    from .. import models
    from .ensemble import ensemble_dir

    if not ensemble:
        return model_dir
    return ensemble_dir([(model_dir, 1.0), (models.segmenter_dir(ensemble), float(ensemble_weight))])


def prepare_saved(path: Path) -> Path:
    """Build (or find) the CRF a saved tokenizer folder will load and its lookup
    tables, e.g. while provisioning, so the first load is quick."""
    cfg = srsly.read_json(Path(path) / "cfg")
    folder = crf_model_dir(Path(path), cfg.get("ensemble"), cfg.get("ensemble_weight", 1.0))
    PkusegSegmenter(folder)
    return folder


def words_and_spaces(text: str, spans: Iterable[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """Words and trailing-space flags of *text* cut at *spans* (``(start, length)``, in
    order, whitespace between them): ``spacy.util.get_words_and_spaces`` without its
    search for each word, since the positions are known. One space after a word is
    its trailing space; any other whitespace is a token of its own."""
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for start, length in spans:
        if start > pos:
            words.append(text[pos:start])
            spaces.append(False)
        words.append(text[start:start + length])
        pos = start + length
        if text[pos:pos + 1] == " ":
            spaces.append(True)
            pos += 1
        else:
            spaces.append(False)
    if pos < len(text):
        words.append(text[pos:])
        spaces.append(False)
    return words, spaces


def _norms_from_view(doc: Doc, view: str) -> None:
    """Where OpenCC's phrase-aware conversion chose another character than the word's own
    fold (a traditional text), the token's NORM follows the view, as for the simplified text."""
    for token in doc:
        seen = view[token.idx:token.idx + len(token.text)]
        if normalize.fold(token.text) != normalize.fold(seen):
            token.norm_ = normalize.norm(seen)


class PkusegTokenizer(DummyTokenizer):
    """Word segmentation with a pkuseg CRF model; whitespace kept as token spaces."""

    def __init__(self, vocab: Vocab, normalize_width: bool = True, normalize_script: bool = True):
        self.vocab = vocab
        self.normalize_width = normalize_width
        self.normalize_script = normalize_script
        self.model_name: str | None = None
        self.ensemble: str | None = None
        self.ensemble_weight = 1.0
        self.segmenter: PkusegSegmenter | None = None
        self._model_dir: Path | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp=None,
                   model: str = "pd1998", user_dict: Optional[str] = "minsheng",
                   ensemble: Optional[str] = None, ensemble_weight: float = 1.0,
                   pkuseg_model: Optional[str] = None,
                   pkuseg_user_dict: Optional[str] = None) -> None:
        """Load a segmenter: *model* is a name from ``pipeline.models`` or a directory;
        *user_dict* is ``"minsheng"`` (the bundled policy lexicon), a file path, or None.
        *ensemble* names a second model (``"pkuseg-default"``) whose weights, times
        *ensemble_weight*, are added to *model*'s; None segments with *model* alone.

        ``pkuseg_model`` / ``pkuseg_user_dict`` are accepted because spaCy's Chinese
        defaults always pass them; ``pkuseg_model``, when set, is used as *model*,
        and ``pkuseg_user_dict`` is ignored (pkuseg's own 'default' dictionary
        lowers accuracy on PKU-standard text)."""
        from .. import models

        if pkuseg_model:
            model = pkuseg_model

        model_dir = models.segmenter_dir(model)
        words = models.read_user_dict(user_dict) if user_dict else []
        self._load(model_dir, words, name=str(model), ensemble=ensemble,
                   ensemble_weight=ensemble_weight)

    def _load(self, model_dir: Path, user_words: Iterable[str], name: str,
              ensemble: str | None = None, ensemble_weight: float = 1.0) -> None:
        crf_dir = crf_model_dir(Path(model_dir), ensemble, ensemble_weight)
        self.segmenter = PkusegSegmenter(crf_dir, user_words, self.normalize_width)
        self._model_dir = Path(model_dir)
        self.model_name = name
        self.ensemble = ensemble or None
        self.ensemble_weight = float(ensemble_weight)

    def __call__(self, text: str) -> Doc:
        return self.docs([text])[0]

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterable[Doc]:
        """Docs of *texts*, segmented *batch_size* texts at a time (one CRF pass each)."""
        for batch in util.minibatch(texts, batch_size):
            yield from self.docs(batch)

    def docs(self, texts: Sequence[str]) -> list[Doc]:
        """One Doc per text; the CRF scores all texts' pieces in one feature pass."""
        if self.segmenter is None:
            raise ModelError("The pkuseg tokenizer has no model: call nlp.initialize() or use "
                             "pipeline.load(), which loads the shipped model.")
        views = [self._view(text) for text in texts]
        out = []
        for text, view, spans in zip(texts, views, self.segmenter.spans_many(texts, views)):
            words, spaces = words_and_spaces(text, spans)
            doc = Doc(self.vocab, words=words, spaces=spaces)
            if view is not None and view != normalize.fold(text):
                _norms_from_view(doc, view)
            out.append(doc)
        return out

    def _view(self, text: str) -> str | None:
        """What the segmenter reads (None: its own width mapping)."""
        if not self.normalize_script:
            return None
        view = normalize.script_view(text)
        return normalize.to_full_width(view) if self.normalize_width else view

    # -- serialisation -------------------------------------------------------------
    def _cfg(self) -> dict:
        return {"normalize_width": self.normalize_width, "normalize_script": self.normalize_script,
                "model_name": self.model_name,
                "ensemble": self.ensemble, "ensemble_weight": self.ensemble_weight}

    def to_disk(self, path, **kwargs) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self._cfg())
        if self.segmenter is not None and self._model_dir is not None:
            for name in MODEL_FILES:
                if (self._model_dir / name).resolve() != (path / name).resolve():
                    shutil.copyfile(self._model_dir / name, path / name)
            (path / USER_DICT_FILE).write_text("\n".join(self.segmenter.user_words) + "\n",
                                               encoding="utf-8")

    def from_disk(self, path, **kwargs) -> "PkusegTokenizer":
        path = Path(path)
        cfg = srsly.read_json(path / "cfg")
        self.normalize_width = cfg.get("normalize_width", True)
        self.normalize_script = cfg.get("normalize_script", True)
        if all((path / name).exists() for name in MODEL_FILES):
            words = []
            if (path / USER_DICT_FILE).exists():
                words = (path / USER_DICT_FILE).read_text(encoding="utf-8").split("\n")
            self._load(path, words, cfg.get("model_name") or str(path),
                       ensemble=cfg.get("ensemble"), ensemble_weight=cfg.get("ensemble_weight", 1.0))
        return self

    def to_bytes(self, **kwargs) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            self.to_disk(tmp)
            files = {p.name: p.read_bytes() for p in Path(tmp).iterdir()}
        return srsly.msgpack_dumps(files)

    def from_bytes(self, data: bytes, **kwargs) -> "PkusegTokenizer":
        files = srsly.msgpack_loads(data)
        self._tmp = tempfile.TemporaryDirectory()  # kept alive with the tokenizer
        for name, blob in files.items():
            (Path(self._tmp.name) / name).write_bytes(blob)
        return self.from_disk(self._tmp.name)
