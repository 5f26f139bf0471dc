"""Load, override and validate a run config (confection ``.cfg``, spaCy style).

The shipped ``pipeline/configs/default.cfg`` is both the default run and the
schema: a user config is merged over it, so it only needs the keys it changes,
and any key that is not in the defaults is an error (a typo must not be silently
ignored).  Types come from the default values, so the schema lives in one data
file and not in code.  Every error is one line naming the key, the value and the
fix, raised as :class:`pipeline.errors.ConfigError`.
"""
from __future__ import annotations

import copy
import inspect
import json
import os
from pathlib import Path
from typing import Any, Mapping

from confection import Config

from ..errors import ConfigError, value_invalid_msg

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "default.cfg"

#: Keys with a closed set of values.
CHOICES: dict[str, tuple[str, ...]] = {
    "run.engine": ("local", "dask"),
    "run.progress": ("auto", "on", "off"),
    "corpus.unit": ("record", "file"),
}
#: Numeric keys with bounds (inclusive).
BOUNDS: dict[str, tuple[float, float | None]] = {
    "run.n_process": (0, None),
    "run.n_workers": (1, None),
    "run.partition_size": (1, None),
    "nlp.batch_size": (1, None),
    "domains.low_confidence": (0.0, 1.0),
    "output.bootstrap": (0, 100000),
}
#: Sections whose keys are free-form (passed through to another function).
FREE_SECTIONS = ("corpus.options",)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _read_cfg(path: Path) -> dict[str, Any]:
    """Parse a .cfg file without interpolation; ConfigError on syntax problems."""
    if not path.is_file():
        raise ConfigError(f"Config file {str(path)!r} does not exist. Fix: pass the path of a "
                          f".cfg file, e.g. pipeline/configs/default.cfg.")
    try:
        return dict(Config().from_disk(path, interpolate=False))
    except Exception as exc:  # confection raises several types for syntax errors
        first = " ".join(str(exc).split())
        raise ConfigError(f"Config file {str(path)!r} could not be parsed: {first}. Fix the "
                          f"syntax (sections like [run], values like key = \"text\" or 2).") from exc


def defaults() -> dict[str, Any]:
    """The shipped default config as a nested dict (a fresh copy)."""
    return _read_cfg(DEFAULT_CONFIG)


def _flatten(cfg: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"run": {"engine": "local"}} -> {"run.engine": "local"} (free sections kept as leaves)."""
    out: dict[str, Any] = {}
    for key, value in cfg.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and not _is_free(dotted):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _sections() -> list[str]:
    """Section names of the defaults, nested ones dotted (``corpus.options``)."""
    def walk(cfg: Mapping[str, Any], prefix: str) -> list[str]:
        names = []
        for key, value in cfg.items():
            if isinstance(value, Mapping):
                names += [prefix + key] + walk(value, prefix + key + ".")
        return names

    return walk(defaults(), "")


def _section_of(dotted: str) -> str:
    return dotted.rsplit(".", 1)[0] if "." in dotted else ""


def _is_free(dotted: str) -> bool:
    return any(dotted.startswith(s + ".") for s in FREE_SECTIONS)


def _valid_keys_msg(schema: Mapping[str, Any], section: str) -> str:
    keys = sorted(k.rsplit(".", 1)[1] for k in schema if _section_of(k) == section)
    return ", ".join(keys) if keys else "(none)"


def _set(cfg: dict[str, Any], dotted: str, value: Any) -> None:
    if isinstance(value, os.PathLike):  # Path objects from the Python API
        value = os.fspath(value)
    parts = dotted.split(".")
    node = cfg
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _coerce_text(dotted: str, raw: str, default: Any) -> Any:
    """Turn a command-line string into the type of the key's default."""
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ConfigError(value_invalid_msg(dotted, raw, "true or false") +
                          f" Fix: --{dotted} true")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise ConfigError(value_invalid_msg(dotted, raw, "an integer") +
                              f" Fix: e.g. --{dotted} {default}") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise ConfigError(value_invalid_msg(dotted, raw, "a number") +
                              f" Fix: e.g. --{dotted} {default}") from None
    if isinstance(default, str):
        if len(text) >= 2 and text[0] == text[-1] == '"':
            return text[1:-1]
        return raw
    try:  # lists / free-form: JSON if it parses, else the string itself
        return json.loads(text)
    except ValueError:
        return raw


def _check_type(dotted: str, value: Any, default: Any, origin: str) -> Any:
    """Check (and lightly normalise) one merged value against its default's type."""
    fix = f"Fix: set {dotted} in {origin} or pass --{dotted} VALUE."
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(value_invalid_msg(dotted, value, "true or false") + " " + fix)
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(value_invalid_msg(dotted, value, "an integer") + " " + fix)
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(value_invalid_msg(dotted, value, "a number") + " " + fix)
        value = float(value)
    elif isinstance(default, str):
        if isinstance(value, Path):
            value = str(value)
        if not isinstance(value, str):
            raise ConfigError(value_invalid_msg(dotted, value, "a string in quotes") + " " + fix)
    elif isinstance(default, list):
        if isinstance(value, str):  # --output.group_by year,region
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(value_invalid_msg(dotted, value, "a list of names such as "
                                                '["year", "region"]') + " " + fix)
        value = list(value)
    if dotted in CHOICES and value not in CHOICES[dotted]:
        raise ConfigError(value_invalid_msg(dotted, value, CHOICES[dotted]) + " " + fix)
    if dotted in BOUNDS:
        low, high = BOUNDS[dotted]
        if value < low or (high is not None and value > high):
            rng = f">= {low}" if high is None else f"between {low} and {high}"
            raise ConfigError(value_invalid_msg(dotted, value, f"a number {rng}") + " " + fix)
    return value


def _unknown_key(schema: Mapping[str, Any], dotted: str, value: Any, origin: str) -> ConfigError:
    """The error for a key that is not in the defaults (section typo or key typo)."""
    section = _section_of(dotted)
    sections = _sections()
    if section not in sections:
        return ConfigError(f"Unknown config section [{section or dotted}] (key {dotted} in "
                           f"{origin}). Valid sections: {', '.join(sections)}. Fix: remove or "
                           f"rename it.")
    return ConfigError(f"Unknown config key {dotted} = {value!r} in {origin}. Valid keys in "
                       f"[{section}]: {_valid_keys_msg(schema, section)}. Fix: correct the "
                       f"spelling or remove it.")


def _merge_user(schema: dict[str, Any], merged: dict[str, Any], user: Mapping[str, Any],
                origin: str) -> None:
    for dotted, value in _flatten(user).items():
        if dotted not in schema and not _is_free(dotted):
            raise _unknown_key(schema, dotted, value, origin)
        _set(merged, dotted, value)


def _normalise_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Accept {"run.engine": "dask"} and {"run": {"engine": "dask"}} alike."""
    out: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if isinstance(value, Mapping) and "." not in key:
            for sub, v in _flatten({key: dict(value)}).items():
                out[sub] = v
        else:
            out[key] = value
    return out


def load_config(config: str | Path | Mapping[str, Any] | None = None,
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the resolved, validated config as a nested dict.

    ``config`` is a .cfg path, a nested dict, or None for the defaults.
    ``overrides`` maps dotted keys to values; string values (from the command
    line) are converted to the type of the key's default.
    """
    schema_cfg = defaults()
    schema = _flatten(schema_cfg)
    merged = copy.deepcopy(schema_cfg)
    if config is None:
        origin = str(DEFAULT_CONFIG)
    elif isinstance(config, Mapping):
        origin = "the config dict"
        _merge_user(schema, merged, config, origin)
    else:
        origin = str(config)
        _merge_user(schema, merged, _read_cfg(Path(config)), origin)
    for dotted, value in _normalise_overrides(overrides).items():
        if dotted not in schema and not _is_free(dotted):
            raise _unknown_key(schema, dotted, value, "the overrides")
        if isinstance(value, str):
            value = _coerce_text(dotted, value, schema.get(dotted))
        _set(merged, dotted, value)
    try:
        resolved = dict(Config(merged).interpolate())
    except Exception as exc:
        raise ConfigError(f"Config variables in {origin} could not be resolved: "
                          f"{' '.join(str(exc).split())}. Fix the ${{section.key}} reference.") from exc
    flat = _flatten(resolved)
    for dotted, default in schema.items():
        if _is_free(dotted):
            continue
        _set(resolved, dotted, _check_type(dotted, flat.get(dotted), default, origin))
    resolved.setdefault("corpus", {}).setdefault("options", {})
    _check_paths(resolved)
    _check_reader_options(resolved["corpus"]["options"])
    return resolved


def _check_paths(cfg: dict[str, Any]) -> None:
    corpus = Path(cfg["paths"]["corpus"]).expanduser()
    if not cfg["paths"]["corpus"] or not corpus.exists():
        raise ConfigError(f"Missing path for paths.corpus: {cfg['paths']['corpus']!r} does not "
                          f"exist. Fix: pass --paths.corpus DIR, a folder of documents.")
    output = Path(cfg["paths"]["output"]).expanduser()
    if not cfg["paths"]["output"] or output.is_file():
        raise ConfigError(f"Invalid value for paths.output: {cfg['paths']['output']!r} is not a "
                          f"directory. Fix: pass --paths.output DIR (created if missing).")
    model = cfg["nlp"]["model"]
    if model != "default" and not Path(model).expanduser().is_dir():
        raise ConfigError(f"Missing path for nlp.model: {model!r} is neither \"default\" nor a "
                          f"directory. Fix: --nlp.model default, or the path of a saved pipeline.")
    domains = cfg["domains"]["model"]
    if domains not in ("default", "none") and not Path(domains).expanduser().is_dir():
        raise ConfigError(f"Missing path for domains.model: {domains!r} is not \"default\", "
                          f"\"none\" or a directory. Fix: --domains.model default, or the path "
                          f"of a model written by 'minsheng train domains'.")


def _check_reader_options(options: Mapping[str, Any]) -> None:
    """Reject reader options read_corpus does not take (when its signature says so)."""
    if not options:
        return
    try:
        from ..reading import read_corpus
    except ImportError:  # reader not installed yet: it will complain itself
        return
    params = inspect.signature(read_corpus).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    valid = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
             or (p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and n not in ("root", "glob"))]
    for key, value in options.items():
        if key not in valid:
            raise ConfigError(f"Unknown config key corpus.options.{key} = {value!r}: "
                              f"read_corpus takes {', '.join(valid) or 'no options'}. "
                              f"Fix: correct the spelling or remove it.")
