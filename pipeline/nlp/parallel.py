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
Workers run their BLAS (numpy's OpenBLAS, used by the domain model) on one
thread, as ``nlp.pipe`` does in the calling process: with N processes on N
cores, each BLAS's own threads spin against the other processes (with the
domain component, n_process=2 was slower than 1).
Output is identical to ``n_process=1``: same Docs, same order.
"""
from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from collections import deque
from typing import Callable, Iterable, Iterator

from spacy.tokens import Doc
from spacy.util import minibatch
from threadpoolctl import threadpool_limits

_DONE = None


def fork_available() -> bool:
    """Whether this platform can fork worker processes (they then share the loaded
    pipeline copy-on-write instead of loading it again)."""
    return "fork" in mp.get_all_start_methods()


def _worker(nlp, batch_size: int, disable: list[str], inbox, outbox) -> None:
    """Run the pipeline on ``(index, texts)`` batches until the sentinel arrives."""
    threadpool_limits(limits=1)  # this process is ours: one BLAS thread for good
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


def prepare_for_fork(nlp, disable: Iterable[str] = ()) -> None:
    """Load what components defer to first use (``ensure_model``: the domain classifier)
    in this process, so forked workers share it copy-on-write instead of each loading
    it again (a second of scikit-learn imports and unpickling per worker)."""
    off = set(disable)
    for name, proc in nlp.pipeline:
        if name not in off and hasattr(proc, "ensure_model"):
            proc.ensure_model()


def _units(texts: Iterable, batch_size: int, unit_size: int, n_process: int) -> Iterator[list]:
    """Consecutive runs of *texts* to hand out: *unit_size* texts each, except near the
    end of the input, where runs shrink to *batch_size* so that every process
    finishes at about the same time (a unit of 256 report paragraphs is about
    0.4 s of work; one left over at the end leaves the other processes idle).
    Reads at most ``2 * n_process`` units ahead to know where the end is."""
    per_unit = max(1, unit_size // batch_size)
    ahead: deque[list] = deque()
    batches = minibatch(texts, size=batch_size)
    exhausted = False
    while True:
        while not exhausted and len(ahead) < 2 * n_process * per_unit:
            batch = next(batches, None)
            if batch is None:
                exhausted = True
            else:
                ahead.append(batch)
        if not ahead:
            return
        # guided: a share of what is left, between one batch and a full unit
        take = per_unit if not exhausted else max(1, min(per_unit, len(ahead) // (2 * n_process)))
        unit: list = []
        for _ in range(take):
            unit.extend(ahead.popleft())
        yield unit


def parallel_pipe(nlp, texts: Iterable[str | Doc], n_process: int, batch_size: int,
                  local_pipe: Callable[[list], Iterable[Doc]],
                  disable: Iterable[str] = (), chunk_size: int | None = None) -> Iterator[Doc]:
    """Docs for *texts*, in order, computed by *n_process* processes.

    The calling process, running *local_pipe* (the one-process pipe), is one of
    the *n_process*: ``n_process - 1`` forked workers always have units queued,
    and whenever the next result in order is not ready the caller runs a unit
    itself instead of waiting: the next from the input, or once the input is
    all read, one it queued that no worker has taken yet.
    A unit is *chunk_size* texts (default *batch_size*), fewer near the end
    (:func:`_units`), run through ``nlp.pipe`` in *batch_size* batches.  A Doc
    does not depend on its batch, so the Docs are those of ``n_process=1``.
    """
    prepare_for_fork(nlp, disable)
    ctx = mp.get_context("fork")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    disable = list(disable)
    n_workers = n_process - 1
    workers = [ctx.Process(target=_worker, args=(nlp, batch_size, disable, inbox, outbox),
                           daemon=True) for _ in range(n_workers)]
    for proc in workers:
        proc.start()
    chunk = chunk_size or batch_size
    units = enumerate(_units(texts, batch_size, chunk, n_process))
    results: dict[int, tuple[bool, list]] = {}  # index -> (is_local, Docs or Doc bytes)
    queued: set[int] = set()  # units put on the inbox and not yet taken back or returned
    n_read, next_out, exhausted, finished = 0, 0, False, False
    # two units per worker queued: one running, one waiting (fed before the caller runs
    # one itself); once the input is read, the caller takes back what is still waiting
    # when it runs out of its own work, so no worker is left with a queue at the end
    max_in_flight = 2 * n_workers
    max_local = 2 * n_process + 2

    def read() -> tuple[int, list] | None:
        nonlocal exhausted, n_read
        item = next(units, None)
        if item is None:
            exhausted = True
            return None
        n_read += 1
        return item

    def receive(block: bool) -> bool:
        try:
            got, payload, error = outbox.get() if block else outbox.get_nowait()
        except queue.Empty:
            return False
        if error is not None:
            raise WorkerError(f"A pipeline component failed in a worker process "
                              f"(batch {got}):\n{error}")
        results[got] = (False, payload)
        queued.discard(got)
        return True

    def take_back() -> tuple[int, list] | None:
        try:
            index, items = inbox.get_nowait()
        except queue.Empty:
            return None
        queued.discard(index)
        return index, [Doc(nlp.vocab).from_bytes(x) if isinstance(x, bytes) else x for x in items]

    try:
        while True:
            while not exhausted and len(queued) < max_in_flight:  # keep every worker fed
                item = read()
                if item is not None:
                    index, batch = item
                    inbox.put((index, [t.to_bytes() if isinstance(t, Doc) else t for t in batch]))
                    queued.add(index)
            if next_out in results:
                is_local, payload = results.pop(next_out)
                next_out += 1
                if is_local:
                    yield from payload
                else:
                    for data in payload:
                        yield Doc(nlp.vocab).from_bytes(data)
                continue
            if exhausted and next_out == n_read:
                finished = True
                return
            if receive(block=False):
                continue
            n_local = sum(1 for is_local, _ in results.values() if is_local)
            if n_local < max_local:  # work instead of waiting
                item = take_back() if exhausted else read()
                if item is not None:
                    results[item[0]] = (True, list(local_pipe(item[1])))
                    continue
            receive(block=True)
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
