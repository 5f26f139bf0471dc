"""report.html: one self-contained page an analyst reads after a run.

No network, no scripts: inline CSS and hand-written SVG charts, so the file
opens anywhere and renders identically offline.  Sections: run facts, the
corpus-level domain distribution, a stacked domain profile per document, top
terms per domain, then every document's paragraphs coloured by primary domain
(scores in the hover title, non-body blocks greyed, low-confidence paragraphs
flagged), and the errors.
"""
from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Sequence

from .files import atomic_write_text

#: One colour per domain position (taxonomy order); ``other`` is always grey.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173",
           "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#fd8d3c")
OTHER_COLOUR = "#9e9e9e"
TOP_TERMS = 12

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","WenQuanYi Zen Hei","Microsoft YaHei",
 "PingFang SC",sans-serif;margin:24px auto;max-width:1180px;color:#222;background:#fff;line-height:1.55}
h1{font-size:26px;margin:0 0 4px} h2{font-size:20px;border-bottom:2px solid #ddd;padding-bottom:4px;
 margin-top:32px} h3{font-size:16px;margin:22px 0 6px}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:3px 8px;
 text-align:left;vertical-align:top} th{background:#f3f3f3}
.legend span{display:inline-block;margin:2px 10px 2px 0;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
.para{margin:6px 0;padding:6px 10px;border-left:6px solid #999;font-size:14px;border-radius:3px}
.para .tag{font-size:11px;color:#fff;padding:0 5px;border-radius:3px;margin-right:6px;white-space:nowrap}
.para.nonbody{background:#f4f4f4!important;border-left-color:#ccc!important;color:#888}
.para.nonbody .tag{background:#bbb!important}
.para.lowconf{outline:2px dashed #e08900;outline-offset:-2px}
.flag{color:#b36200;font-weight:bold;font-size:12px;margin-left:6px}
.para.error{background:#fdecea!important;border-left-color:#c62828!important}
.status{font-size:13px;padding:6px 10px;background:#fff4e5;border:1px solid #f0c36d}
.muted{color:#777;font-size:12px}
svg text{font-family:inherit}
"""


def _names() -> dict[str, str]:
    try:
        from ..domains.taxonomy import load_taxonomy

        return {d.id: d.zh for d in load_taxonomy().domains}
    except Exception:  # noqa: BLE001 - names are cosmetic; ids still show
        return {}


def colours(domains: Sequence[str]) -> dict[str, str]:
    """Stable colour per domain: by position in the domain order, grey for ``other``."""
    out = {}
    for i, d in enumerate(domains):
        out[d] = OTHER_COLOUR if d == "other" else PALETTE[i % len(PALETTE)]
    return out


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _label(d: str, names: Mapping[str, str]) -> str:
    return f"{names[d]} ({d})" if d in names else d


def _legend(domains: Sequence[str], col: Mapping[str, str], names: Mapping[str, str]) -> str:
    items = "".join(f'<span><i style="background:{col[d]}"></i>{_e(_label(d, names))}</span>'
                    for d in domains)
    return f'<div class="legend">{items}</div>'


def _distribution_svg(counts: Counter, domains: Sequence[str], col: Mapping[str, str],
                      names: Mapping[str, str]) -> str:
    total = sum(counts.values()) or 1
    rows = [d for d in domains if counts[d]] or list(domains)
    width, label_w, bar_w, h = 1000, 330, 560, 22
    peak = max((counts[d] for d in rows), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h * len(rows) + 10}"'
             f' role="img" aria-label="corpus domain distribution">']
    for i, d in enumerate(rows):
        y = 5 + i * h
        w = round(bar_w * counts[d] / peak, 1)
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" font-size="13">'
                     f'{_e(_label(d, names))}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{h - 6}" fill="{col[d]}">'
                     f'<title>{_e(d)}: {counts[d]}</title></rect>'
                     f'<text x="{label_w + w + 6}" y="{y + 15}" font-size="12">{counts[d]} '
                     f'({100 * counts[d] / total:.1f}%)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _profiles_svg(drows: Sequence[Mapping[str, Any]], domains: Sequence[str],
                  col: Mapping[str, str]) -> str:
    docs = [r for r in drows if r["body_paragraphs"] and r["status"] == "ok"]
    width, label_w, bar_w, h = 1100, 330, 740, 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{h * len(docs) + 10}"'
             f' role="img" aria-label="domain profile per document">']
    for i, r in enumerate(docs):
        y = 5 + i * h
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="12">'
                     f'{_e(r["doc_id"][:48])} ({r["body_paragraphs"]})</text>')
        x = float(label_w)
        for d in domains:
            share = float(r[f"share_{d}"] or 0)
            if share <= 0:
                continue
            w = bar_w * share
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{h - 6}" '
                         f'fill="{col[d]}"><title>{_e(r["doc_id"])} · {_e(d)}: '
                         f'{100 * share:.1f}%</title></rect>')
            x += w
    parts.append("</svg>")
    return "".join(parts)


def corpus_terms(prows: Sequence[Mapping[str, Any]], tokens: Mapping[str, Sequence[Any]],
                 n: int = TOP_TERMS) -> dict[str, list[tuple[str, int]]]:
    """Most frequent content words of the body paragraphs of each primary domain."""
    from ..domains.terms import terms_from_tagged

    counts: dict[str, Counter] = {}
    for r in prows:
        if r["kind"] != "body" or not r["domain"] or r["para_id"] not in tokens:
            continue
        words, tags = tokens[r["para_id"]]
        counts.setdefault(r["domain"], Counter()).update(
            terms_from_tagged(words, tags or None, bigrams=False))
    return {d: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:n] for d, c in counts.items()}


def _terms_table(terms: Mapping[str, list[tuple[str, int]]], topics: Any, counts: Counter,
                 domains: Sequence[str], col: Mapping[str, str], names: Mapping[str, str]) -> str:
    model_terms: dict[str, list[str]] = {}
    if topics is not None:
        records = topics.to_dict("records") if hasattr(topics, "to_dict") else list(topics)
        for rec in records:
            t = rec.get("top_terms", rec.get("terms", ""))
            t = t.split() if isinstance(t, str) else [str(x) for x in t]
            model_terms.setdefault(str(rec.get("domain", "")), []).extend(t[:6])
    rows = ['<table id="terms-table"><tr><th>domain</th><th>paragraphs</th>'
            '<th>top terms in this corpus</th><th>model topic terms</th></tr>']
    for d in domains:
        if d not in terms and d not in model_terms:
            continue
        here = " ".join(f"{_e(w)}<span class=muted>·{c}</span>" for w, c in terms.get(d, []))
        model = _e(" ".join(model_terms.get(d, [])[:12]))
        rows.append(f'<tr><td><i style="display:inline-block;width:10px;height:10px;'
                    f'background:{col[d]}"></i> {_e(_label(d, names))}</td>'
                    f'<td>{counts[d]}</td>'
                    f'<td>{here}</td><td>{model}</td></tr>')
    rows.append("</table>")
    return "".join(rows)


def _scores_title(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    cats = sorted(row["cats"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    lines = [f"{row['para_id']} [{row['kind']}]"]
    lines += [f"{_label(k, names)}: {v:.3f}" for k, v in cats]
    if row["domains"]:
        lines.append("labels: " + ", ".join(row["domains"]))
    return "\n".join(lines)


def _paragraph(row: Mapping[str, Any], col: Mapping[str, str], names: Mapping[str, str]) -> str:
    classes = ["para", f"kind-{row['kind']}"]
    d = row["domain"]
    colour = col.get(d, OTHER_COLOUR) if d else OTHER_COLOUR
    if row["kind"] != "body":
        classes.append("nonbody")
    if row["status"] == "error":
        classes.append("error")
    flag = ""
    if row["low_confidence"] and row["kind"] == "body":
        classes.append("lowconf")
        flag = f'<span class="flag" title="primary score below threshold">⚠ 低置信度 {row["score"]:.2f}</span>'
    tag = (f'<span class="tag" style="background:{colour}">{_e(names.get(d, d))}</span>' if d
           else f'<span class="tag" style="background:#bbb">{_e(row["kind"])}</span>')
    reason = f' <span class="muted">({_e(row["reason"])})</span>' if row["status"] == "error" else ""
    return (f'<p class="{" ".join(classes)}" id="{_e(row["para_id"])}" data-domain="{_e(d or "")}" '
            f'style="border-left-color:{colour};background:{colour}14" '
            f'title="{_e(_scores_title(row, names))}">{tag}{_e(row["text"])}{flag}{reason}</p>')


def _facts(manifest: Mapping[str, Any]) -> str:
    c = manifest.get("counts", {})
    t = manifest.get("throughput", {})
    m = manifest.get("model", {})
    e = manifest.get("engine", {})
    facts = [
        ("corpus", manifest["config"]["paths"]["corpus"]),
        ("documents", f"{c.get('documents')} "
                      f"({', '.join(f'{k}: {v}' for k, v in c.get('documents_by_status', {}).items())})"),
        ("paragraphs", f"{c.get('paragraphs')} ({c.get('body_paragraphs')} body; "
                       f"{c.get('low_confidence')} low-confidence)"),
        ("characters", c.get("characters")),
        ("engine", f"{e.get('engine')} · workers {e.get('workers')}"),
        ("model", f"{m.get('spec')} (domains: {m.get('domains')}) · "
                  f"{', '.join(m.get('pipeline', [])) or '(tokenizer only)'} · "
                  f"sha256 {str(m.get('sha256'))[:16]}…"),
        ("minsheng", manifest.get("minsheng")),
        ("started", manifest.get("started_at")),
        ("throughput", f"{t.get('paragraphs_per_s')} paragraphs/s · {t.get('chars_per_s')} chars/s"),
        ("errors", len(manifest.get("errors", []))),
    ]
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    warn = "".join(f"<li>{_e(w)}</li>" for w in manifest.get("warnings", []))
    return f'<table id="facts-table">{rows}</table>' + (f"<ul class=muted>{warn}</ul>" if warn else "")


def render_report(*, manifest: Mapping[str, Any], docs: Sequence[Any],
                  prows: Sequence[Mapping[str, Any]], drows: Sequence[Mapping[str, Any]],
                  domains: Sequence[str], topics: Any = None,
                  tokens: Mapping[str, Sequence[Any]] | None = None) -> str:
    """The report as one HTML string."""
    names = _names()
    col = colours(domains)
    body = [r for r in prows if r["kind"] == "body" and r["domain"]]
    counts = Counter(r["domain"] for r in body)
    by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for r in prows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width,initial-scale=1">',
           f"<title>minsheng report · {_e(manifest['config']['paths']['corpus'])}</title>",
           f"<style>{CSS}</style></head><body>",
           "<h1>民生 domains report</h1>",
           f'<p class="muted">{len(docs)} documents · {len(prows)} paragraphs · '
           f'{len(body)} classified body paragraphs</p>',
           '<section id="facts"><h2>Run facts</h2>', _facts(manifest), "</section>",
           '<section id="distribution"><h2>Corpus domain distribution</h2>',
           '<p class="muted">Body paragraphs by primary domain.</p>',
           _distribution_svg(counts, domains, col, names), "</section>",
           '<section id="profiles"><h2>Domain profile per document</h2>',
           '<p class="muted">Share of each document\'s body paragraphs by primary domain.</p>',
           _legend(domains, col, names), _profiles_svg(drows, domains, col), "</section>",
           '<section id="terms"><h2>Top terms per domain</h2>',
           _terms_table(corpus_terms(prows, tokens or {}), topics, counts, domains, col, names),
           "</section>", '<section id="documents"><h2>Documents</h2>',
           _legend(domains, col, names),
           '<p class="muted">Hover a paragraph for its scores. Grey blocks are not body text '
           '(titles, bylines, headings…); dashed outlines mark low-confidence paragraphs.</p>']
    for doc in docs:
        out.append(f'<section class="doc" data-status="{_e(doc.status)}">'
                   f'<h3>{_e(doc.id)} <span class="muted">{_e(doc.format)} · '
                   f'{_e(doc.encoding or "")} · {len(doc.paragraphs)} paragraphs</span></h3>')
        if str(doc.status) != "ok":
            out.append(f'<p class="status">status: <b>{_e(doc.status)}</b> — {_e(doc.reason)}</p>')
        out.extend(_paragraph(r, col, names) for r in by_doc.get(doc.id, []))
        out.append("</section>")
    errors = manifest.get("errors", [])
    out.append('<section id="errors"><h2>Errors and skipped inputs</h2>')
    if errors:
        out.append("<table><tr><th>document</th><th>paragraph</th><th>status</th><th>reason</th></tr>")
        out.extend(f"<tr><td>{_e(x['doc_id'])}</td><td>{_e(x['para_id'])}</td>"
                   f"<td>{_e(x['status'])}</td><td>{_e(x['reason'])}</td></tr>" for x in errors)
        out.append("</table>")
    else:
        out.append("<p>None.</p>")
    out.append("</section></body></html>\n")
    return "".join(out)


def write_report(path: Path, **parts: Any) -> Path:
    """Render and write report.html atomically; return its path."""
    atomic_write_text(path, render_report(**parts))
    return Path(path)
