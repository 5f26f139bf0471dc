"""The domain training config (confection) and labeled files.

``pipeline/configs/domains.cfg`` is the schema: every key with its default.
Labeled files are JSONL: ``{id, doc, text, primary, labels}`` (report
paragraphs) or ``{id, text, primary_ok, strict}`` (messages: any id of
``primary_ok`` is an acceptable primary).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import srsly
from confection import Config

from ..errors import ConfigError

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "configs" / "domains.cfg"


def load_config(path: Path, overrides: dict[str, str] | None = None) -> dict:
    """Read a domains config; override values are parsed as JSON when they parse."""
    if not Path(path).is_file():
        raise ConfigError(f"Domain config {str(path)!r} does not exist. Use "
                          f"pipeline/configs/domains.cfg or a copy of it.")
    parsed: dict[str, Any] = {}
    for k, v in (overrides or {}).items():
        try:
            parsed[k] = srsly.json_loads(v)
        except ValueError:
            parsed[k] = v
    try:
        cfg = Config().from_disk(path, overrides=parsed, interpolate=True)
    except Exception as exc:  # confection raises several types for bad keys
        raise ConfigError(f"Cannot read domain config {path} with overrides {parsed}: {exc}") from exc
    return dict(cfg)


def read_labeled(path: Path) -> list[dict]:
    """Rows of a labeled JSONL file, each with ``target`` (what ``DomainClassifier.fit`` takes)."""
    if not Path(path).is_file():
        raise ConfigError(f"Labeled file {str(path)!r} does not exist. Set paths.labeled "
                          f"(e.g. ../shared/data/labeled/livelihood_dev.jsonl).")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except ValueError as exc:
                raise ConfigError(f"{path} line {n} is not JSON ({exc}); one object per line.") from exc
            if not isinstance(r, dict) or not isinstance(r.get("text"), str):
                raise ConfigError(f"{path} line {n} has no string 'text'; labeled rows look like "
                                  f"{{id, text, primary, labels}} or {{id, text, primary_ok}}.")
            if "primary" in r:
                labels = list(r.get("labels") or [r["primary"]])
                if labels[0] != r["primary"]:
                    labels = [r["primary"]] + [d for d in labels if d != r["primary"]]
                r["labels"], r["target"] = labels, labels
            elif "primary_ok" in r:
                r["target"] = set(r["primary_ok"]) if r.get("strict", True) else None
            else:
                raise ConfigError(f"{path} line {n} has neither 'primary' nor 'primary_ok'.")
            rows.append(r)
    return rows
