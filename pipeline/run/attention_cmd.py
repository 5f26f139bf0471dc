"""``minsheng attention RUN_DIR --by year``: the attention table of a finished run.

Reads ``paragraphs.jsonl`` and ``run.json`` of RUN_DIR, finds a confusion
matrix for the prior-adjusted share (:mod:`pipeline.run.confusion`; the
reason is printed when there is none), writes ``RUN_DIR/attention.csv`` (the
per-document rows, as every run writes them, plus the requested grouping, all
measures) and returns a printable table of one measure: a row per group, a
column per domain, each cell ``share% [lo–hi]``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import ConfigError, value_invalid_msg
from ..shares.measures import DERIVED, MEASURES, OTHER
from ..shares.table import read_rows
from .confusion import find_confusion
from .outputs import attention_tables, write_attention_csv


def _cell(r: Mapping[str, Any]) -> str:
    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}"

    return f"{pct(r['value'])} [{pct(r['lo'])}-{pct(r['hi'])}]"


def format_table(rows: Sequence[Mapping[str, Any]], by: Sequence[str], measure: str,
                 scope: str, domains: Sequence[str]) -> str:
    """Groups x domains text table of one measure and scope (shares in %)."""
    field = "+".join(by)
    picked = [r for r in rows if r["by"] == field and r["measure"] == measure and r["scope"] == scope]
    cols = [d for d in domains if any(r["domain"] == d for r in picked)]
    raw = {(tuple(r.get(f) for f in by), r["domain"]): r["value"] for r in rows
           if r["by"] == field and r["measure"] == "primary" and r["scope"] == scope}
    groups: dict[tuple, dict[str, str]] = {}
    for r in picked:
        key = tuple(r.get(f) for f in by)
        cell = _cell(r)
        if measure == "adjusted" and raw.get((key, r["domain"])) is not None:
            cell += f" raw {100 * raw[(key, r['domain'])]:.1f}"  # shown beside the raw share
        groups.setdefault(key, {"paragraphs": str(r["paragraphs"])})[r["domain"]] = cell
    header = [*by, "paragraphs", *cols]
    body = [[*("" if v is None else str(v) for v in key), cells["paragraphs"],
             *(cells.get(d, "") for d in cols)] for key, cells in groups.items()]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)) for line in [header, *body]]
    return "\n".join(lines)


def attention_command(run_dir: Path, by: Sequence[str], measure: str = "primary",
                      livelihood_only: bool = False, output: Path | None = None,
                      adjusted: bool = True) -> tuple[str, Path, list[str]]:
    """Write the attention CSV; return the printable table, its path and notes."""
    valid = MEASURES + DERIVED
    if measure not in valid:
        raise ConfigError(value_invalid_msg("--measure", measure, valid))
    run_dir = Path(run_dir)
    rows, domains = read_rows(run_dir)
    if not (run_dir / "run.json").is_file():
        raise ConfigError(f"{run_dir / 'run.json'} does not exist; pass the output folder of a finished "
                          "'minsheng run' (it writes run.json last)")
    manifest = json.loads((run_dir / "run.json").read_text("utf-8"))
    fields = {k for r in rows for k in (r.get("meta") or {})}
    missing = [f for f in by if f != "doc_id" and f not in fields]
    if missing:
        raise ConfigError(f"--by {', '.join(missing)}: no document of {run_dir} has that metadata field; "
                          f"fields present: {', '.join(sorted(fields)) or 'none'} (or doc_id). Fix: pick "
                          "one of them, or add metadata (metadata.csv, filename_fields, record fields) "
                          "and run again.")
    config = manifest["config"]
    domains = domains or manifest.get("domains") or []
    notes: list[str] = []
    confusion = None
    if adjusted or measure == "adjusted":
        confusion, reason = find_confusion(run_dir, domains, config)
        if confusion is None:
            notes.append(f"adjusted share unavailable: {reason}")
        else:
            notes.append(f"adjusted share: confusion from {confusion.source}")
    if measure == "adjusted" and confusion is None:
        raise ConfigError(f"--measure adjusted is unavailable for {run_dir}: {notes[-1]}. Fix: set "
                          "MINSHENG_SHARED to the shared folder, or use another --measure.")
    table = attention_tables(rows, domains, [list(by)] if by else [],
                             n_boot=int(config.get("output", {}).get("bootstrap", 200)),
                             confusion=None if confusion is None else confusion.matrix,
                             confusion_ids=None if confusion is None else confusion.ids)
    path = write_attention_csv(output or run_dir / "attention.csv", table)
    by_shown = list(by) or ["doc_id"]
    scope = "livelihood" if livelihood_only else "all"
    text = format_table(table, by_shown, measure, scope, [d for d in domains
                                                           if not (livelihood_only and d == OTHER)])
    return text, Path(path), notes
