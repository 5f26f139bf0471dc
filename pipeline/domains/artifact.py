"""Model artifacts: a directory with joblib file(s) and ``meta.json``.

``meta.json`` records the package, spaCy, scikit-learn and Python versions, the
schema version, the taxonomy hash, a description and hash of the training
corpus, the config, dev (and cross-validated) scores, and the sha256 of every
other file in the directory.

Security: joblib files are pickles, and unpickling runs code.  Load only models
you trust: the default model shipped in this repository (``models/domains/``)
or directories you trained yourself.  :func:`load_domain_model` checks every
file's sha256 against ``meta.json`` *before* unpickling, which catches
corruption and edited files, but a ``meta.json`` rewritten together with the
pickle passes — the digest is no defence against a malicious source, only the
source's trustworthiness is.
"""
from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import joblib

from ..assets import sha256_file, write_dir_atomically
from ..errors import ModelError
from ..models import verify_folder

SCHEMA_VERSION = 8
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


def default_model_dir() -> Path:
    """The model committed with the repository: ``models/domains`` (or under $MINSHENG_MODELS)."""
    from ..models import models_dir

    return models_dir() / "domains"


def versions() -> dict[str, str]:
    """Versions that matter for unpickling and reproducing the model."""
    import numpy
    import scipy
    import sklearn

    from .. import __version__
    out = {"minsheng": __version__, "python": platform.python_version(),
           "sklearn": sklearn.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
           "joblib": joblib.__version__}
    try:  # recorded for provenance only; this module never imports spaCy itself
        from importlib.metadata import version
        out["spacy"] = version("spacy")
    except Exception:  # pragma: no cover - spaCy absent
        out["spacy"] = "absent"
    return out


def save_domain_model(model: Any, path: str | Path, meta: dict | None = None) -> Path:
    """Write *model* and ``meta.json`` (with sha256 of each file) to directory *path*.

    The directory is written to a temporary sibling and renamed into place, so a
    half-written artifact never replaces a complete one.
    """
    def fill(tmp: Path) -> None:
        loaded_meta = model.__dict__.pop("meta_", None)  # set by load; not part of the model
        try:
            joblib.dump(model, tmp / MODEL_FILE, compress=3)
        finally:
            if loaded_meta is not None:
                model.meta_ = loaded_meta
        info = dict(meta or {})
        if getattr(model, "adapted_prior_", None) is not None:  # say so: predictions differ from a fresh fit's
            info["adapted_prior"] = float(model.adapted_prior_)
        tax = getattr(model, "taxonomy_", None)
        info.update({
            "schema_version": SCHEMA_VERSION,
            "versions": versions(),
            "taxonomy": {"name": getattr(tax, "name", ""), "sha256": getattr(tax, "sha256", ""),
                         "ids": list(getattr(tax, "ids", []))},
            "files": {MODEL_FILE: sha256_file(tmp / MODEL_FILE)},
        })
        (tmp / META_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=2, sort_keys=True)
                                     + "\n", encoding="utf-8")

    return write_dir_atomically(Path(path), fill)


def read_meta(path: str | Path) -> dict:
    """``meta.json`` of an artifact directory, with clear errors when absent or broken."""
    p = Path(path)
    meta_path = p / META_FILE
    if not meta_path.is_file():
        raise ModelError(f"No {META_FILE} in domain model directory {str(p)!r}. Pass a directory "
                         f"written by 'minsheng train domains' (e.g. models/domains).")
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path} is not valid JSON ({exc}); the artifact is corrupt. "
                         f"Retrain with 'minsheng train domains' or restore it from git.") from exc


def load_domain_model(path: str | Path | None = None) -> Any:
    """Load a domain model directory (default: the shipped one) after verifying it.

    Refuses (ModelError) when a file's sha256 differs from ``meta.json`` or the
    schema is newer than this package understands.  Nothing is unpickled
    before every check passes.
    """
    p = Path(path) if path is not None else default_model_dir()
    verify_folder(p)  # inside models/: every file as models/MANIFEST lists it, before anything else
    meta = read_meta(p)
    schema = meta.get("schema_version")
    if not isinstance(schema, int) or schema != SCHEMA_VERSION:
        hint = ("Upgrade minsheng (pip install -U minsheng)" if isinstance(schema, int) and schema > SCHEMA_VERSION
                else "Retrain it with 'minsheng train domains pipeline/configs/domains.cfg'")
        raise ModelError(f"Domain model {str(p)!r} has schema_version {schema!r}; this minsheng "
                         f"reads schema {SCHEMA_VERSION} (a DomainClassifier). {hint}.")
    files = meta.get("files") or {}
    if MODEL_FILE not in files:
        raise ModelError(f"{p / META_FILE} lists no sha256 for {MODEL_FILE}; refusing to load an "
                         f"unverifiable pickle. Retrain with 'minsheng train domains'.")
    for name, expected in sorted(files.items()):
        f = p / name
        if not f.is_file():
            raise ModelError(f"Domain model file {str(f)!r} listed in meta.json is missing. "
                             f"Restore the directory or retrain.")
        actual = sha256_file(Path(f))
        if actual != expected:
            raise ModelError(f"sha256 mismatch for {str(f)!r}: meta.json says {expected}, the file "
                             f"has {actual}. The file was modified or corrupted; refusing to "
                             f"unpickle it. Restore it (git checkout models/domains) or retrain.")
    model = joblib.load(p / MODEL_FILE)
    model.meta_ = meta
    return model
