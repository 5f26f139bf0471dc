"""The attention views of report.html: trend small multiples and group tables.

Both read the tidy attention rows (``attention.csv``: measure ``primary``,
scope ``all`` -- each domain's share of the body paragraphs, with its 95 %
bootstrap interval). Numbers are printed, never hover-only, so a PNG or PDF
of the page keeps them. A trend is drawn per livelihood domain as its own
small panel (no stacked colours to tell apart), ``other`` in a panel apart,
with the x axis proportional to time so gaps between years show.
"""
from __future__ import annotations

import html
from typing import Any, Mapping, Sequence

TIME_FIELDS = ("year", "date", "month", "quarter")
PANEL_W, PANEL_H = 270, 150
_LEFT, _RIGHT, _TOP, _BOTTOM = 38, 10, 22, 34


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}"


def select(arows: Sequence[Mapping[str, Any]], field: str, measure: str = "primary",
           scope: str = "all") -> dict[str, list[Mapping[str, Any]]]:
    """Rows of grouping *field* for one measure and scope, by domain, in group order."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for r in arows:
        if r.get("by") == field and r["measure"] == measure and r["scope"] == scope:
            out.setdefault(r["domain"], []).append(r)
    return out


def is_time(field: str, values: Sequence[Any]) -> bool:
    """A grouping looks like time: a time-like name, or every value an integer 1000-2999."""
    if field.lower() in TIME_FIELDS:
        return True
    return bool(values) and all(isinstance(v, int) and 1000 <= v <= 2999 for v in values)


def _positions(values: Sequence[Any]) -> list[float]:
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(nums) == len(values) and len(set(nums)) > 1:
        lo, hi = min(nums), max(nums)
        return [(v - lo) / (hi - lo) for v in nums]
    return [i / max(1, len(values) - 1) for i in range(len(values))]


def _panel(title: str, rows: Sequence[Mapping[str, Any]], field: str, colour: str) -> str:
    values = [r[field] for r in rows]
    xs = _positions(values)
    top = max([r["hi"] or r["value"] or 0 for r in rows] + [0.01])
    pw, ph = PANEL_W - _LEFT - _RIGHT, PANEL_H - _TOP - _BOTTOM

    def pt(x: float, y: float | None) -> str:
        return f"{_LEFT + x * pw:.1f},{_TOP + ph - (y or 0) / top * ph:.1f}"

    band = [pt(x, r["hi"] if r["hi"] is not None else r["value"]) for x, r in zip(xs, rows)]
    band += [pt(x, r["lo"] if r["lo"] is not None else r["value"]) for x, r in reversed(list(zip(xs, rows)))]
    line = " ".join(pt(x, r["value"]) for x, r in zip(xs, rows))
    peak = max(rows, key=lambda r: r["value"] or 0)
    last = rows[-1]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{PANEL_W}" height="{PANEL_H}" '
             f'class="panel" role="img" aria-label="{_e(title)}">',
             f'<text x="4" y="14" font-size="12" font-weight="bold">{_e(title)}</text>',
             f'<line x1="{_LEFT}" y1="{_TOP + ph}" x2="{_LEFT + pw}" y2="{_TOP + ph}" stroke="#999"/>',
             f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_TOP + ph}" stroke="#999"/>',
             f'<text x="{_LEFT - 3}" y="{_TOP + 4}" font-size="10" text-anchor="end">{_pct(top, 0)}%</text>',
             f'<text x="{_LEFT - 3}" y="{_TOP + ph}" font-size="10" text-anchor="end">0</text>',
             f'<text x="{_LEFT}" y="{_TOP + ph + 12}" font-size="10">{_e(values[0])}</text>',
             f'<text x="{_LEFT + pw}" y="{_TOP + ph + 12}" font-size="10" text-anchor="end">'
             f'{_e(values[-1])}</text>',
             f'<polygon points="{" ".join(band)}" fill="{colour}" fill-opacity="0.22" stroke="none"/>',
             f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.8"/>',
             f'<text x="4" y="{PANEL_H - 4}" font-size="10">max {_e(peak[field])}: '
             f'{_pct(peak["value"])}% · {_e(last[field])}: {_pct(last["value"])}% '
             f'[{_pct(last["lo"])}–{_pct(last["hi"])}]</text></svg>']
    return "".join(parts)


def trend_section(arows: Sequence[Mapping[str, Any]], field: str, domains: Sequence[str],
                  col: Mapping[str, str], label: Any, other: str = "other") -> str:
    """Small multiples: one panel per livelihood domain, ``other`` apart (HTML)."""
    by_domain = select(arows, field)
    panels = [_panel(label(d), by_domain[d], field, col.get(d, "#555"))
              for d in domains if d != other and by_domain.get(d)]
    apart = (_panel(label(other), by_domain[other], field, "#777")
             if by_domain.get(other) else "")
    return (f'<div class="panels">{"".join(panels)}</div>'
            f'<p class="muted">Not livelihood (other):</p><div class="panels">{apart}</div>')


def group_table(arows: Sequence[Mapping[str, Any]], field: str, domains: Sequence[str],
                label: Any, other: str = "other") -> str:
    """Groups x domains: share % with its 95 % interval (and the prior-adjusted share when the
    run had a confusion matrix); cell shade by the column's maximum."""
    by_domain = select(arows, field)
    adjusted = select(arows, field, measure="adjusted")
    cols = [d for d in domains if d != other and by_domain.get(d)] + \
        ([other] if by_domain.get(other) else [])
    if not cols:
        return "<p>No classified body paragraphs.</p>"
    groups = [r[field] for r in by_domain[cols[0]]]
    peak = {d: max((r["value"] or 0) for r in by_domain[d]) or 1.0 for d in cols}
    head = "".join(f"<th>{_e(label(d))}</th>" for d in cols)
    out = [f'<table class="groups" data-by="{_e(field)}"><tr><th>{_e(field)}</th><th>documents</th>'
           f'<th>paragraphs</th>{head}</tr>']
    for i, g in enumerate(groups):
        first = by_domain[cols[0]][i]
        cells = []
        for d in cols:
            r = by_domain[d][i]
            alpha = min(1.0, (r["value"] or 0) / peak[d]) * 0.55
            adj = adjusted.get(d, [])
            adj_text = (f'<br><span class="ci">adj {_pct(adj[i]["value"])}</span>'
                        if len(adj) == len(groups) else "")
            cells.append(f'<td style="background:rgba(0,103,165,{alpha:.2f})">{_pct(r["value"])}'
                         f'<br><span class="ci">{_pct(r["lo"])}–{_pct(r["hi"])}</span>{adj_text}</td>')
        out.append(f"<tr><th>{_e(g if g is not None else '(none)')}</th><td>{first['documents']}</td>"
                   f"<td>{first['paragraphs']}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    return "".join(out)
