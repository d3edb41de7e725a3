"""Render jobs: WeasyPrint runs in a worker process, never in a web request's thread.

Embedded default: an in-process pool of worker processes (``forkserver``). With ``REDIS_URL`` set: RQ jobs,
run by ``flask exports worker`` on this or other machines (they must share ``EXPORT_DIR``). Tests may run
jobs inline (``EXPORT_SYNC``).

A job carries only what to print (``ExportSource``: plan or meeting, version, kind, options, date), never the
print HTML: building that HTML takes up to a second for a large plan, so the job builds it where it runs, at
the job's lower priority, in its own app context and database session (app/exports/services/building.py). It
then hashes the HTML and, when an export of identical content already has its file, reuses that file instead
of rendering. A job may also carry ready HTML (the public edition). The PDF goes to ``EXPORT_DIR`` named by its
SHA-256, then a small result file ``EXPORT_DIR/jobs/<job key>.json`` that the web process reads to finish the
export record (services.refresh). Pool processes get an app of their own, made once per process from the
running configuration (``worker_app``); an RQ work horse uses the app of ``flask exports worker``. Each job
runs under a time limit (SIGALRM, backed by a CPU-time rlimit), a memory cap (RLIMIT_AS) and a lower CPU
priority than the pages (building the HTML included); a limit hit becomes a failed export with its reason,
never a 500.

``job_state`` is the one place that says where a job is. It reads the job's own files first, then asks the
queue that holds it: for the pool, whether the rendering process and the server process that owns the pool are
still alive (and, in that process, the pool's future); for RQ, the job's status and its worker's heartbeat. A
job nobody can finish any more is reported lost within seconds, with a reason a person can act on.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import logging
import multiprocessing
import os
import resource
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
QUEUE_NAME = "planwright-exports"
TASKS_PER_WORKER = 25  # a worker process is replaced after this many renders (fragmentation)
# Renders yield the CPU to the processes serving pages (EXPORT_RENDER_NICENESS: 0 to compare, in bench/load.py).
RENDER_NICENESS = int(os.environ.get("EXPORT_RENDER_NICENESS", "10"))
WORKER_TTL_SECONDS = 20  # an idle RQ worker beats every WORKER_TTL_SECONDS - 15 s (RQ's rule)
WORKER_MONITOR_SECONDS = 5  # a busy RQ worker beats this often
HEARTBEAT_STALE_SECONDS = 15  # no heartbeat for this long: the worker is gone
NO_WORKER_GRACE_SECONDS = 20  # a job queued this long while no worker is alive is reported lost
PARENT_WATCH_SECONDS = 0.5
_watching_owner = False  # this process already dies with its owner


class RenderTimeout(Exception):
    pass


class JobWithdrawn(Exception):
    """What the job was to print is gone (its request was rolled back, the plan or meeting deleted)."""


@dataclass(frozen=True)
class ExportSource:
    """What a job prints, by ids: the job builds the print HTML from the database (a frozen version from its
    snapshot). ``kind`` is an ExportKind value; ``today`` the ISO date printed on the cover."""

    kind: str
    organization_id: int
    today: str
    plan_id: int | None = None
    version_number: int | None = None
    one_pagers: bool = False
    meeting_id: int | None = None


@dataclass(frozen=True)
class RenderJob:
    export_id: int
    html: str
    export_dir: str
    source: ExportSource | None = None  # set: the job builds ``html`` (and attachments) itself
    variant: str = "pdf/ua-1"
    attachments: tuple[tuple[str, bytes, str], ...] = ()
    timeout_seconds: int = 60
    memory_mb: int = 2048
    max_bytes: int = 200 * 1024 * 1024
    token: str = ""  # names this job's files and its RQ job; ids of rolled-back exports are reused

    @property
    def key(self) -> str:
        return f"{self.export_id}-{self.token}" if self.token else str(self.export_id)


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
    snapshot_hash: str | None = None  # of the HTML the job built (jobs with a source)


def new_token() -> str:
    return secrets.token_hex(8)


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


def read_result(export_dir: str, key: int | str) -> JobResult | None:
    path = jobs_dir(export_dir) / f"{key}.json"
    try:
        return JobResult(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        return JobResult(status="failed", error="The renderer left an unreadable result; request the PDF again.")


@dataclass(frozen=True)
class Started:
    at: str
    process: str = ""  # process_identity() of the rendering process


def read_started(export_dir: str, key: int | str) -> Started | None:
    try:
        text = (jobs_dir(export_dir) / f"{key}.started").read_text()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        return Started(str(data["at"]), str(data.get("process", "")))
    except (ValueError, TypeError, KeyError):
        return Started(text.strip()) if text.strip() else None  # an older plain timestamp


def write_result(export_dir: str, key: int | str, result: JobResult) -> None:
    _write_atomically(jobs_dir(export_dir) / f"{key}.json", json.dumps(asdict(result)).encode())


# Processes: which one, is it alive, die with the owner, yield the CPU ---------------------------------------


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        return "-"


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None without such a process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def process_identity(pid: int | None = None) -> str:
    """``host:boot:pid:start``: one process for its whole life (a pid alone is reused after it exits)."""
    pid = pid or os.getpid()
    fields = _proc_stat(pid)
    start = fields[19] if fields and len(fields) > 19 else "-"
    return f"{socket.gethostname()}:{_boot_id()}:{pid}:{start}"


def process_alive(identity: str) -> bool | None:
    """Whether the process named by ``identity`` still runs; None when it is not on this machine (unknown)."""
    try:
        host, boot, pid_text, start = identity.rsplit(":", 3)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname() or boot != _boot_id():
        return None
    fields = _proc_stat(pid)
    if fields is None:
        if sys.platform.startswith("linux"):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] in ("Z", "X"):  # exited, not yet reaped
        return False
    return start == "-" or (len(fields) > 19 and fields[19] == start)


def lower_priority() -> None:
    """Run this process at RENDER_NICENESS (never raises it back: niceness only goes up without privileges)."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) < RENDER_NICENESS:
            os.setpriority(os.PRIO_PROCESS, 0, RENDER_NICENESS)
    except OSError:
        log.warning("could not lower the rendering process's CPU priority")


def die_with_parent(owner: str | None = None) -> None:
    """Make this render process exit when the process that owns it does.

    Linux kills it when its parent exits (``PR_SET_PDEATHSIG``); a watch thread also covers a parent that is
    not the owner (the pool's fork server stands between) and other systems.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            log.warning("prctl(PR_SET_PDEATHSIG) is not available")
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
    global _watching_owner
    _watching_owner = True
    watched = owner or process_identity(parent)

    def watch() -> None:
        while True:
            time.sleep(PARENT_WATCH_SECONDS)
            if os.getppid() != parent or process_alive(watched) is False:
                os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="planwright-owner-watch", daemon=True).start()


def _pool_worker_start(owner: str, settings: dict[str, Any] | None = None) -> None:
    """Initializer of each pool process: die with the server process that owns the pool; yield the CPU; make
    the app the jobs build their HTML in (once per process)."""
    die_with_parent(owner)
    lower_priority()
    start_worker_app(settings)


_worker_app: Any = None  # a pool process's own Flask app (start_worker_app)


def app_settings() -> dict[str, Any] | None:
    """The running app's configuration, as plain values a new process can receive; None outside an app."""
    import pickle

    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    settings = {}
    for name, value in current_app.config.items():
        if not name.isupper():
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: S112 - a value that cannot cross processes is left to its default
            continue
        settings[name] = value
    return settings


def start_worker_app(settings: dict[str, Any] | None) -> None:
    """Make this process's app from the running configuration (``app_settings``), once; None: no app (jobs
    that carry their HTML need none)."""
    global _worker_app
    if _worker_app is None and settings is not None:
        from app import create_app
        from config import Config

        _worker_app = create_app(type("RenderWorkerConfig", (Config,), dict(settings)))


def worker_app() -> Any:
    """This pool process's app, or None (the web process, an RQ work horse, inline runs)."""
    return _worker_app


# Rendering -------------------------------------------------------------------------------------------------


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
    if limited:
        lower_priority()  # a pool process already is; an RQ work horse becomes so here
        if not _watching_owner:
            die_with_parent()  # an RQ work horse dies with its worker
    marker = json.dumps({"at": started, "process": process_identity()})
    _write_atomically(jobs_dir(job.export_dir) / f"{job.key}.started", marker.encode())
    result: JobResult
    previous = None
    try:
        if limited:
            previous = _apply_limits(job)
        html, attachments, snapshot, reused = job.html, job.attachments, None, None
        if job.source is not None:
            from app.exports.services.building import prepare  # the HTML is built here, at this priority

            prepared = prepare(job, inline=not limited)
            html, attachments, snapshot = prepared.html, prepared.attachments, prepared.snapshot
            reused = prepared.reused
        if reused is not None:
            result = reused  # identical content already has its file: nothing to render
        else:
            from app.exports.pdf.render import render_pdf  # imported in the worker, under the limits

            rendered = render_pdf(html, variant=job.variant, attachments=attachments)
            if len(rendered.pdf) > job.max_bytes:
                raise ValueError("too large")
            digest = hashlib.sha256(rendered.pdf).hexdigest()
            target = Path(job.export_dir) / f"{digest}.pdf"
            if not target.exists():
                _write_atomically(target, rendered.pdf)
            result = JobResult("ready", "", digest, len(rendered.pdf), rendered.pages, snapshot_hash=snapshot)
    except RenderTimeout:
        result = JobResult("failed", f"Rendering took longer than the limit of {job.timeout_seconds} seconds.")
    except MemoryError:
        result = JobResult("failed", f"Rendering needed more than the memory limit of {job.memory_mb} MB.")
    except JobWithdrawn as exc:
        result = JobResult("failed", str(exc))
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
    write_result(job.export_dir, job.key, result)
    return result


# Where a job is: the one reader ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRef:
    """Where a job was queued, stored with its export: ``backend`` (inline, pool or rq), the job's ``token``,
    and for the pool the server process that owns it."""

    backend: str
    token: str = ""
    owner: str = ""

    def dumps(self) -> str:
        return " ".join(part for part in (self.backend, self.token, self.owner) if part)

    @classmethod
    def loads(cls, text: str | None) -> JobRef | None:
        if not text:
            return None
        backend, token, owner = ([*text.split(" ", 2), "", ""])[:3]
        return cls(backend, token, owner)

    @property
    def rq_id(self) -> str:
        return f"planwright-export-{self.token}"


@dataclass(frozen=True)
class JobState:
    status: str  # queued, rendering, ready or failed
    error: str = ""
    started_at: str | None = None
    result: JobResult | None = None


LOST_RENDERER = (
    "The rendering process stopped before it finished (it may have been killed or run out of memory). "
    "Request the PDF again."
)
LOST_SERVER = "The server process that was to render this PDF stopped before it finished. Request the PDF again."
LOST_POOL = "The rendering processes stopped unexpectedly (they may have run out of memory). Request the PDF again."
LOST_WORKER = "The export worker rendering this PDF stopped (it no longer reports to the queue). Request the PDF again."
LOST_NO_WORKER = (
    "No export worker is running, so nobody can render this PDF. Request it again; if it fails again, ask your "
    "administrator to start `flask exports worker`."
)
LOST_FROM_QUEUE = "The export queue no longer has this job (it was restarted or emptied). Request the PDF again."
LOST_QUEUE_DOWN = (
    "The export queue (Redis) cannot be reached, so this PDF will not be made. Request it again in a few "
    "minutes; if it fails again, ask your administrator to check Redis."
)
NOT_QUEUED = (
    "The PDF could not be queued: the export queue is not available. Nothing is rendering; request the PDF "
    "again in a few minutes, and if it fails again, ask your administrator to check the export workers."
)


def job_state(export_dir: str, key: str, ref: JobRef | None, *, redis_url: str = "") -> JobState:
    """Where the job named ``key`` is: its result file, else the queue's own state (see the module docstring)."""
    result = read_result(export_dir, key)
    if result is not None:
        return JobState(result.status, result.error, result.started_at, result)
    started = read_started(export_dir, key)
    lost = _lost_reason(ref, started, redis_url)
    if lost:
        result = read_result(export_dir, key)  # it may have finished between the two reads
        if result is not None:
            return JobState(result.status, result.error, result.started_at, result)
        return JobState("failed", lost, started.at if started else None)
    if started is not None:
        return JobState("rendering", started_at=started.at)
    return JobState("queued")


def _lost_reason(ref: JobRef | None, started: Started | None, redis_url: str) -> str | None:
    if started is not None and started.process and process_alive(started.process) is False:
        return LOST_RENDERER
    if ref is None:
        return None
    if ref.backend == "pool":
        future = _futures.get(ref.token)
        if future is not None and future.done():
            return LOST_POOL  # finished without writing a result: cancelled or the pool broke
        if ref.owner and process_alive(ref.owner) is False:
            return LOST_SERVER
        return None
    if ref.backend == "rq":
        return _rq_lost_reason(ref, started, redis_url)
    return None


# In-process pool -------------------------------------------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_futures: dict[str, Future[JobResult]] = {}  # this process's unfinished pool jobs, by token


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        context = multiprocessing.get_context("forkserver")
        _pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            max_tasks_per_child=TASKS_PER_WORKER,
            initializer=_pool_worker_start,
            initargs=(process_identity(), app_settings()),
        )
    return _pool


def submit_to_pool(job: RenderJob, *, workers: int) -> Future[JobResult]:
    """Queue ``job`` on the process pool; a crashed worker (killed, out of memory) fails the export with a reason."""
    with _pool_lock:
        try:
            future = _get_pool(workers).submit(run_job, job)
        except (BrokenProcessPool, RuntimeError):
            shutdown_pool()
            future = _get_pool(workers).submit(run_job, job)
    if job.token:
        _futures[job.token] = future
    future.add_done_callback(partial(_after_pool_job, job))
    return future


def pool_ref(job: RenderJob) -> JobRef:
    return JobRef("pool", job.token, process_identity())


def _after_pool_job(job: RenderJob, future: Future[JobResult]) -> None:
    try:
        error = future.exception()
    except CancelledError:
        error = RuntimeError("cancelled")
    if error is not None:
        write_result(job.export_dir, job.key, JobResult("failed", LOST_POOL, finished_at=_now()))
        if isinstance(error, BrokenProcessPool):
            with _pool_lock:
                shutdown_pool(wait=False)
    _futures.pop(job.token, None)


def shutdown_pool(*, wait: bool = True) -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=not wait)
        _pool = None


def pool_processes() -> list[int]:
    """Process ids of the pool's rendering processes (for checks and tests)."""
    pool = _pool
    return sorted(getattr(pool, "_processes", None) or {}) if pool is not None else []


# RQ --------------------------------------------------------------------------------------------------------

_redis_clients: dict[str, Any] = {}


def redis_client(redis_url: str) -> Any:
    """A shared client with short timeouts: a queue that does not answer is reported, never waited for."""
    from redis import Redis

    client = _redis_clients.get(redis_url)
    if client is None:
        client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        _redis_clients[redis_url] = client
    return client


def enqueue_rq(job: RenderJob, redis_url: str) -> JobRef:
    """Queue ``job`` for ``flask exports worker``; raises RedisError/OSError when the queue cannot take it."""
    from rq import Queue

    ref = JobRef("rq", job.token or new_token())
    queue = Queue(QUEUE_NAME, connection=redis_client(redis_url))
    queue.enqueue(
        run_job,
        job,
        job_id=ref.rq_id,
        job_timeout=job.timeout_seconds + 30,
        result_ttl=3600,
        failure_ttl=86_400,
        description=f"export {job.export_id}",
    )
    return ref


def live_workers(connection: Any) -> list[Any]:
    """The RQ workers on the export queue whose last heartbeat is recent (a killed worker stops beating)."""
    from rq import Queue, Worker

    alive = []
    for worker in Worker.all(connection=connection, queue=Queue(QUEUE_NAME, connection=connection)):
        beat = worker.last_heartbeat
        if beat is not None and (datetime.now(UTC) - beat).total_seconds() < HEARTBEAT_STALE_SECONDS:
            alive.append(worker)
    return alive


def _rq_lost_reason(ref: JobRef, started: Started | None, redis_url: str) -> str | None:
    from redis.exceptions import RedisError
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.job import Job, JobStatus

    if not redis_url:
        return LOST_QUEUE_DOWN
    try:
        connection = redis_client(redis_url)
        job = Job.fetch(ref.rq_id, connection=connection)
        status = job.get_status(refresh=False)
        if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
            return LOST_RENDERER
        if status == JobStatus.FINISHED:
            return LOST_RENDERER  # finished without a result file (the caller looked once more)
        if status == JobStatus.STARTED:
            alive = {worker.name for worker in live_workers(connection)}
            return None if job.worker_name in alive else LOST_WORKER
        enqueued = job.enqueued_at.replace(tzinfo=UTC) if job.enqueued_at else None
        waited = (datetime.now(UTC) - enqueued).total_seconds() if enqueued else 0
        if waited > NO_WORKER_GRACE_SECONDS and not live_workers(connection):
            with contextlib.suppress(InvalidJobOperation):  # taken by a worker meanwhile: it is lost anyway
                job.cancel()  # a worker that starts later must not render what the user was told is lost
            return LOST_NO_WORKER
    except NoSuchJobError:
        return LOST_FROM_QUEUE
    except (RedisError, OSError):
        return LOST_QUEUE_DOWN
    return None


def run_rq_worker(redis_url: str, *, burst: bool = False) -> bool:
    """Run an RQ worker on the export queue (``flask exports worker``) at a lower CPU priority.

    RQ's worker returns when Redis drops while it waits on a render; this keeps going: it waits for Redis to
    answer again (backing off up to 30 s) and registers a new worker. It stops on SIGINT/SIGTERM, or with
    ``burst`` when the queue is empty.
    """
    from redis.exceptions import RedisError
    from rq import Queue, Worker

    stop = threading.Event()

    class ExportWorker(Worker):
        def request_stop(self, signum: Any, frame: Any) -> None:
            stop.set()
            super().request_stop(signum, frame)

    lower_priority()
    worked = False
    wait = 1.0
    while not stop.is_set():
        try:
            connection = redis_client(redis_url)
            connection.ping()
            worker = ExportWorker(
                [Queue(QUEUE_NAME, connection=connection)],
                connection=connection,
                worker_ttl=WORKER_TTL_SECONDS,
                job_monitoring_interval=WORKER_MONITOR_SECONDS,
            )
            wait = 1.0
            worked = bool(worker.work(burst=burst)) or worked
        except (RedisError, OSError) as exc:
            log.warning("export worker: Redis is not answering (%s); trying again in %.0f s", type(exc).__name__, wait)
        if burst or stop.is_set():
            break
        time.sleep(wait)
        wait = min(wait * 2, 30.0)
    return worked
