"""``minsheng bench nlp``: accuracy and speed of the NLP layer beside its baselines.

Everything in one run, on this machine: SIGHAN-2005 PKU/MSR F1 and OOV recall
(official script) for our segmenter alone and summed with pkuseg-default (the
shipped default), each with and without the policy lexicon, pkuseg-default with
and without its dictionary, jieba and THULAC; PKU tag
accuracy and entity F on the PD1998 test split; UPOS on GSDSimp test; chars/s
for segmentation alone and for the full pipeline (n_process 1 and 2) against
jieba.posseg on the same text; load time, peak RSS, and the one-process time
per stage. Baselines are
bench-only extras (``pip install 'minsheng[bench]'``).
"""
from __future__ import annotations

import os
import platform
import resource
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .. import assets, kernels
from ..errors import MinshengError, missing_dependency_msg
from . import evaluation, pd1998
from .bench_reports import workload_section
from .normalize import to_half_width

SHIPPED = "minsheng pd1998 ⊕ pkuseg-default + lexicon (shipped)"
SHARED = Path(os.environ.get("MINSHENG_SHARED", Path(__file__).resolve().parents[3] / "shared"))


def _baselines() -> dict[str, Callable[[], Callable[[str], list[str]]]]:
    """Segmenters to compare; each loader returns a ``text -> words`` function."""

    def ours(user_dict: bool, ensemble: str | None = None):
        def make():
            from .. import models
            from .segmenter import PkusegSegmenter
            from .tokenizer import crf_model_dir

            words = models.read_user_dict("minsheng") if user_dict else ()
            return PkusegSegmenter(crf_model_dir(models.segmenter_dir("pd1998"), ensemble), words).cut
        return make

    def pkuseg_default(user_dict: bool):
        def make():
            import spacy_pkuseg

            seg = spacy_pkuseg.pkuseg(str(assets.pkuseg_default_dir()),
                                      user_dict="default" if user_dict else None)
            return seg.cut
        return make

    def jieba_cut():
        jieba = _require("jieba")
        jieba.setLogLevel(60)
        jieba.initialize()
        return lambda text: [w for w in jieba.cut(text) if w.strip()]

    def thulac_cut():
        thulac = _require("thulac")
        model = thulac.thulac(seg_only=True)
        return lambda text: [w for w, _ in model.cut(text)] if text.strip() else []

    return {"minsheng pd1998": ours(False), "minsheng pd1998 + lexicon": ours(True),
            "minsheng pd1998 ⊕ pkuseg-default": ours(False, "pkuseg-default"),
            SHIPPED: ours(True, "pkuseg-default"),
            "pkuseg-default": pkuseg_default(False), "pkuseg-default + its dict": pkuseg_default(True),
            "jieba": jieba_cut, "thulac": thulac_cut}


def _require(module: str):
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError:
        raise MinshengError(missing_dependency_msg(module, "bench")) from None


def _best_of(run: Callable[[], object], chars: int, repeat: int = 3) -> float:
    """Chars/s of the fastest of *repeat* runs (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return chars / best


def _speed(func: Callable[[str], object], texts: list[str]) -> float:
    return _best_of(lambda: [func(text) for text in texts], sum(map(len, texts)))


def _pipeline_speed(nlp, texts: list[str], n_process: int) -> float:
    return _best_of(lambda: list(nlp.pipe(texts, n_process=n_process, batch_size=64)),
                    sum(map(len, texts)))


def speed_texts(limit_chars: int) -> list[str]:
    """PD1998 test paragraphs as raw text, repeated until *limit_chars* characters
    (enough text that process start-up does not dominate n_process=2)."""
    paragraphs = ["".join(sent.words) for sent in pd1998.read_split(assets.pd1998_path(), "test")]
    texts, total = [], 0
    while total < limit_chars:
        for text in paragraphs:
            texts.append(text)
            total += len(text)
            if total >= limit_chars:
                break
    return texts


def bench_nlp(quick: bool = False, output: Path = Path("BENCHMARKS.md")) -> str:
    """Run every measure, append a markdown section to *output*, return it."""
    from .loading import load

    icwb2 = SHARED / "data" / "icwb2"
    rows = ["| system | PKU F1 | PKU OOV-R | MSR F1 | MSR OOV-R | seg chars/s |", "|---|---|---|---|---|---|"]
    texts = speed_texts(30_000 if quick else 500_000)
    speeds: dict[str, float] = {}
    for name, make in _baselines().items():
        cut = make()
        speeds[name] = _speed(cut, texts)
        if icwb2.exists() and not quick:
            pku = evaluation.sighan_score(cut, icwb2, "pku")
            msr = evaluation.sighan_score(cut, icwb2, "msr")
            cells = f"{pku['f1']:.2f} | {pku['oov_recall']:.2f} | {msr['f1']:.2f} | {msr['oov_recall']:.2f}"
        else:
            cells = "n/a | n/a | n/a | n/a"
        rows.append(f"| {name} | {cells} | {speeds[name]:,.0f} |")
        if name == SHIPPED and icwb2.exists() and not quick:
            half = {c: evaluation.sighan_score(cut, icwb2, c, to_half_width) for c in ("pku", "msr")}
            rows.append(f"| {name}, test and gold written half-width | {half['pku']['f1']:.2f} | "
                        f"{half['pku']['oov_recall']:.2f} | {half['msr']['f1']:.2f} | "
                        f"{half['msr']['oov_recall']:.2f} | — |")

    start = time.perf_counter()
    nlp = load(domains=False)
    load_s = time.perf_counter() - start
    test = pd1998.read_split(assets.pd1998_path(), "test")
    scores = evaluation.pd_tag_ner_scores(nlp, test[:200] if quick else test)
    half = evaluation.pd_tag_ner_scores(nlp, test[:200] if quick else test, to_half_width)
    gsd = SHARED / "data" / "ud_gsdsimp" / "zh_gsdsimp-ud-test.conllu"
    upos = evaluation.upos_accuracy(nlp, gsd) if gsd.exists() else float("nan")

    posseg = _require("jieba.posseg")
    jieba_posseg = _speed(lambda t: list(posseg.cut(t)), texts)
    full1 = _pipeline_speed(nlp, texts, 1)
    full2 = _pipeline_speed(nlp, texts, 2)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours = speeds[SHIPPED]
    lines = [
        f"## bench nlp — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
        f"{' (quick)' if quick else ''}",
        "", f"Machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores; speed text: {sum(map(len, texts)):,} chars "
        f"of PD1998 test paragraphs.", "", *rows, "",
        "| measure | value |", "|---|---|",
        f"| PD1998 test PKU tag accuracy (gold words) | {scores['tag_acc']:.2f} % |",
        f"| PD1998 test NER P / R / F (gold words) | {scores['ents_p']:.2f} / {scores['ents_r']:.2f} / "
        f"{scores['ents_f']:.2f} |",
        f"| the same with all full-width ASCII written half-width: tag accuracy | {half['tag_acc']:.2f} % |",
        f"| the same, half-width: NER P / R / F | {half['ents_p']:.2f} / {half['ents_r']:.2f} / "
        f"{half['ents_f']:.2f} |",
        f"| GSDSimp test UPOS accuracy (gold words) | {upos:.2f} % |",
        f"| jieba.posseg chars/s | {jieba_posseg:,.0f} |",
        f"| our segmentation chars/s (ratio to jieba.posseg) | {ours:,.0f} ({ours / jieba_posseg:.2f}×) |",
        f"| full pipeline n_process=1 chars/s (ratio to jieba.posseg) | {full1:,.0f} "
        f"({full1 / jieba_posseg:.2f}×) |",
        f"| full pipeline n_process=2 chars/s (ratio to n_process=1) | {full2:,.0f} ({full2 / full1:.2f}×) |",
        f"| pipeline load time | {load_s:.2f} s |",
        f"| peak RSS of the bench process | {rss_mb:,.0f} MB |",
        f"| compiled kernels (`pipeline/_kernels.pyx`) | "
        f"{'built' if kernels.AVAILABLE else 'not built: the numpy code ran'} |", "",
    ]
    if (SHARED / "data" / "reports").exists():
        lines += ["### the shipped pipeline on report paragraphs", "", *workload_section(SHARED, quick)]
    table = "\n".join(lines)
    with open(output, "a", encoding="utf-8") as fh:
        fh.write("\n" + table)
    return table
