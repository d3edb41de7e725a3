"""Load test: Locust (bench/locustfile.py) against gunicorn with 2 workers on PostgreSQL and the scale data set.

``python -m bench.load`` (also part of ``make bench``) does, in order:
1. empties the PostgreSQL database named by BENCH_DATABASE_URL (or TEST_DATABASE_URL), creating it when it does
   not exist (its public schema is dropped and created again), then ``flask db upgrade`` and
   ``flask seed scale --orgs BENCH_LOAD_ORGS --initiatives BENCH_LOAD_INITIATIVES`` (defaults 2 and 2000);
2. starts ``gunicorn -w 2 "app:create_app()"`` on a free loopback port (REDIS_URL is passed on when set, with one
   ``flask exports worker``), waits for /healthz, and warms it up with 4 people for BENCH_LOAD_WARMUP_SECONDS
   (default 15; not reported: each worker's first requests fill its caches);
3. steps the number of simulated people (BENCH_LOAD_STEPS, default 5,10,15,20,30,40,60,80,120,160;
   BENCH_LOAD_STEP_SECONDS each, default 20) while every page's p95 stays under 300 ms with 0 errors, then
   runs BENCH_LOAD_SECONDS (default 60) at the highest step that met it (or the first step, when none did);
4. reports, per request type, requests, failures, requests per second and p50/p95/p99 in milliseconds, the
   step table and the final run, and how many PDF exports (renders) the export requests made.

``run_edit_export`` (the ``edit_export`` part of ``make bench``) is the "edit then export" mix: people edit sections
and ask for PDFs of the changed draft while others read plan pages; it reports the plan page's p95 while the PDFs
render in the app servers' pools, with the renders at their shipped lower CPU priority and, for comparison, at
the pages' priority.

Figures are taken for the given seconds once every simulated person has signed in (the locustfile resets
Locust's statistics then); sign-in and look-ups are ``[setup]`` requests and are left out. Each person pauses
0.5-1.5 s between tasks (LOAD_WAIT_MIN/MAX). The machine's load average is reported before and after: other
work on the machine inflates the figures.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
PAGE_P95_TARGET_MS = 300
SETUP_ALLOWANCE_SECONDS = 120  # at most this long for every simulated person to sign in before figures start
SKIPPED = {"skipped": "needs PostgreSQL: set BENCH_DATABASE_URL"}


def database_url() -> str | None:
    """The PostgreSQL database the load test may empty: BENCH_DATABASE_URL, else TEST_DATABASE_URL."""
    for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith("postgresql"):
            return url
    return None


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _tool(name: str) -> str:
    """A command of this virtualenv (next to the running Python), else from PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run make dev-deps")
    return found


# --- the database ----------------------------------------------------------------------------------


def empty_database(url: str) -> None:
    """Create the database when missing, then drop and recreate its public schema."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()
    engine = create_engine(target, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        server.dispose()


def server_env(url: str, export_dir: str | Path) -> dict[str, str]:
    """The environment of the seeding commands and of gunicorn (development settings: plain-HTTP cookies)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "BENCH_DATABASE_URL")}
    env.update(
        PLANWRIGHT_ENV="development",
        FLASK_APP="app:create_app",
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(48),
        EXPORT_DIR=str(export_dir),
        REDIS_URL=os.environ.get("REDIS_URL", ""),
    )
    return env


def seed(env: dict[str, str], *, orgs: int, initiatives: int) -> float:
    """Migrate and load the scale data set (no long plan); returns the seconds it took."""
    started = time.perf_counter()
    flask = _tool("flask")
    for args in (
        ["db", "upgrade"],
        ["seed", "scale", "--orgs", str(orgs), "--initiatives", str(initiatives), "--long-plan-sections", "0"],
    ):
        done = subprocess.run([flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return round(time.perf_counter() - started, 1)


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released); the operations tests use it too."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


APP = "app:create_app()"


@contextmanager
def gunicorn(
    env: dict[str, str],
    log: Path,
    *,
    workers: int = 2,
    ready_path: str = "/healthz",
    stop_seconds: float = 30,
    app: str = APP,
) -> Iterator[str]:
    """gunicorn serving the app on a free loopback port (plus an RQ export worker with REDIS_URL); yields its URL
    once it answers ``ready_path`` with 200."""
    with gunicorns([(env, log)], workers=workers, ready_path=ready_path, stop_seconds=stop_seconds, app=app) as urls:
        yield urls[0]


@contextmanager
def gunicorns(
    instances: Sequence[tuple[dict[str, str], Path]],
    *,
    workers: int = 2,
    ready_path: str = "/healthz",
    start_seconds: float = 90,
    stop_seconds: float = 30,
    app: str = APP,
) -> Iterator[list[str]]:
    """One gunicorn per (environment, log) of ``instances``, started at once (the operations tests stand two for
    two machines), each on its own free loopback port; yields their URLs once all answer ``ready_path`` with 200,
    within ``start_seconds`` of the start.

    Each process starts its own process group, so a PDF still rendering in a worker's pool when the run ends
    is stopped with it: after SIGTERM and ``stop_seconds``, the group gets SIGKILL."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        servers = []
        for env, log in instances:
            url, started = _spawn(env, log, workers=workers, app=app)
            processes += started
            servers.append((url, started[0], log))
        deadline = time.monotonic() + start_seconds
        for url, process, log in servers:
            _wait_until_ready(url, ready_path, process, log, deadline)
        yield [url for url, _, _ in servers]
    finally:
        _stop(processes, stop_seconds)


def _spawn(env: dict[str, str], log: Path, *, workers: int, app: str) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """Start gunicorn (and the export worker when REDIS_URL is set), appending to ``log``; its URL and processes."""
    port = free_port()
    # The production settings (app/gunicorn_conf.py: preload, gc.freeze, similarity warm-up), on this port.
    command = [_tool("gunicorn"), "-c", "python:app.gunicorn_conf", "-w", str(workers), "-b", f"127.0.0.1:{port}", app]
    commands = [command] + ([[_tool("flask"), "exports", "worker"]] if env.get("REDIS_URL") else [])
    with log.open("ab") as out:
        started = [
            subprocess.Popen(c, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True) for c in commands
        ]
    return f"http://127.0.0.1:{port}", started


def _stop(processes: list[subprocess.Popen[bytes]], stop_seconds: float) -> None:
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + stop_seconds
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):  # the group this process leads: its workers and their pools
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_ready(url: str, path: str, process: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn at {url} exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}{path}", timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or not ready (503)
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn at {url} did not answer {path} with 200 in time:\n{log.read_text()[-2000:]}")


# --- Locust ----------------------------------------------------------------------------------------


def run_locust(
    host: str, *, users: int, seconds: int, csv_prefix: Path, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """One headless Locust run of bench/locustfile.py; the parsed figures (see ``read_stats``)."""
    command = [
        _tool("locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds + SETUP_ALLOWANCE_SECONDS}s",  # the locustfile ends the run ``seconds`` after everyone signed in
        "--host",
        host,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    run_env = {**os.environ, **(env or {}), "LOAD_MEASURE_SECONDS": str(seconds)}
    run_env.setdefault("LOAD_ORGS", os.environ.get("BENCH_LOAD_ORGS", "2"))
    done = subprocess.run(command, cwd=ROOT, env=run_env, capture_output=True, text=True, check=False)
    stats = Path(f"{csv_prefix}_stats.csv")
    if not stats.exists():
        raise RuntimeError(f"Locust wrote no statistics (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return {"users": users, "seconds": seconds, **read_stats(csv_prefix)}


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # "N/A" when a request type saw no requests
        return 0.0


def read_stats(csv_prefix: Path) -> dict[str, Any]:
    """Per request type: requests, failures, requests/s and p50/p95/p99 (ms); totals without ``[setup]``."""
    requests: dict[str, dict[str, Any]] = {}
    with open(f"{csv_prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]
            if name == "Aggregated" or name.startswith("[setup]"):
                continue
            requests[name] = {
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "requests_per_second": round(_number(row["Requests/s"]), 2),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
            }
    failures = []
    failures_file = Path(f"{csv_prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(newline="") as handle:
            failures = [
                {"request": r["Name"], "error": r["Error"][:300], "occurrences": int(r["Occurrences"])}
                for r in csv.DictReader(handle)
            ]
    pages = {name: r for name, r in requests.items() if r["method"] == "GET"}
    return {
        "requests_per_second": round(sum(r["requests_per_second"] for r in requests.values()), 1),
        "requests": sum(r["requests"] for r in requests.values()),
        "errors": sum(r["failures"] for r in requests.values()),
        "worst_page_p95_ms": max((r["p95_ms"] for r in pages.values() if r["requests"]), default=0.0),
        "worst_page": max(((r["p95_ms"], name) for name, r in pages.items() if r["requests"]), default=(0.0, ""))[1],
        "by_request": dict(sorted(requests.items())),
        "failures": failures,
    }


def meets_target(result: dict[str, Any]) -> bool:
    """0 errors and every page type's p95 under PAGE_P95_TARGET_MS."""
    return bool(result["requests"]) and result["errors"] == 0 and result["worst_page_p95_ms"] < PAGE_P95_TARGET_MS


def _step_row(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("users", "seconds", "requests_per_second", "requests", "errors", "worst_page_p95_ms", "worst_page")
    return {**{k: result[k] for k in keys}, "meets_target": meets_target(result)}


def export_outcomes(url: str) -> dict[str, int]:
    """The PDF exports made during the run, by status as last recorded (status → count): how many renders the
    export requests caused (the rest reused one)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT status, count(*) FROM export GROUP BY status ORDER BY status"))
            return {status: int(count) for status, count in rows}
    finally:
        engine.dispose()


# --- the whole run ---------------------------------------------------------------------------------


def run(folder: str | None = None) -> dict[str, Any]:
    """The load summary for ``make bench`` (``SKIPPED`` without PostgreSQL)."""
    url = database_url()
    if url is None:
        return dict(SKIPPED)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        return _run(url, Path(work))


def _run(url: str, work: Path) -> dict[str, Any]:
    orgs, initiatives = _env_int("BENCH_LOAD_ORGS", 2), _env_int("BENCH_LOAD_INITIATIVES", 2000)
    step_list = os.environ.get("BENCH_LOAD_STEPS", "5,10,15,20,30,40,60,80,120,160")
    steps = [int(n) for n in step_list.split(",") if n.strip()]
    step_seconds, final_seconds = _env_int("BENCH_LOAD_STEP_SECONDS", 20), _env_int("BENCH_LOAD_SECONDS", 60)
    warmup_seconds = _env_int("BENCH_LOAD_WARMUP_SECONDS", 15)
    load_before = [round(x, 2) for x in os.getloadavg()]
    empty_database(url)
    env = server_env(url, work / "exports")
    seed_seconds = seed(env, orgs=orgs, initiatives=initiatives)
    locust_env = {"LOAD_ORGS": str(orgs)}
    table, best = [], None
    with gunicorn(env, work / "gunicorn.log") as host:
        # Warm-up, not reported: each worker's first requests build caches (templates, the similarity index).
        run_locust(host, users=4, seconds=warmup_seconds, csv_prefix=work / "warmup", env=locust_env)
        for users in steps:
            result = run_locust(
                host, users=users, seconds=step_seconds, csv_prefix=work / f"step-{users}", env=locust_env
            )
            table.append(_step_row(result))
            if not meets_target(result):
                break
            best = users
        final_users = best if best is not None else steps[0]
        final = run_locust(host, users=final_users, seconds=final_seconds, csv_prefix=work / "final", env=locust_env)
        exports = export_outcomes(url)  # before the server stops: a render cut short by the stop is not a result
    return {
        "tool": "locust (headless) against gunicorn -w 2, PostgreSQL",
        "data": {"organizations": orgs, "initiatives_per_organization": initiatives, "seed_seconds": seed_seconds},
        "mix": "browse 40, portfolio 25, initiative 10, edit 10, score 10, export 5 (pause 0.5-1.5 s between tasks)",
        "target": f"every page type p95 < {PAGE_P95_TARGET_MS} ms and 0 errors",
        "steps": table,
        "highest_step_meeting_target": best,
        "final": {**final, "meets_target": meets_target(final)},
        "pdf_exports_made": exports,
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


# --- "edit then export": pages while PDFs render ---------------------------------------------------------

EDIT_EXPORT_WEIGHTS = "browse=80,portfolio=0,initiative=0,edit=10,score=0,export=0,edit_export=10"


def run_edit_export(folder: str | None = None) -> dict[str, Any]:
    """The "edit then export" mix for ``make bench`` (``SKIPPED`` without PostgreSQL): see ``_run_edit_export``."""
    url = database_url()
    if url is None:
        return dict(SKIPPED)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        return _run_edit_export(url, Path(work))


def _run_edit_export(url: str, work: Path) -> dict[str, Any]:
    """BENCH_EDIT_EXPORT_USERS people (default 20) for BENCH_LOAD_SECONDS (default 60) against gunicorn -w 2
    rendering in its own process pools (the embedded default, no Redis: the renders share the app servers' CPUs):
    10 % of tasks edit a section and then ask for the draft's PDF (a new render each time), 10 % edit a section
    only, 80 % read the plans list and a plan page. Run once per niceness in BENCH_EDIT_EXPORT_NICENESS (default
    ``10,0``: the renders' CPU priority as shipped, then as before, for comparison); reports the plan page's p95
    while PDFs render."""
    orgs, initiatives = _env_int("BENCH_LOAD_ORGS", 2), _env_int("BENCH_LOAD_INITIATIVES", 2000)
    users, seconds = _env_int("BENCH_EDIT_EXPORT_USERS", 20), _env_int("BENCH_LOAD_SECONDS", 60)
    warmup_seconds = _env_int("BENCH_LOAD_WARMUP_SECONDS", 15)
    niceness = [int(n) for n in os.environ.get("BENCH_EDIT_EXPORT_NICENESS", "10,0").split(",") if n.strip()]
    load_before = [round(x, 2) for x in os.getloadavg()]
    runs = []
    for value in niceness:
        empty_database(url)  # each run starts from the same data and an empty export history
        env = {**server_env(url, work / f"exports-{value}"), "REDIS_URL": "", "EXPORT_RENDER_NICENESS": str(value)}
        seed(env, orgs=orgs, initiatives=initiatives)
        locust_env = {"LOAD_ORGS": str(orgs), "LOAD_WEIGHTS": EDIT_EXPORT_WEIGHTS}
        with gunicorn(env, work / f"gunicorn-{value}.log") as host:
            warm = {"LOAD_ORGS": str(orgs)}
            run_locust(host, users=4, seconds=warmup_seconds, csv_prefix=work / f"warmup-{value}", env=warm)
            result = run_locust(host, users=users, seconds=seconds, csv_prefix=work / f"mix-{value}", env=locust_env)
            exports = export_outcomes(url)
        plan_page = result["by_request"].get("plan page", {})
        runs.append(
            {
                "render_niceness": value,
                "plan_page_p95_ms": plan_page.get("p95_ms"),
                "plan_page_p50_ms": plan_page.get("p50_ms"),
                "plan_page_requests": plan_page.get("requests"),
                "meets_target": bool(plan_page) and plan_page["p95_ms"] < PAGE_P95_TARGET_MS and not result["errors"],
                "pdf_exports_by_status": exports,
                **{k: result[k] for k in ("users", "seconds", "requests_per_second", "requests", "errors")},
                "worst_page_p95_ms": result["worst_page_p95_ms"],
                "worst_page": result["worst_page"],
                "by_request": result["by_request"],
                "failures": result["failures"],
            }
        )
    return {
        "tool": "locust (headless) against gunicorn -w 2 rendering in its process pools (EXPORT_WORKERS 2), PostgreSQL",
        "mix": "edit a section then ask for the draft's PDF 10, edit a section 10, plans list + plan page 80 "
        "(pause 0.5-1.5 s)",
        "target": f"plan page p95 < {PAGE_P95_TARGET_MS} ms at {users} people while PDFs render, 0 errors",
        "runs": runs,
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":  # python -m bench.load: this part alone
    sys.path.insert(0, str(ROOT))
    main()
