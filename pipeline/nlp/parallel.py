"""``nlp.pipe(texts, n_process=N)`` for ``zh_minsheng`` pipelines: batches in worker processes.

Why not spaCy's own multiprocessing pipe: its workers send each finished
batch down a ``multiprocessing.Pipe`` and block until the parent has read all
of it (a batch of 64 Docs is about 1.8 MB, a pipe holds 64 KB), and the parent
reads the workers strictly in turn.  So a worker that finishes first waits,
and on a machine with as many cores as workers the parent's reading competes
with the workers for a core.  Here each worker puts finished batches on a
``multiprocessing.Queue`` (a feeder thread writes them out while the worker
goes on with its next batch); the parent reassembles batches in input order,
keeps a bounded number in flight, and rebuilds Docs with ``Doc.from_bytes``.

Workers are forked, so they share the loaded pipeline copy-on-write; where
``fork`` is unavailable (Windows, macOS default) spaCy's implementation is used.
Output is identical to ``n_process=1``: same Docs, same order.
"""
from __future__ import annotations

import multiprocessing as mp
import traceback
from typing import Iterable, Iterator

from spacy.tokens import Doc
from spacy.util import minibatch

_DONE = None


def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


def _worker(nlp, batch_size: int, disable: list[str], inbox, outbox) -> None:
    """Run the pipeline on ``(index, texts)`` batches until the sentinel arrives."""
    while True:
        item = inbox.get()
        if item is _DONE:
            outbox.close()
            outbox.join_thread()
            return
        index, items = item
        try:
            texts = [Doc(nlp.vocab).from_bytes(x) if isinstance(x, bytes) else x for x in items]
            docs = nlp.pipe(texts, batch_size=batch_size, disable=disable)
            outbox.put((index, [doc.to_bytes() for doc in docs], None))
        except Exception:  # the parent re-raises it with the worker's traceback
            outbox.put((index, None, traceback.format_exc()))


class WorkerError(RuntimeError):
    """A pipeline component failed inside a worker process."""


def parallel_pipe(nlp, texts: Iterable[str | Doc], n_process: int, batch_size: int,
                  disable: Iterable[str] = ()) -> Iterator[Doc]:
    """Docs for *texts*, in order, computed by *n_process* forked workers."""
    ctx = mp.get_context("fork")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    disable = list(disable)
    workers = [ctx.Process(target=_worker, args=(nlp, batch_size, disable, inbox, outbox),
                           daemon=True) for _ in range(n_process)]
    for proc in workers:
        proc.start()
    batches = enumerate(minibatch(texts, size=batch_size))
    in_flight, done, next_index, exhausted = 0, {}, 0, False
    max_in_flight = 2 * n_process + 2
    finished = False
    try:
        while True:
            while not exhausted and in_flight < max_in_flight:
                item = next(batches, None)
                if item is None:
                    exhausted = True
                    break
                index, batch = item
                inbox.put((index, [t.to_bytes() if isinstance(t, Doc) else t for t in batch]))
                in_flight += 1
            if in_flight == 0:
                finished = True
                return
            while next_index not in done:
                index, payload, error = outbox.get()
                if error is not None:
                    raise WorkerError(f"A pipeline component failed in a worker process "
                                      f"(batch {index}):\n{error}")
                done[index] = payload
            payload = done.pop(next_index)
            next_index += 1
            in_flight -= 1
            for data in payload:
                yield Doc(nlp.vocab).from_bytes(data)
    finally:
        if finished:  # orderly: every worker drains and exits
            for _ in workers:
                inbox.put(_DONE)
            for proc in workers:
                proc.join()
        else:  # an error, or the caller stopped iterating: results are not wanted
            for proc in workers:
                proc.terminate()
                proc.join()
        inbox.close()
        outbox.close()
