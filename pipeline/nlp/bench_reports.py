"""``minsheng bench nlp``, the real workload: report paragraphs through the shipped pipeline.

PD1998 lines are short news sentences without the domain component; what an
analyst runs is ``pipeline.load()`` (livelihood domains included) over report
paragraphs through ``nlp.pipe``. This section measures that, on paragraphs of
the State Council reports in ``../shared/data/reports/``, against jieba.posseg
and against jieba plus a keyword baseline (taxonomy seed words counted) on the
same paragraphs. Systems are timed in alternation, round after round, and
each keeps its fastest round, so a busy neighbour on a shared machine slows
them alike; the ratios are the result, the chars/s only describe this run.
Load time and peak RSS come from a fresh process that loads the pipeline and
runs the same paragraphs (the bench process itself holds every baseline).

Both systems always get the same paragraphs. The two samples give jieba.posseg
very different speeds because the all-years one holds the 1950s reports, in
traditional characters: posseg's HMM gives a character it has no entry for
every one of its ~250 POS states, and its pure-Python Viterbi is quadratic in
the states, so 2.6 % of the characters took about three quarters of its time
(the per-script rows, :func:`script_rows`). The recent sample is the honest
comparison for modern text.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from spacy.util import minibatch

REPORTS = "cn_government_work_reports.jsonl"  # State Council government work reports
NEWSLETTER = Path(__file__).resolve().parents[2] / "corpus" / "docs" / "community_newsletter_traditional.txt"
MIN_CHARS = 20  # shorter lines are headings, datelines and names


def report_paragraphs(shared: Path, limit_chars: int, spread: bool = False) -> list[str]:
    """Paragraphs (non-empty lines of at least :data:`MIN_CHARS` characters) of the
    State Council reports, in file order (newest report first), until *limit_chars*
    characters; with *spread*, every k-th paragraph of the whole file instead, k
    chosen for about *limit_chars* (every year, the 1950s reports in traditional
    characters included)."""
    texts, total = [], 0
    with (shared / "data" / "reports" / REPORTS).open(encoding="utf-8") as fh:
        for line in fh:
            for para in json.loads(line)["text"].split("\n"):
                para = para.strip()
                if len(para) >= MIN_CHARS:
                    texts.append(para)
                    total += len(para)
                    if total >= limit_chars and not spread:
                        return texts
    if spread and total > limit_chars:
        return texts[::max(total // limit_chars, 1)]
    return texts


def keyword_baseline() -> Callable[[str], str]:
    """jieba words, then the livelihood domain whose taxonomy seed words occur most
    (the fallback when none does): the simplest thing an analyst might run instead."""
    import jieba

    from ..domains.taxonomy import load_taxonomy

    tax = load_taxonomy()
    seeds = {d: frozenset(tax[d].seeds) for d in tax.livelihood_ids}
    jieba.setLogLevel(60)
    jieba.initialize()

    def classify(text: str) -> str:
        words = set(jieba.cut(text))
        hits = {d: len(words & s) for d, s in seeds.items()}
        best = max(hits, key=hits.get)
        return best if hits[best] else tax.fallback

    return classify


def alternated(systems: dict[str, Callable[[], object]], chars: int, rounds: int) -> dict[str, float]:
    """Chars/s of each system's fastest round; every round runs every system once, in turn."""
    best = {name: float("inf") for name in systems}
    for _ in range(rounds):
        for name, run in systems.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: chars / seconds for name, seconds in best.items()}


def by_script(texts: list[str]) -> dict[str, list[str]]:
    """*texts* split into those that :func:`pipeline.nlp.normalize.looks_traditional`
    (the 1950s reports) and the rest, for the per-script jieba.posseg rows."""
    from .normalize import looks_traditional

    trad = [t for t in texts if looks_traditional(t)]
    return {"traditional": trad, "simplified": [t for t in texts if not looks_traditional(t)]}


def script_rows(nlp, texts: list[str], rounds: int) -> list[str]:
    """Measure rows: jieba.posseg and the shipped pipeline on the traditional and the
    simplified paragraphs of *texts* apart, and jieba.posseg's share of time on the
    traditional ones. Why jieba.posseg's chars/s differ so much between the two report
    samples: a character missing from posseg's HMM table (``char_state_tab``; most
    traditional characters) gets every one of its ~250 POS-BMES states, and posseg's
    Viterbi is quadratic in the states, in pure Python."""
    import jieba.posseg as posseg

    parts = {name: items for name, items in by_script(texts).items() if items}
    rows = []
    for name, items in parts.items():
        chars = sum(map(len, items))
        speed = alternated({"jieba": lambda: [list(posseg.cut(t)) for t in items],
                            "ours": lambda: list(nlp.pipe(items, batch_size=64))}, chars, rounds)
        rows.append((name, len(items), chars, speed))
    total_s = sum(chars / speed["jieba"] for _, _, chars, speed in rows)
    all_chars = sum(chars for _, _, chars, _ in rows)
    out = []
    for name, n, chars, speed in rows:
        out.append(f"| all-years sample, {name} paragraphs ({n:,}, {chars / all_chars:.1%} of chars): "
                   f"jieba.posseg / shipped n_process=1 chars/s, share of jieba.posseg's time | "
                   f"{speed['jieba']:,.0f} / {speed['ours']:,.0f} ({speed['ours'] / speed['jieba']:.2f}×), "
                   f"{chars / speed['jieba'] / total_s:.0%} |")
    return out


def stage_profile(nlp, texts: list[str], batch_size: int = 64) -> list[tuple[str, float]]:
    """Seconds per stage of the one-process pipeline on *texts*, batch by batch as
    ``nlp.pipe`` runs them: the tokenizer split into views + lexicon, the CRF's
    feature lookup, scoring and Viterbi decoding (one pass per batch) and Doc
    construction; then each component over the same Docs."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # as nlp.pipe runs
        return _stages(nlp, texts, batch_size)


def _stages(nlp, texts: list[str], batch_size: int) -> list[tuple[str, float]]:
    from spacy_pkuseg.inference import run_viterbi

    tok = nlp.tokenizer
    seg, crf = tok.segmenter, tok.segmenter.crf
    batches = [list(b) for b in minibatch(texts, batch_size)]
    start = time.perf_counter()
    planned = [seg.plan(batch, [tok._view(t) for t in batch]) for batch in batches]
    plan_s = time.perf_counter() - start
    joined = [crf.join(pieces) for _, pieces in planned]
    start = time.perf_counter()
    for text in joined:
        crf.feature_columns(text)
    features_s = time.perf_counter() - start
    start = time.perf_counter()
    scores = [crf.node_scores(text) for text in joined]
    scoring_s = max(time.perf_counter() - start - features_s, 0.0)
    start = time.perf_counter()
    for score, (_, pieces) in zip(scores, planned):
        for lo, hi in crf.piece_bounds(pieces):
            if hi > lo:
                run_viterbi(score[lo:hi], crf.edge_scores)
    viterbi_s = time.perf_counter() - start
    start = time.perf_counter()
    docs = list(nlp.make_docs(texts, batch_size))
    tokenizer_s = time.perf_counter() - start
    stages = [("tokenizer: views + lexicon", plan_s), ("segmenter: feature lookup", features_s),
              ("segmenter: scores", scoring_s), ("segmenter: Viterbi", viterbi_s),
              ("tokenizer: Doc construction", max(tokenizer_s - plan_s - features_s - scoring_s
                                                  - viterbi_s, 0.0))]
    for name, proc in nlp.pipeline:
        start = time.perf_counter()
        docs = (list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe")
                else [proc(d) for d in docs])
        stages.append((name, time.perf_counter() - start))
    return stages


def _spin(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - start


def parallel_headroom(n: int = 10_000_000) -> float:
    """How much two processes get done at this moment, relative to one: a pure-Python
    loop run alone, then twice at once in two forked processes. 2.0 on two idle
    cores; less when other jobs hold the cores. Says what ``n_process=2`` can reach."""
    import multiprocessing as mp

    alone = _spin(n)
    with mp.get_context("fork").Pool(2) as pool:
        start = time.perf_counter()
        pool.map(_spin, [n, n])
        both = time.perf_counter() - start
    return 2 * alone / both


def traditional_agreement(nlp, path: Path = NEWSLETTER) -> dict[str, int]:
    """Paragraphs of a traditional text whose tags, entity labels and domains equal those
    of its OpenCC t2s conversion (what ``read_corpus`` would analyse)."""
    from ..reading.traditional import to_simplified

    paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    pairs = list(zip(nlp.pipe(paragraphs), nlp.pipe([to_simplified(p) for p in paragraphs])))
    return {"paragraphs": len(paragraphs),
            "tags": sum([t.tag_ for t in a] == [t.tag_ for t in b] for a, b in pairs),
            "entities": sum([e.label_ for e in a.ents] == [e.label_ for e in b.ents] for a, b in pairs),
            "domains": sum((a.cats, a._.domains) == (b.cats, b._.domains) for a, b in pairs)}


_FRESH = """
import json, resource, sys, time
start = time.perf_counter()
import pipeline
nlp = pipeline.load()
load_s = time.perf_counter() - start
texts = json.load(open(sys.argv[1], encoding="utf-8"))
start = time.perf_counter()
list(nlp.pipe(texts[:64], batch_size=64))  # what the load deferred (the domain model) runs here
first_s = time.perf_counter() - start
list(nlp.pipe(texts, batch_size=64))
# VmHWM is this process's own peak: ru_maxrss would keep the (large) parent's across fork + exec
hwm = [line for line in open("/proc/self/status") if line.startswith("VmHWM")]
rss_mb = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": load_s, "first_s": first_s, "rss_mb": rss_mb, "pipes": nlp.pipe_names}))
"""


def fresh_process(texts: list[str]) -> dict:
    """Load time and peak RSS of a new process that loads ``pipeline.load()`` and runs *texts*
    (the second of two runs, so the cache is warm as for any user after the first)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.json"
        path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        result = {}
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", _FRESH, str(path)], capture_output=True,
                                 text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def workload_section(shared: Path, quick: bool = False) -> list[str]:
    """Markdown lines: the shipped pipeline on report paragraphs beside jieba (see module doc)."""
    import jieba.posseg as posseg

    from .loading import load

    limit = 20_000 if quick else 300_000
    samples = {"recent reports, in file order": report_paragraphs(shared, limit),
               "all years, every k-th paragraph": report_paragraphs(shared, limit, spread=True)}
    texts = samples["recent reports, in file order"]
    chars = sum(map(len, texts))
    nlp = load()
    keyword = keyword_baseline()
    list(posseg.cut("预热"))  # jieba builds its dictionary once, outside the timing

    def systems(items: list[str]) -> dict[str, Callable[[], object]]:
        return {"jieba.posseg": lambda: [list(posseg.cut(t)) for t in items],
                "jieba + keyword baseline (taxonomy seeds)": lambda: [keyword(t) for t in items],
                "shipped pipeline, nlp.pipe n_process=1": lambda: list(nlp.pipe(items, batch_size=64)),
                "shipped pipeline, nlp.pipe n_process=2":
                    lambda: list(nlp.pipe(items, batch_size=64, n_process=2))}

    load_before = os.getloadavg()[0]
    by_sample = {name: alternated(systems(items), sum(map(len, items)), 1 if quick else 3)
                 for name, items in samples.items()}
    load_after = os.getloadavg()[0]
    speeds = by_sample["recent reports, in file order"]
    scripts = script_rows(nlp, samples["all years, every k-th paragraph"], 1 if quick else 2)
    headroom = parallel_headroom()
    one = speeds["shipped pipeline, nlp.pipe n_process=1"]
    fresh = fresh_process(texts)
    stages = stage_profile(nlp, texts)
    total = sum(s for _, s in stages)
    trad = traditional_agreement(nlp)
    n = trad["paragraphs"]
    sizes = "; ".join(f"{name}: {len(items):,} paragraphs, {sum(map(len, items)):,} chars"
                      for name, items in samples.items())
    lines = [f"Report paragraphs of `data/reports/{REPORTS}` ({sizes}); shipped pipeline = "
             f"`pipeline.load()`: {', '.join(fresh['pipes'])}; batch_size 64; systems alternated, "
             f"{1 if quick else 3} rounds, fastest kept. The machine is shared (load average "
             f"{load_before:.2f} before the timed rounds, {load_after:.2f} after, on {os.cpu_count()} cores): "
             f"compare ratios.", "",
             "| system | " + " | ".join(f"{name}: chars/s | ratio to jieba.posseg" for name in samples)
             + " |", "|---|" + "---|---|" * len(samples)]
    for system in speeds:
        cells = [f"{found[system]:,.0f} | {found[system] / found['jieba.posseg']:.2f}×"
                 for found in by_sample.values()]
        lines.append(f"| {system} | {' | '.join(cells)} |")
    lines += ["", "| measure | value |", "|---|---|",
              f"| n_process=2 / n_process=1 | {speeds['shipped pipeline, nlp.pipe n_process=2'] / one:.2f}× |",
              f"| two busy-loop processes / one, right after (what this machine gave two processes) | "
              f"{headroom:.2f}× |",
              f"| `pipeline.load()` in a fresh process (warm cache) | {fresh['load_s']:.2f} s |",
              f"| its first batch of 64 paragraphs (unpickles the domain model: scikit-learn imported) | "
              f"{fresh['first_s']:.2f} s |",
              f"| peak RSS of that process after the paragraphs | {fresh['rss_mb']:,.0f} MB |",
              f"| `{NEWSLETTER.name}` vs its t2s conversion, paragraphs with the same tags / "
              f"entity labels / domains | {trad['tags']}/{n} / {trad['entities']}/{n} / {trad['domains']}/{n} |",
              f"| entities of `\" \"` | {len(nlp(' ').ents)} |", *scripts, "",
              "Where one process spends its time on the recent report paragraphs:", "",
              "| stage | seconds | share | chars/s |", "|---|---|---|---|"]
    lines += [f"| {name} | {s:.2f} | {s / total:.0%} | {chars / s:,.0f} |" if s else
              f"| {name} | 0.00 | 0% | — |" for name, s in stages]
    return lines + [""]
