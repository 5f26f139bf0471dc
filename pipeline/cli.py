"""The ``minsheng`` command: a thin argparse layer over plain functions.

Each sub-command parses its arguments and calls one function elsewhere in the
package; no work is done here. Errors raised on purpose (MinshengError) are
printed as one line and exit with status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from .errors import MinshengError


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    """Turn ``--section.key value`` leftovers into a confection overrides dict."""
    out: dict[str, str] = {}
    items = list(pairs)
    i = 0
    while i < len(items):
        key = items[i]
        if not key.startswith("--") or "." not in key:
            raise MinshengError(f"Unexpected argument {key!r}: overrides look like "
                                f"--section.key VALUE (e.g. --paths.output runs/x).")
        key = key[2:]
        if "=" in key:
            key, value = key.split("=", 1)
            i += 1
        else:
            if i + 1 >= len(items):
                raise MinshengError(f"Override --{key} has no value: write --{key} VALUE.")
            value = items[i + 1]
            i += 2
        out[key] = value
    return out


def _cmd_models(args: argparse.Namespace, extra: list[str]) -> None:
    from . import models

    if args.action == "fetch":
        for name, path in models.fetch().items():
            print(f"{name}: {path}")
    elif args.action == "verify":
        for line in models.verify_all():
            print(line)
    else:
        for line in models.describe():
            print(line)


def _cmd_train(args: argparse.Namespace, extra: list[str]) -> None:
    if args.what == "nlp":
        from .nlp.training import train_nlp

        out = train_nlp(Path(args.config), _overrides(extra), output=args.output)
    else:
        from .tasks.train_domains import train_domains

        out = train_domains(Path(args.config), _overrides(extra), output=args.output)
    print(f"Saved to {out}")


def _cmd_bench(args: argparse.Namespace, extra: list[str]) -> None:
    if args.what == "nlp":
        from .nlp.bench import bench_nlp as bench
    elif args.what == "domains":
        from .tasks.bench_domains import bench_domains as bench
    elif args.what == "read":
        from .reading.bench import bench_read as bench
    else:
        from .run.bench import bench_run as bench
    table = bench(quick=args.quick, output=Path(args.output))
    print(table)


def _cmd_run(args: argparse.Namespace, extra: list[str]) -> None:
    from .run.runner import run_from_config

    result = run_from_config(Path(args.config), _overrides(extra), resume=args.resume)
    print(f"Outputs: {result.output_dir}")
    print(f"Report:  {result.report_path}")


def _check_classify_input(path: Path) -> None:
    """One-line errors for an input ``classify`` cannot use: not UTF-8, or no records."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MinshengError(f"Cannot read the classify input {str(path)!r}: "
                            f"{exc.strerror or exc}. Fix: pass a readable JSONL file.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MinshengError(f"The classify input {str(path)!r} is not UTF-8 (byte {exc.start}: "
                            f"{data[exc.start:exc.start + 4]!r}). Fix: re-save it as UTF-8, "
                            f"or read it with 'minsheng run', which names damaged paragraphs.") from None
    if not text.strip():
        raise MinshengError(f"The classify input {str(path)!r} has no records (it is empty). "
                            f"Fix: one JSON object a line, e.g. {{\"id\": 1, \"text\": \"...\"}}.")


def _cmd_attention(args: argparse.Namespace, extra: list[str]) -> None:
    from .run.attention_cmd import attention_command

    text, path, notes = attention_command(Path(args.run_dir), args.by or [], measure=args.measure,
                                          livelihood_only=args.livelihood_only,
                                          output=Path(args.output) if args.output else None,
                                          adjusted=not args.no_adjusted)
    for note in notes:
        print(f"minsheng: {note}", file=sys.stderr)
    print(text)
    print(f"Wrote {path}")


def _cmd_classify(args: argparse.Namespace, extra: list[str]) -> None:
    from .tasks.classify import classify_jsonl

    if Path(args.input).is_file():
        _check_classify_input(Path(args.input))
    counts = classify_jsonl(Path(args.input), Path(args.output), model=args.model,
                            text_field=args.text_field, id_field=args.id_field,
                            adapt_priors=args.adapt_priors)
    print(f"Wrote {args.output}: {counts}")


def _cmd_evaluate(args: argparse.Namespace, extra: list[str]) -> None:
    from .tasks.classify import evaluate_domains

    print(evaluate_domains(Path(args.gold), model=args.model, adapt_priors=args.adapt_priors))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minsheng", description=(
        "Livelihood (民生) domain analysis of Chinese policy and news text."))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("models", help="provision, verify or list models")
    p.add_argument("action", choices=["fetch", "verify", "list"])
    p.set_defaults(func=_cmd_models)

    p = sub.add_parser("train", help="train the NLP pipeline or the domain model from a .cfg")
    p.add_argument("what", choices=["nlp", "domains"])
    p.add_argument("config")
    p.add_argument("--output", default=None, help="output directory (default: from config)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("bench", help="measure accuracy and speed against baselines")
    p.add_argument("what", choices=["nlp", "domains", "read", "run"])
    p.add_argument("--quick", action="store_true", help="small sample, for smoke tests")
    p.add_argument("--output", default="BENCHMARKS.md", help="markdown file the table is appended to")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("run", help="run a config from documents to outputs and report")
    p.add_argument("config")
    p.add_argument("--resume", action="store_true", help="skip documents already done")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("attention", help="attention per domain by group, with 95% intervals")
    p.add_argument("run_dir", help="output folder of a finished 'minsheng run'")
    p.add_argument("--by", action="append", metavar="FIELD",
                   help="metadata field to group by (repeat for a joint grouping); default: per document")
    p.add_argument("--measure", default="primary",
                   choices=["primary", "chars", "expected", "coverage", "adjusted"],
                   help="measure printed (attention.csv has all of them)")
    p.add_argument("--livelihood-only", action="store_true",
                   help="print shares among livelihood paragraphs only (other left out)")
    p.add_argument("--output", default=None, help="CSV to write (default: RUN_DIR/attention.csv)")
    p.add_argument("--no-adjusted", action="store_true",
                   help="skip the prior-adjusted share (no confusion matrix is looked for)")
    p.set_defaults(func=_cmd_attention)

    p = sub.add_parser("classify", help="classify {id, text} JSONL into domains")
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--model", default=None, help="domain model directory (default: shipped)")
    p.add_argument("--text-field", default="text")
    p.add_argument("--id-field", default="id")
    p.add_argument("--adapt-priors", action="store_true",
                   help="re-estimate the livelihood-vs-other prior on this file first (EM)")
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser("evaluate", help="score a model against gold labels")
    p.add_argument("what", choices=["domains"])
    p.add_argument("--gold", required=True)
    p.add_argument("--model", default=None)
    p.add_argument("--adapt-priors", action="store_true",
                   help="re-estimate the livelihood-vs-other prior on the gold texts first (EM)")
    p.set_defaults(func=_cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("run", "train"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    func: Callable[[argparse.Namespace, list[str]], None] = args.func
    try:
        func(args, extra)
    except MinshengError as exc:
        print(f"minsheng: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
