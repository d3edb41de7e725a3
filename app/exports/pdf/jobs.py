"""Render jobs: WeasyPrint runs in a worker process, never in a web request's thread.

Embedded default: an in-process pool of worker processes (``forkserver``). With ``REDIS_URL`` set: RQ jobs,
run by ``flask exports worker`` on this or other machines (they must share ``EXPORT_DIR``). Tests may run
jobs inline (``EXPORT_SYNC``).

A job needs no database: it gets the print HTML (the snapshot) and writes the PDF to ``EXPORT_DIR`` named by
its SHA-256, then a small result file ``EXPORT_DIR/jobs/<export id>.json`` that the web process reads to
finish the export record (services.refresh). Each job runs under a time limit (SIGALRM, backed by a CPU-time
rlimit) and a memory cap (RLIMIT_AS); a limit hit becomes a failed export with its reason, never a 500.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
QUEUE_NAME = "planwright-exports"
TASKS_PER_WORKER = 25  # a worker process is replaced after this many renders (fragmentation)


class RenderTimeout(Exception):
    pass


@dataclass(frozen=True)
class RenderJob:
    export_id: int
    html: str
    export_dir: str
    variant: str = "pdf/ua-1"
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    timeout_seconds: int = 60
    memory_mb: int = 2048
    max_bytes: int = 200 * 1024 * 1024


@dataclass(frozen=True)
class JobResult:
    status: str  # ready or failed
    error: str = ""
    sha256: str | None = None
    size_bytes: int | None = None
    pages: int | None = None
    started_at: str | None = None
    finished_at: str | None = None
    duration_ms: int | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def jobs_dir(export_dir: str) -> Path:
    path = Path(export_dir) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as handle:
        handle.write(data)
        temporary = Path(handle.name)
    os.replace(temporary, path)


def read_result(export_dir: str, export_id: int) -> JobResult | None:
    path = jobs_dir(export_dir) / f"{export_id}.json"
    try:
        return JobResult(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        return JobResult(status="failed", error="The renderer left an unreadable result; request the PDF again.")


def read_started(export_dir: str, export_id: int) -> str | None:
    try:
        return (jobs_dir(export_dir) / f"{export_id}.started").read_text() or None
    except FileNotFoundError:
        return None


def write_result(export_dir: str, export_id: int, result: JobResult) -> None:
    _write_atomically(jobs_dir(export_dir) / f"{export_id}.json", json.dumps(asdict(result)).encode())


def _apply_limits(job: RenderJob) -> tuple[int, int]:
    """Memory cap and time limit for this process (a pool worker or an RQ work horse), never the web process.

    SIGALRM stops a render between Python steps; the CPU-time rlimit kills the process if a C call hangs.
    Returns the previous soft limits (address space, CPU) to restore.
    """
    memory_soft, memory_hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = job.memory_mb * 1024 * 1024
    resource.setrlimit(
        resource.RLIMIT_AS, (cap if memory_hard == resource.RLIM_INFINITY else min(cap, memory_hard), memory_hard)
    )
    cpu_soft, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_cap = int(usage.ru_utime + usage.ru_stime) + job.timeout_seconds + 10
    if cpu_hard == resource.RLIM_INFINITY or cpu_cap < cpu_hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, cpu_hard))

    def on_alarm(signum: int, frame: Any) -> None:
        raise RenderTimeout

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(job.timeout_seconds)
    return memory_soft, cpu_soft


def _release_limits(previous: tuple[int, int]) -> None:
    signal.alarm(0)
    resource.setrlimit(resource.RLIMIT_AS, (previous[0], resource.getrlimit(resource.RLIMIT_AS)[1]))
    resource.setrlimit(resource.RLIMIT_CPU, (previous[1], resource.getrlimit(resource.RLIMIT_CPU)[1]))


def run_job(job: RenderJob, *, limited: bool = True) -> JobResult:
    """Render ``job`` and record the result (also returned). ``limited=False`` only for inline test runs."""
    started, clock = _now(), time.monotonic()
    (jobs_dir(job.export_dir) / f"{job.export_id}.started").write_text(started)
    result: JobResult
    previous = None
    try:
        if limited:
            previous = _apply_limits(job)
        from app.exports.pdf.render import render_pdf  # imported in the worker, under the limits

        rendered = render_pdf(job.html, variant=job.variant, attachments=job.attachments)
        if len(rendered.pdf) > job.max_bytes:
            raise ValueError("too large")
        digest = hashlib.sha256(rendered.pdf).hexdigest()
        target = Path(job.export_dir) / f"{digest}.pdf"
        if not target.exists():
            _write_atomically(target, rendered.pdf)
        result = JobResult("ready", "", digest, len(rendered.pdf), rendered.pages)
    except RenderTimeout:
        result = JobResult("failed", f"Rendering took longer than the limit of {job.timeout_seconds} seconds.")
    except MemoryError:
        result = JobResult("failed", f"Rendering needed more than the memory limit of {job.memory_mb} MB.")
    except ValueError as exc:
        reason = f"the PDF was larger than {job.max_bytes // 1_000_000} MB" if str(exc) == "too large" else "bad input"
        result = JobResult("failed", f"The PDF could not be made: {reason}.")
    except Exception as exc:  # any renderer crash becomes a failed export with its reason, never a 500
        log.exception("export %s failed", job.export_id)
        result = JobResult(
            "failed", f"The renderer failed ({type(exc).__name__}). Try again; if it fails again, report it."
        )
    finally:
        if previous is not None:
            _release_limits(previous)
    duration = round((time.monotonic() - clock) * 1000)
    result = JobResult(**{**asdict(result), "started_at": started, "finished_at": _now(), "duration_ms": duration})
    write_result(job.export_dir, job.export_id, result)
    return result


# In-process pool -------------------------------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        context = multiprocessing.get_context("forkserver")
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER)
    return _pool


def submit_to_pool(job: RenderJob, *, workers: int) -> Future[JobResult]:
    """Queue ``job`` on the process pool; a crashed worker (killed, out of memory) fails the export with a reason."""
    with _pool_lock:
        try:
            future = _get_pool(workers).submit(run_job, job)
        except (BrokenProcessPool, RuntimeError):
            shutdown_pool()
            future = _get_pool(workers).submit(run_job, job)
    future.add_done_callback(partial(_after_pool_job, job))
    return future


def _after_pool_job(job: RenderJob, future: Future[JobResult]) -> None:
    error = future.exception()
    if error is None:
        return
    reason = "The rendering process stopped unexpectedly (it may have run out of memory). Try again."
    write_result(job.export_dir, job.export_id, JobResult("failed", reason, finished_at=_now()))
    if isinstance(error, BrokenProcessPool):
        with _pool_lock:
            shutdown_pool(wait=False)


def shutdown_pool(*, wait: bool = True) -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=not wait)
        _pool = None


# RQ --------------------------------------------------------------------------------------------------------


def enqueue_rq(job: RenderJob, redis_url: str) -> str:
    """Queue ``job`` for ``flask exports worker``; returns the RQ job id."""
    from redis import Redis
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    queued = queue.enqueue(
        run_job,
        job,
        job_timeout=job.timeout_seconds + 30,
        result_ttl=3600,
        failure_ttl=86_400,
        description=f"export {job.export_id}",
    )
    return str(queued.id)


def run_rq_worker(redis_url: str, *, burst: bool = False) -> bool:
    """Run an RQ worker on the export queue (``flask exports worker``)."""
    from redis import Redis
    from rq import Queue, Worker

    connection = Redis.from_url(redis_url)
    worker = Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection)
    return bool(worker.work(burst=burst))
