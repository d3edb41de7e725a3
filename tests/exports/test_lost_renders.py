"""Renders that never report back: the job-state reader (app/exports/pdf/jobs.py) sees from the pool itself, in
seconds, that the rendering process or the server process holding the pool is gone; the export fails with a
reason a person can act on, and an identical request renders anew instead of reusing the lost export.

Render processes also die with the server process that owns them, and run at a lower CPU priority.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.auth.models import Role
from app.exports import services
from app.exports.models import Export
from app.exports.pdf import jobs
from app.extensions import db
from tests.factories import create_org, create_plan, create_user

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def plan(app, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A plan whose exports write job files of their own (export ids repeat between rolled-back tests)."""
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path))
    org = create_org(name="Office of the State CIO")
    return create_plan(org=org, owner=create_user(org=org, role=Role.EDITOR), title="Digital State")


def _request(app, plan) -> Export:  # type: ignore[no-untyped-def]
    """A requested export whose render was not started (the test plays the queue)."""
    with app.test_request_context("/"):
        requested = services.request_plan_pdf(plan, user=None, start=False)
    db.session.flush()
    return requested.export


def _dead_process() -> str:
    """The identity of a process that has exited (started and stopped here)."""
    child = subprocess.Popen(["sleep", "30"])
    identity = jobs.process_identity(child.pid)
    child.kill()
    child.wait()
    return identity


def _mark_started(app, export: Export, process: str) -> None:  # type: ignore[no-untyped-def]
    marker = jobs.jobs_dir(app.config["EXPORT_DIR"]) / f"{services.job_key(export)}.started"
    marker.write_text(f'{{"at": "{export.created_at.isoformat()}", "process": "{process}"}}')


def _owned_by(export: Export, owner: str) -> None:
    ref = jobs.JobRef.loads(export.job_ref)
    assert ref is not None
    export.job_ref = jobs.JobRef("pool", ref.token, owner).dumps()


def test_a_render_whose_process_died_fails_at_once_and_is_not_reused(app, plan) -> None:  # type: ignore[no-untyped-def]
    export = _request(app, plan)
    _owned_by(export, jobs.process_identity())
    _mark_started(app, export, _dead_process())  # started just now: no time limit has passed
    with app.test_request_context("/"):
        assert services.refresh(export)
        assert export.status == "failed"
        assert "rendering process stopped before it finished" in export.error
        assert "Request the PDF again" in export.error
        again = services.request_plan_pdf(plan, user=None, start=False)
    assert not again.reused and again.export.id != export.id


def test_a_queued_job_of_a_server_process_that_died_is_reported_lost(app, plan) -> None:  # type: ignore[no-untyped-def]
    """A gunicorn worker killed with jobs still waiting in its pool: they cannot run any more."""
    export = _request(app, plan)
    _owned_by(export, _dead_process())
    with app.test_request_context("/"):
        assert services.refresh(export)
        assert export.status == "failed" and "server process" in export.error
        again = services.request_plan_pdf(plan, user=None, start=False)
    assert not again.reused


def test_a_live_render_stays_rendering_and_is_reused(app, plan) -> None:  # type: ignore[no-untyped-def]
    export = _request(app, plan)
    _owned_by(export, jobs.process_identity())
    _mark_started(app, export, jobs.process_identity())  # this very process stands in for the renderer
    with app.test_request_context("/"):
        services.refresh(export)
        assert export.status == "rendering" and not export.error
        again = services.request_plan_pdf(plan, user=None, start=False)
    assert again.reused and again.export.id == export.id


def _wait_for(condition: Callable[[], bool], *, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_pool_process_killed_mid_render_fails_the_export_from_the_pool_state(app, plan) -> None:  # type: ignore[no-untyped-def]
    export = _request(app, plan)
    ref = jobs.JobRef.loads(export.job_ref)
    assert ref is not None
    # A long document, so that the render is still running when its process is killed.
    job = jobs.RenderJob(
        export.id, "<p>words</p>" * 40_000, app.config["EXPORT_DIR"], token=ref.token, timeout_seconds=120
    )
    try:
        jobs.submit_to_pool(job, workers=1)
        export.job_ref = jobs.pool_ref(job).dumps()
        started = lambda: jobs.read_started(job.export_dir, job.key)  # noqa: E731
        assert _wait_for(lambda: started() is not None), "the render never started"
        marker = started()
        assert marker is not None
        renderer = int(marker.process.split(":")[2])
        assert os.getpriority(os.PRIO_PROCESS, renderer) >= jobs.RENDER_NICENESS  # pages go first
        os.kill(renderer, signal.SIGKILL)
        with app.test_request_context("/"):
            assert _wait_for(lambda: services.refresh(export) and export.status == "failed", seconds=10)
    finally:
        jobs.shutdown_pool(wait=False)
    assert "stopped" in export.error and "Request the PDF again" in export.error


OWNER_SCRIPT = """
import sys, time
from app.exports.pdf import jobs
pool = jobs._get_pool(2)
busy = [pool.submit(time.sleep, 120) for _ in range(2)]
while len(jobs.pool_processes()) < 2:
    time.sleep(0.1)
time.sleep(1)  # both processes have taken a job
print(" ".join(str(pid) for pid in jobs.pool_processes()), flush=True)
time.sleep(600)
"""


def test_render_processes_die_with_the_server_process_that_owns_them() -> None:
    """A server process killed mid-render (SIGKILL: no clean-up runs) takes its rendering processes with it."""
    owner = subprocess.Popen([sys.executable, "-c", OWNER_SCRIPT], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        pids = [int(pid) for pid in owner.stdout.readline().split()]
        assert len(pids) == 2
        identities = [jobs.process_identity(pid) for pid in pids]
        assert all(jobs.process_alive(identity) for identity in identities)
        owner.kill()
        owner.wait()
        assert _wait_for(lambda: not any(jobs.process_alive(i) for i in identities), seconds=10), (
            "rendering processes outlived the server process that owned them"
        )
    finally:
        owner.kill()
        owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()
