"""``attention()``: the tidy table of attention by group, with bootstrap intervals.

One row per (group, scope, domain, measure): the group's field values,
``scope`` (``all`` | ``livelihood``), ``domain``, ``measure`` (see
:mod:`pipeline.shares.measures`; ``adjusted`` when a confusion matrix is
given), ``value`` (the estimate on all the group's paragraphs), ``lo`` /
``hi`` (95 % seeded bootstrap interval; see :func:`boundary_interval` for
shares of exactly 0 or 1), ``paragraphs`` (body paragraphs in
scope) and ``documents``. Groups are the distinct values of the ``by`` fields
(document metadata, or ``doc_id``); ``by=[]`` is one corpus-wide group.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .adjust import adjusted_shares
from .bootstrap import SEED, bootstrap, group_rng, percentile_interval
from .measures import MEASURES, OTHER, SCOPES, matrices

COLUMNS = ("scope", "domain", "measure", "value", "lo", "hi", "paragraphs", "documents")
N_BOOT = 200
#: Measures that count paragraphs, whose degenerate intervals get the exact bound.
COUNTED = ("primary", "chars", "coverage")


def group_value(row: Mapping[str, Any], field: str) -> Any:
    """The value of grouping field *field* for a paragraph row (``doc_id`` or a metadata field)."""
    if field == "doc_id":
        return row.get("doc_id")
    return (row.get("meta") or {}).get(field)


def _sort_key(values: tuple) -> tuple:
    return tuple((2, "") if v is None else (0, float(v), "") if isinstance(v, (int, float))
                 and not isinstance(v, bool) else (1, 0.0, str(v)) for v in values)


def _groups(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> list[tuple[tuple, list[int]]]:
    out: dict[tuple, list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault(tuple(group_value(r, f) for f in by), []).append(i)
    return sorted(out.items(), key=lambda kv: _sort_key(kv[0]))


def read_rows(run_dir: str | Path) -> tuple[list[dict[str, Any]], list[str] | None]:
    """Paragraph rows of a run folder and its domain order (from run.json, when present)."""
    base = Path(run_dir)
    path = base / "paragraphs.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"attention: {str(path)!r} does not exist; pass the output folder of "
                                "a finished 'minsheng run' (its paths.output)")
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    manifest = base / "run.json"
    domains = json.loads(manifest.read_text("utf-8")).get("domains") if manifest.is_file() else None
    return rows, domains


def domain_list(rows: Iterable[Mapping[str, Any]], known: Sequence[str] | None = None) -> list[str]:
    """*known* in order, then every other domain the rows score or assign, in first-seen order."""
    out = list(known or [])
    for r in rows:
        for d in list((r.get("cats") or {})) + ([r["domain"]] if r.get("domain") else []):
            if d not in out:
                out.append(d)
    return out


def _aligned(confusion: np.ndarray, confusion_ids: Sequence[str], domains: Sequence[str]) -> np.ndarray:
    if list(confusion_ids) == list(domains):
        return np.asarray(confusion, dtype=float)
    missing = sorted(set(domains) - set(confusion_ids))
    if missing:
        raise ValueError(f"confusion matrix has no rows for domains {missing}; it must cover every "
                         f"domain of the run ({', '.join(domains)})")
    idx = [list(confusion_ids).index(d) for d in domains]
    return np.asarray(confusion, dtype=float)[np.ix_(idx, idx)]


def _scope_rows(rows: Sequence[Mapping[str, Any]], members: list[int], domains: Sequence[str],
                scope: str, other: str, n_boot: int, seed: int, key: str,
                confusion: np.ndarray | None) -> list[dict[str, Any]]:
    sub = [rows[i] for i in members]
    order = sorted(range(len(sub)), key=lambda i: (str(sub[i].get("doc_id")), i))
    sub = [sub[i] for i in order]  # paragraphs grouped by document for the clustered bootstrap
    M, picked = matrices(sub, domains, scope, other)
    if not picked:
        return []
    docs = [sub[i].get("doc_id") for i in picked]
    sizes = [docs.count(d) for d in dict.fromkeys(docs)]
    point = M.estimate(np.ones((1, len(picked))))[0]
    reps = bootstrap(M.estimate, sizes, n_boot, group_rng(seed, f"{key}|{scope}")) if n_boot else None
    values = {m: point[j] for j, m in enumerate(MEASURES)}
    reps_by = {m: reps[:, j] for j, m in enumerate(MEASURES)} if reps is not None else {}
    out = _emit(values, reps_by, M.domains, scope, len(picked), len(sizes))
    if confusion is not None and scope == "all":
        adj = {"adjusted": adjusted_shares(point[0], confusion)}
        adj_reps = {"adjusted": adjusted_shares(reps[:, 0], confusion)} if reps is not None else {}
        out += _emit(adj, adj_reps, M.domains, "all", len(picked), len(sizes))
        if other in M.domains:  # livelihood scope: without other, renormalised
            keep = [k for k, d in enumerate(M.domains) if d != other]
            with np.errstate(invalid="ignore", divide="ignore"):
                adj = {m: v[keep] / v[keep].sum() for m, v in adj.items()}
                adj_reps = {m: v[:, keep] / v[:, keep].sum(axis=1, keepdims=True)
                            for m, v in adj_reps.items()}
            out += _emit(adj, adj_reps, [M.domains[k] for k in keep], "livelihood", len(picked),
                         len(sizes))
    return out


def _emit(values: Mapping[str, np.ndarray], reps_by: Mapping[str, np.ndarray], domains: Sequence[str],
          scope: str, n_paragraphs: int, n_documents: int) -> list[dict[str, Any]]:
    out = []
    for m, v in values.items():
        lo, hi = percentile_interval(reps_by[m]) if m in reps_by else (None, None)
        if lo is not None and m in COUNTED:
            lo, hi = boundary_interval(v, lo, hi, n_paragraphs)
        for k, d in enumerate(domains):
            out.append({"scope": scope, "domain": d, "measure": m, "value": _num(v[k]),
                        "lo": None if lo is None else _num(lo[k]),
                        "hi": None if hi is None else _num(hi[k]),
                        "paragraphs": n_paragraphs, "documents": n_documents})
    return out


def boundary_interval(value: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Widen degenerate intervals at 0 or 1 to the exact (Clopper-Pearson) bound for n paragraphs.

    A domain with no paragraph in the group gets the bootstrap interval
    [0, 0] -- every replicate is 0 too -- which cannot hold a true share
    above zero; the exact 95 % bound for 0 of n, ``1 - 0.025**(1/n)``, can.
    Likewise for a share of exactly 1.
    """
    lo, hi = lo.copy(), hi.copy()
    bound = 0.025 ** (1.0 / max(1, n))
    at_zero = (value == 0) & (hi == 0)
    at_one = (value == 1) & (lo == 1)
    hi[at_zero] = 1 - bound
    lo[at_one] = bound
    return lo, hi


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def attention_rows(rows: Sequence[Mapping[str, Any]], by: Sequence[str] = (), *,
                   domains: Sequence[str] | None = None, scopes: Sequence[str] = SCOPES,
                   confusion: np.ndarray | None = None, confusion_ids: Sequence[str] | None = None,
                   n_boot: int = N_BOOT, seed: int = SEED, other: str = OTHER) -> list[dict[str, Any]]:
    """The tidy attention rows (dicts) of paragraph *rows* grouped *by* the given fields."""
    for s in scopes:
        if s not in SCOPES:
            raise ValueError(f"unknown scope {s!r}; valid: {', '.join(SCOPES)}")
    domains = domain_list(rows, domains)
    C = None if confusion is None else _aligned(confusion, confusion_ids or domains, domains)
    out: list[dict[str, Any]] = []
    for values, members in _groups(rows, list(by)):
        key = json.dumps([list(by), list(values)], ensure_ascii=False, default=str)
        group = dict(zip(by, values))
        made: list[dict[str, Any]] = []
        for scope in SCOPES if C is not None else scopes:
            made += _scope_rows(rows, members, domains, scope, other, n_boot, seed, key, C)
        out += [{**group, **r} for r in made if r["scope"] in scopes]
    return out


def attention(source: str | Path | Sequence[Mapping[str, Any]], by: Sequence[str] | str = (),
              **options: Any) -> Any:
    """``pipeline.attention(run_dir_or_rows, by=["year"])``: the tidy table as a DataFrame.

    *source* is a run's output folder (``paragraphs.jsonl`` + ``run.json``) or
    paragraph rows as dicts; *options* are those of :func:`attention_rows`
    (``scopes``, ``confusion`` + ``confusion_ids``, ``n_boot``, ``seed``).
    """
    import pandas as pd

    by = [by] if isinstance(by, str) else list(by)
    if isinstance(source, (str, Path)):
        rows, known = read_rows(source)
        options.setdefault("domains", known)
    else:
        rows = list(source)
    table = attention_rows(rows, by, **options)
    return pd.DataFrame(table, columns=list(by) + list(COLUMNS))
