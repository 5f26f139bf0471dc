"""Engines: where :func:`process_partition` runs -- this machine or a Dask cluster.

Both engines take the same tasks and call ``on_result`` in the driver process
once per finished document, in completion order (the runner writes each result
to disk at once and assembles outputs in corpus order later, so completion order
never shows in the outputs).  A partition that fails as a whole (a worker died,
a pickling error) becomes per-paragraph error rows; the run continues.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence

from ..errors import MinshengError
from .lock import release_inherited
from .process import error_results, load_nlp, process_partition, warm

OnResult = Callable[[dict[str, Any]], None]


def partitions(tasks: Sequence[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """Consecutive groups of tasks holding about *size* paragraphs each."""
    out: list[list[dict[str, Any]]] = []
    count = size
    for task in tasks:
        if count + len(task["paragraphs"]) > size:
            out.append([])
            count = 0
        out[-1].append(task)
        count += len(task["paragraphs"])
    return out


def _die_with_parent(parent: int) -> None:
    """Make this worker exit when the driver dies, even by SIGKILL (a worker holds
    ~400 MB): Linux's PR_SET_PDEATHSIG, else a thread watching the parent pid."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the driver died before prctl took effect
                os._exit(1)
            return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="minsheng-parent-watch", daemon=True).start()


def _init_worker(parent: int, model: str, domains: str) -> None:
    """Pool worker start: drop the inherited output lock, die with the driver, load the model."""
    release_inherited()
    _die_with_parent(parent)
    warm(model, domains)


def _started(_: int) -> int:
    """A short task that makes the pool start (and warm) all of its workers."""
    time.sleep(0.2)
    return os.getpid()


def resolve_n_process(n_process: int) -> int:
    """0 means the number of CPU cores this process may use."""
    if n_process > 0:
        return n_process
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run_local(tasks: Sequence[dict[str, Any]], *, model: str, domains: str, batch_size: int,
              n_process: int, partition_size: int, on_result: OnResult) -> dict[str, Any]:
    """Process tasks in this process (N=1) or a pool of N worker processes."""
    n = resolve_n_process(n_process)
    parts = partitions(tasks, partition_size)
    info: dict[str, Any] = {"engine": "local", "workers": 1, "startup_s": 0.0}
    if n > 1 and len(parts) > 1:
        try:
            return _run_pool(parts, n, model=model, domains=domains, batch_size=batch_size,
                             on_result=on_result)
        except _PoolStartError as exc:
            info["note"] = (f"local engine: the {n}-process pool could not start ({exc}); "
                            f"processed in this process instead")
    load_nlp(model, domains)
    for part in parts:
        for result in process_partition(part, model, batch_size, domains):
            on_result(result)
    return info


def _start_method() -> str:
    """``fork`` where available: workers inherit the driver's loaded pipeline
    (copy-on-write, no second model load); ``spawn`` elsewhere (macOS, Windows)."""
    from ..nlp.parallel import fork_available

    return "fork" if fork_available() else "spawn"


class _PoolStartError(RuntimeError):
    """Worker processes died before doing any work (e.g. ``python -`` from stdin)."""


def _run_pool(parts: list[list[dict[str, Any]]], n: int, *, model: str, domains: str,
              batch_size: int, on_result: OnResult) -> dict[str, Any]:
    ctx = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init_worker,
                             initargs=(os.getpid(), model, domains)) as pool:
        t0 = time.perf_counter()  # start every worker (each loads the model once) first
        try:
            list(pool.map(_started, range(n)))
        except BrokenProcessPool as exc:
            raise _PoolStartError(str(exc) or type(exc).__name__) from exc
        startup = time.perf_counter() - t0
        futures = {pool.submit(process_partition, part, model, batch_size, domains): part
                   for part in parts}
        for fut in as_completed(futures):
            try:
                results = fut.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker loses no other work
                results = error_results(futures[fut], exc)
            for result in results:
                on_result(result)
    return {"engine": "local", "workers": n, "startup_s": round(startup, 3)}


def run_dask(tasks: Sequence[dict[str, Any]], *, model: str, domains: str, batch_size: int,
             scheduler: str, n_workers: int, partition_size: int, on_result: OnResult,
             fingerprint: str | None = None) -> dict[str, Any]:
    """Process tasks on a Dask cluster: connect to *scheduler*, or start a LocalCluster.

    Workers load the pipeline by its spec (``"default"`` or paths) once each,
    warmed before any task is sent, and must report the driver's *fingerprint*
    (the same model bytes); tasks carry only text.
    """
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise MinshengError(
                f"Cannot connect to the Dask scheduler run.scheduler={scheduler!r}: "
                f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}. Fix: check the "
                f"address (tcp://host:8786) and that 'dask scheduler' runs there, or pass "
                f"--run.scheduler \"\" to start a LocalCluster.") from exc
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        t0 = time.perf_counter()
        client.wait_for_workers(n_workers if not scheduler else 1, timeout=120)
        try:
            loaded = client.run(warm, model, domains)
        except Exception as exc:  # noqa: BLE001 - any worker-side import/model failure
            raise MinshengError(
                f"Dask workers at {scheduler or 'the LocalCluster'} could not load the pipeline "
                f"(nlp.model={model!r}, domains.model={domains!r}): {type(exc).__name__}: "
                f"{' '.join(str(exc).split())[:300]}. Fix: install minsheng and run 'minsheng "
                f"models fetch' on every worker, or pass model paths the workers can read."
            ) from exc
        differ = sorted(w for w, fp in loaded.items() if fingerprint and fp != fingerprint)
        if differ:
            raise MinshengError(
                f"Dask workers {', '.join(differ)} loaded a different model than this machine "
                f"(nlp.model={model!r}, domains.model={domains!r}; sha256 {fingerprint[:12]}…); "
                f"outputs would not be reproducible. Fix: install the same minsheng version and "
                f"models on every worker (minsheng models verify), or pass model paths.")
        startup = time.perf_counter() - t0
        workers = len(client.scheduler_info()["workers"])
        parts = partitions(tasks, partition_size)
        futures = [client.submit(process_partition, part, model, batch_size, domains, pure=False)
                   for part in parts]
        owner = {fut.key: part for fut, part in zip(futures, parts)}
        for fut in dask_completed(futures):
            try:
                results = fut.result()
            except Exception as exc:  # noqa: BLE001 - recorded per paragraph
                results = error_results(owner[fut.key], exc)
            for result in results:
                on_result(result)
            fut.release()
        return {"engine": "dask", "workers": workers, "startup_s": round(startup, 3),
                "scheduler": scheduler or "LocalCluster(127.0.0.1)"}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
