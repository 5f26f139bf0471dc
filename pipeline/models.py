"""Where models live, and the rule that nothing is loaded before its sha256 matches.

Committed artifacts sit in the repository's ``models/`` folder (or
``$MINSHENG_MODELS``) and are described in ``models/MANIFEST`` (TOML): per
model its folder, what it was trained on, the command, scores and the sha256
of every file. Provisioned third-party models live in the cache
(:mod:`pipeline.assets`). joblib and pickle files execute code when loaded, so
only files whose digest matches a manifest entry are ever opened.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Iterator

from . import assets
from .errors import ModelError, value_invalid_msg

PACKAGE_DIR = Path(__file__).resolve().parent
LEXICON_PATH = PACKAGE_DIR / "data" / "minsheng_lexicon.txt"
NLP_MODEL = "nlp"  # folder of the shipped spaCy pipeline under models/


def models_dir() -> Path:
    """The folder with committed models and MANIFEST."""
    env = os.environ.get("MINSHENG_MODELS")
    return Path(env).expanduser() if env else PACKAGE_DIR.parent / "models"


def manifest() -> dict:
    """Parsed ``models/MANIFEST``; an empty dict when there is none."""
    path = models_dir() / "MANIFEST"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh).get("models", {})


def _restore_hint(folder: Path) -> str:
    return (f"restore the shipped files with 'git checkout -- {folder}' (or reinstall minsheng), "
            f"then check with 'minsheng models verify'")


def _check_entry(name: str, entry: dict, folder: Path) -> Path:
    """Every file of *folder* against *entry*'s sha256 table; nothing unlisted."""
    digests = entry.get("sha256", {})
    for rel, expected in sorted(digests.items()):
        path = folder / rel
        if not path.is_file():
            raise ModelError(f"Model '{name}' is missing {path} (listed in MANIFEST). "
                             f"Fix: {_restore_hint(folder)}, or retrain it ({entry.get('command', '?')}).")
        actual = assets.sha256_file(path)
        if actual != expected:
            raise ModelError(f"Model '{name}': sha256 of {path} is {actual}, MANIFEST says {expected}. "
                             f"The file was changed or corrupted; it will not be loaded. "
                             f"Fix: {_restore_hint(folder)}, or update MANIFEST after retraining.")
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if (path.is_file() or path.is_symlink()) and rel not in digests \
                and not any(part.startswith(".") or part == "__pycache__"
                            for part in path.relative_to(folder).parts):
            raise ModelError(f"Model '{name}': {path} is not listed in MANIFEST; an unlisted file "
                             f"in a model folder is never loaded. Fix: remove it, or {_restore_hint(folder)}.")
    return folder


def verify(name: str) -> Path:
    """Return the folder of committed model *name* after checking every file's sha256."""
    entries = manifest()
    if name not in entries:
        raise ModelError(value_invalid_msg("model", name, sorted(entries) or "none (no MANIFEST)")
                         + f" Models are listed in {models_dir() / 'MANIFEST'}.")
    entry = entries[name]
    return _check_entry(name, entry, models_dir() / entry.get("path", name))


def _roots() -> list[Path]:
    """Models folders whose MANIFEST governs what lies inside them."""
    roots = [models_dir().resolve(), (PACKAGE_DIR.parent / "models").resolve()]
    return list(dict.fromkeys(roots))


def verify_folder(folder: str | os.PathLike) -> bool:
    """Check a model folder before anything in it is opened (spaCy pipeline or joblib).

    A folder inside a models folder (``models/`` of this package or
    ``$MINSHENG_MODELS``) must be, or lie inside, a MANIFEST entry, and every
    file of that entry must match its sha256 (:class:`ModelError` otherwise,
    one line naming the file, both digests and the fix).  Returns True when
    the folder was checked this way, False for a folder outside every models
    folder: a model the user trained, which the caller checks against its own
    ``meta.json``.
    """
    target = Path(folder).expanduser().resolve()
    for root in _roots():
        if target != root and root not in target.parents:
            continue
        entries = {}
        if (root / "MANIFEST").is_file():
            with open(root / "MANIFEST", "rb") as fh:
                entries = tomllib.load(fh).get("models", {})
        for name, entry in sorted(entries.items()):
            base = (root / entry.get("path", name)).resolve()
            if target == base or base in target.parents:
                _check_entry(name, entry, base)
                return True
        raise ModelError(f"{target} lies in the models folder {root} but no entry of "
                         f"{root / 'MANIFEST'} describes it, so it is not loaded. Train into a "
                         f"folder outside {root} (checked against its own meta.json), or "
                         f"{_restore_hint(root)}.")
    return False


def segmenter_dir(model: str) -> Path:
    """Resolve a segmenter name (``pd1998``, ``pkuseg-default``) or directory to a folder."""
    if model == "pkuseg-default":
        return assets.pkuseg_default_dir()
    if model == "pd1998":
        return verify(NLP_MODEL) / "tokenizer"
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    raise ModelError(value_invalid_msg("segmenter model", model,
                                       "'pd1998', 'pkuseg-default' or a directory with "
                                       "features.msgpack and weights.npz"))


def read_lexicon(spec: str) -> dict[str, str | None]:
    """Entries of a user dictionary (``minsheng`` = bundled lexicon, or a path): one word a
    line, optionally followed by a PKU tag; ``#`` starts a comment."""
    path = LEXICON_PATH if spec == "minsheng" else Path(spec).expanduser()
    if not path.exists():
        raise ModelError(f"User dictionary {path} does not exist. Use 'minsheng' for the bundled "
                         f"policy lexicon, a file with one word a line, or null for none.")
    entries: dict[str, str | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            entries[fields[0]] = fields[1] if len(fields) > 1 else None
    return entries


def read_user_dict(spec: str) -> list[str]:
    """Words of a user dictionary (see :func:`read_lexicon`)."""
    return list(read_lexicon(spec))


def fetch() -> dict[str, Path]:
    """Provision registry data and verify committed models; return what is where."""
    found = dict(assets.fetch_all())
    for name in sorted(manifest()):
        found[name] = verify(name)
    if NLP_MODEL in found:  # the shipped segmenter adds pkuseg-default's weights: sum them once now
        from .nlp.tokenizer import prepare_saved

        found["segmenter (summed)"] = prepare_saved(found[NLP_MODEL] / "tokenizer")
    return found


def verify_all() -> Iterator[str]:
    for name in sorted(manifest()):
        yield f"{name}: ok ({verify(name)})"


def describe() -> Iterator[str]:
    for name, entry in sorted(manifest().items()):
        yield f"{name}: {entry.get('description', '')} [{entry.get('path', name)}]"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def record(name: str, folder: Path, fields: dict, scores: dict[str, float]) -> None:
    """Write or replace model *name*'s MANIFEST entry with the sha256 of every file in *folder*."""
    entries = manifest()
    digests = {p.relative_to(folder).as_posix(): assets.sha256_file(p)
               for p in sorted(folder.rglob("*")) if p.is_file()}
    folder = Path(folder).resolve()
    entries[name] = {**fields, "path": folder.relative_to(models_dir().resolve()).as_posix(),
                     "scores": scores, "sha256": digests}
    lines = ["# Committed models: what, from which data, by which command, how good, and the",
             "# sha256 of every file. Files are loaded only when their digest matches.", ""]
    for model_name, entry in sorted(entries.items()):
        lines.append(f'[models."{model_name}"]')
        for key, value in entry.items():
            if not isinstance(value, dict):
                lines.append(f"{key} = {_toml_value(value)}")
        for key in ("scores", "sha256"):
            lines.append(f'[models."{model_name}".{key}]')
            lines += [f'"{k}" = {_toml_value(v)}' for k, v in sorted(entry.get(key, {}).items())]
        lines.append("")
    (models_dir() / "MANIFEST").write_text("\n".join(lines), encoding="utf-8")


def refresh_digests(name: str) -> None:
    """Re-record the sha256 of every file of committed model *name*, keeping its other fields."""
    entry = dict(manifest()[name])
    folder = models_dir() / entry.get("path", name)
    fields = {k: v for k, v in entry.items() if k not in ("path", "scores", "sha256")}
    record(name, folder, fields, dict(entry.get("scores", {})))
