"""report.html: one self-contained page an analyst reads after a run.

No network, no scripts: inline CSS and hand-written SVG charts, so the file
opens anywhere and renders identically offline.  Sections: run facts, the
corpus-level domain distribution, for each grouping of the run (``[output]
group_by``, or year/region/... found in the metadata) a trend of every
livelihood domain with its 95 % interval when the grouping looks like time
and a group comparison table, a stacked domain profile per document (the
first :data:`PROFILE_DOCS`), distinctive terms per domain (weighted log-odds),
examples per domain (most and least confident), the documents, and the
errors.  Every paragraph is listed only for small runs (at most
:data:`FULL_LISTING` paragraphs); the full text always stays in
``paragraphs.jsonl``, so the page stays small (≤ 3 MB for 100,000
paragraphs).  Scores are printed beside each paragraph, not hover-only.
"""
from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Sequence

from sklearn.base import clone

from ..domains.featurize import TermFeaturizer
from ..domains.taxonomy import load_taxonomy
from ..domains.terms import without_marks
from ..shares.logodds import log_odds_terms
from .files import atomic_write_text
from .report_views import group_table, is_time, trend_section

#: One colour per domain position (taxonomy order); ``other`` is always grey. Kelly's (1965)
#: colours of maximum contrast, 17 chosen so that every pair, grey included, is at least
#: 19 CIELAB units apart; trends use small multiples, so no chart relies on telling
#: colours apart, and every label is printed.
PALETTE = ("#0067A5", "#F38400", "#008856", "#BE0032", "#882D17", "#E68FAC", "#8DB600",
           "#A1CAF1", "#604E97", "#654522", "#E25822", "#2B3D26", "#F99379", "#B3446C",
           "#C2B280", "#DCD300", "#F6A600")
OTHER_COLOUR = "#9e9e9e"
TOP_TERMS = 12
#: Runs with at most this many paragraphs list every paragraph of every document.
FULL_LISTING = 1500
#: Documents drawn in the per-document profile / listed in the documents table / errors listed.
PROFILE_DOCS, DOC_TABLE, ERRORS_LISTED = 80, 300, 200
#: Example paragraphs per domain: this many most and this many least confident.
EXAMPLES = 3

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
.scores{display:block;font-size:11px;color:#555;margin-top:2px}
.panels{display:flex;flex-wrap:wrap;gap:6px} .panel{border:1px solid #eee}
.wide{overflow-x:auto} table.groups th{font-size:11px} table.groups td{font-size:11px;padding:2px 4px;text-align:right;white-space:nowrap} .ci{font-size:10px;color:#444}
"""


def _names() -> dict[str, str]:
    try:
        return {d.id: d.zh for d in load_taxonomy().domains}
    except Exception:  # noqa: BLE001 - names are cosmetic; ids still show
        return {}


def colours(domains: Sequence[str]) -> dict[str, str]:
    """Stable colour per domain: by position among the non-``other`` domains, grey for ``other``."""
    out = {}
    for i, d in enumerate([d for d in domains if d != "other"]):
        out[d] = PALETTE[i % len(PALETTE)]
    out["other"] = OTHER_COLOUR
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
    docs = [r for r in drows if r["body_paragraphs"] and r["status"] == "ok"][:PROFILE_DOCS]
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
                 n: int = TOP_TERMS, featurizer: TermFeaturizer | None = None
                 ) -> dict[str, list[tuple[str, float, int]]]:
    """Distinctive terms of each primary domain's body paragraphs (weighted log-odds).

    Terms are what the domain model reads, without bigrams: *featurizer* (the model's
    ``featurizer_``: its phrases, so 最低生活保障 is one term, and names left out), or
    ``TermFeaturizer()`` without phrases when there is no model."""
    unigrams = clone(featurizer if featurizer is not None else TermFeaturizer())
    unigrams.set_params(bigrams=False)
    counts: dict[str, Counter] = {}
    for r in prows:
        if r["kind"] != "body" or not r["domain"] or r["para_id"] not in tokens:
            continue
        words, tags = tokens[r["para_id"]]
        terms = unigrams.terms(words, tags if tags and len(tags) == len(words) else None)
        counts.setdefault(r["domain"], Counter()).update(without_marks(terms))
    return log_odds_terms(counts, n=n)


def _terms_table(terms: Mapping[str, list[tuple[str, float, int]]], topics: Any, counts: Counter,
                 domains: Sequence[str], col: Mapping[str, str], names: Mapping[str, str]) -> str:
    model_terms: dict[str, list[str]] = {}
    if topics is not None:
        records = topics.to_dict("records") if hasattr(topics, "to_dict") else list(topics)
        for rec in records:
            t = rec.get("top_terms", rec.get("terms", ""))
            t = t.split() if isinstance(t, str) else [str(x) for x in t]
            model_terms.setdefault(str(rec.get("domain", "")), []).extend(t[:6])
    rows = ['<table id="terms-table"><tr><th>domain</th><th>paragraphs</th>'
            '<th>distinctive terms in this corpus (weighted log-odds z · count)</th>'
            '<th>model topic terms</th></tr>']
    for d in domains:
        if d not in terms and d not in model_terms:
            continue
        here = " ".join(f"{_e(w)}<span class=muted>·{z:.1f}·{c}</span>" for w, z, c in terms.get(d, []))
        model = _e(" ".join(model_terms.get(d, [])[:12]))
        rows.append(f'<tr><td>{_swatch(col[d])} {_e(_label(d, names))}</td>'
                    f'<td>{counts[d]}</td>'
                    f'<td>{here}</td><td>{model}</td></tr>')
    rows.append("</table>")
    return "".join(rows)


def _swatch(colour: str) -> str:
    return f'<i style="display:inline-block;width:10px;height:10px;background:{colour}"></i>'


def _scores_text(row: Mapping[str, Any], names: Mapping[str, str]) -> str:
    cats = sorted(row["cats"].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    text = " · ".join(f"{names.get(k, k)} {v:.2f}" for k, v in cats)
    if len(row["domains"]) > 1:
        text += " · labels: " + ", ".join(names.get(x, x) for x in row["domains"])
    return text


def _paragraph(row: Mapping[str, Any], col: Mapping[str, str], names: Mapping[str, str],
               example: bool = False) -> str:
    """One paragraph card; an *example* (examples section) also names its paragraph id."""
    classes = ["para", "example", f"kind-{row['kind']}"] if example else ["para", f"kind-{row['kind']}"]
    d = row["domain"]
    colour = col.get(d, OTHER_COLOUR) if d else OTHER_COLOUR
    if row["kind"] != "body":
        classes.append("nonbody")
    if row["status"] == "error":
        classes.append("error")
    flag = ""
    if row["low_confidence"] and row["kind"] == "body":
        classes.append("lowconf")
        flag = f'<span class="flag">⚠ 低置信度 {row["score"]:.2f}</span>'
    tag = (f'<span class="tag" style="background:{colour}">{_e(names.get(d, d))}</span>' if d
           else f'<span class="tag" style="background:#bbb">{_e(row["kind"])}</span>')
    reason = f' <span class="muted">({_e(row["reason"])})</span>' if row["status"] == "error" else ""
    scores = f'<span class="scores">{_e(_scores_text(row, names))}</span>' if row["cats"] else ""
    where = f'<span class="muted">{_e(row["para_id"])}</span> ' if example else ""
    return (f'<p class="{" ".join(classes)}" id="{_e(row["para_id"])}" data-domain="{_e(d or "")}" '
            f'style="border-left-color:{colour};background:{colour}14">{tag}{where}{_e(row["text"])}'
            f'{flag}{reason}{scores}</p>')


def _examples(body: Sequence[Mapping[str, Any]], domains: Sequence[str], col: Mapping[str, str],
              names: Mapping[str, str]) -> str:
    """Per domain: the most and the least confident body paragraphs, scores printed."""
    out = []
    for d in domains:
        rows = sorted((r for r in body if r["domain"] == d),
                      key=lambda r: (-(r["score"] or 0), r["para_id"]))
        if not rows:
            continue
        pick = rows[:EXAMPLES] + [r for r in rows[-EXAMPLES:] if r not in rows[:EXAMPLES]]
        out.append(f'<h3>{_swatch(col[d])} {_e(_label(d, names))} '
                   f'<span class="muted">{len(rows)} paragraphs · most, then least confident</span></h3>')
        out.extend(_paragraph(r, col, names, example=True) for r in pick)
    return "".join(out)


def _documents_table(drows: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    metas = list(dict.fromkeys(k for r in drows for k in r if k.startswith("meta_")))[:4]
    head = "".join(f"<th>{_e(m[5:])}</th>" for m in metas)
    out = [f'<table id="documents-table"><tr><th>document</th>{head}<th>status</th>'
           '<th>body paragraphs</th><th>primary domain (share)</th></tr>']
    for r in drows[:DOC_TABLE]:
        p = r["primary_domain"]
        share = f' ({100 * float(r[f"share_{p}"]):.1f}%)' if p and r.get(f"share_{p}") else ""
        cells = "".join(f"<td>{_e(r.get(m, ''))}</td>" for m in metas)
        out.append(f'<tr><td>{_e(r["doc_id"])}</td>{cells}<td>{_e(r["status"])}</td>'
                   f'<td>{r["body_paragraphs"]}</td><td>{_e(names.get(p, p))}{share}</td></tr>')
    out.append("</table>")
    if len(drows) > DOC_TABLE:
        out.append(f'<p class="muted">{len(drows) - DOC_TABLE} more documents in documents.csv.</p>')
    return "".join(out)


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


def _groups_sections(arows: Sequence[Mapping[str, Any]], groups: Sequence[Sequence[str]],
                     domains: Sequence[str], col: Mapping[str, str], names: Mapping[str, str]) -> list[str]:
    """A trend (time-like groupings) and a comparison table per grouping of the run."""
    out = []
    label = lambda d: names.get(d, d)  # noqa: E731 - short labels: tables have 18 columns
    for by in groups:
        field = "+".join(by)
        values = [r[by[0]] for r in arows if r.get("by") == field and r["measure"] == "primary"
                  and r["scope"] == "all" and r["domain"] == domains[0]] if len(by) == 1 else []
        if len(by) == 1 and is_time(field, values) and len(values) >= 2:
            out += [f'<section id="trend-{_e(field)}" class="trend"><h2>Attention over {_e(field)}</h2>',
                    '<p class="muted">Share of body paragraphs by primary domain, per '
                    f'{_e(field)}, with 95 % bootstrap intervals (documents, then paragraphs, '
                    'resampled). One panel per livelihood domain, each on its own scale.</p>',
                    trend_section(arows, field, domains, col, label), "</section>"]
        if len(by) == 1:
            out += [f'<section id="groups-{_e(field)}" class="groups"><h2>Attention by {_e(field)}</h2>',
                    '<p class="muted">Share (%) of body paragraphs by primary domain; below it the '
                    '95 % interval. Other measures (characters, expected, coverage, livelihood '
                    'only) are in attention.csv.</p>',
                    f'<div class="wide">{group_table(arows, field, domains, label)}</div>',
                    "</section>"]
    return out


def render_report(*, manifest: Mapping[str, Any], docs: Sequence[Any],
                  prows: Sequence[Mapping[str, Any]], drows: Sequence[Mapping[str, Any]],
                  domains: Sequence[str], topics: Any = None,
                  tokens: Mapping[str, Sequence[Any]] | None = None,
                  attention: Sequence[Mapping[str, Any]] = (),
                  groups: Sequence[Sequence[str]] = (),
                  featurizer: TermFeaturizer | None = None) -> str:
    """The report as one HTML string (*featurizer*: the domain model's, for the
    distinctive terms, :func:`corpus_terms`)."""
    names = _names()
    col = colours(domains)
    body = [r for r in prows if r["kind"] == "body" and r["domain"]]
    counts = Counter(r["domain"] for r in body)
    full = len(prows) <= FULL_LISTING
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
           *_groups_sections(attention, groups, domains, col, names),
           '<section id="profiles"><h2>Domain profile per document</h2>',
           '<p class="muted">Share of each document\'s body paragraphs by primary domain'
           f'{f" (the first {PROFILE_DOCS} documents)" if len(drows) > PROFILE_DOCS else ""}.</p>',
           _legend(domains, col, names), _profiles_svg(drows, domains, col), "</section>",
           '<section id="terms"><h2>Distinctive terms per domain</h2>',
           _terms_table(corpus_terms(prows, tokens or {}, featurizer=featurizer), topics, counts,
                        domains, col, names),
           "</section>", '<section id="examples"><h2>Examples per domain</h2>',
           '<p class="muted">The three most and three least confident body paragraphs of each '
           'primary domain, with their top scores. Every paragraph is in paragraphs.jsonl.</p>',
           _examples(body, domains, col, names), "</section>",
           '<section id="documents"><h2>Documents</h2>', _documents_table(drows, names)]
    if full:
        by_doc: dict[str, list[Mapping[str, Any]]] = {}
        for r in prows:
            by_doc.setdefault(r["doc_id"], []).append(r)
        out.append('<p class="muted">Every paragraph with its top scores. Grey blocks are not body '
                   'text (titles, bylines, headings…); dashed outlines mark low-confidence paragraphs.</p>')
        for doc in docs:
            out.append(f'<section class="doc" data-status="{_e(doc.status)}">'
                       f'<h3>{_e(doc.id)} <span class="muted">{_e(doc.format)} · '
                       f'{_e(doc.encoding or "")} · {len(doc.paragraphs)} paragraphs</span></h3>')
            if str(doc.status) != "ok":
                out.append(f'<p class="status">status: <b>{_e(doc.status)}</b> — {_e(doc.reason)}</p>')
            out.extend(_paragraph(r, col, names) for r in by_doc.get(doc.id, []))
            out.append("</section>")
    else:
        out.append(f'<p class="muted">{len(prows)} paragraphs: too many to list here (more than '
                   f'{FULL_LISTING}); see the examples above and paragraphs.jsonl.</p>')
    out.append("</section>")
    errors = manifest.get("errors", [])
    out.append('<section id="errors"><h2>Errors and skipped inputs</h2>')
    if errors:
        out.append("<table><tr><th>document</th><th>paragraph</th><th>status</th><th>reason</th></tr>")
        out.extend(f"<tr><td>{_e(x['doc_id'])}</td><td>{_e(x['para_id'])}</td>"
                   f"<td>{_e(x['status'])}</td><td>{_e(x['reason'])}</td></tr>"
                   for x in errors[:ERRORS_LISTED])
        out.append("</table>")
        if len(errors) > ERRORS_LISTED:
            out.append(f'<p class="muted">{len(errors) - ERRORS_LISTED} more in run.json.</p>')
    else:
        out.append("<p>None.</p>")
    out.append("</section></body></html>\n")
    return "".join(out)


def write_report(path: Path, **parts: Any) -> Path:
    """Render and write report.html atomically; return its path."""
    atomic_write_text(path, render_report(**parts))
    return Path(path)
