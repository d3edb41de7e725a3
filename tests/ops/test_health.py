"""/healthz says the process is up; /readyz says whether the database answers and can write, and whether the
export queue answers with a live worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.exports.pdf import jobs
from bench.load import free_port
from tests.conftest import make_config
from tests.exports.test_rq import RedisServer, needs_redis, stop, wait_for, worker_process


def test_healthz_answers_without_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_reports_each_check_when_ready(client, app: Flask) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["queue"]["status"] == "ok"
    assert "in-process export pool" in body["checks"]["queue"]["detail"]
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in text
    assert app.config["SQLALCHEMY_DATABASE_URI"] not in text


def test_readyz_is_503_when_the_database_cannot_be_reached(tmp_path: Path, real_sessions: None) -> None:
    missing = tmp_path / "no-such-folder" / "planwright.db"
    broken = create_app(make_config(f"sqlite:///{missing}", EXPORT_DIR=str(tmp_path)))
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"status": "failed", "detail": "The database did not answer."}
    assert body["checks"]["queue"]["status"] == "ok"
    assert str(missing) not in response.get_data(as_text=True)


def test_readyz_is_503_when_redis_is_unreachable(client, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    closed = f"redis://:hunter2-not-logged@127.0.0.1:{free_port()}/4"
    monkeypatch.setitem(app.config, "REDIS_URL", closed)
    monkeypatch.setitem(app.config, "READYZ_TIMEOUT_SECONDS", 1)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["checks"]["queue"] == {"status": "failed", "detail": "Redis (the export queue) did not answer."}
    assert body["checks"]["database"]["status"] == "ok"
    assert "hunter2" not in response.get_data(as_text=True)


@needs_redis
def test_readyz_says_no_export_worker_until_one_runs(client, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """With RQ configured, a Redis that answers is not enough: PDFs need a live `flask exports worker`."""
    server = RedisServer()
    server.start()
    worker = None
    try:
        monkeypatch.setitem(app.config, "REDIS_URL", server.url)
        response = client.get("/readyz")
        assert response.status_code == 503
        queue = response.get_json()["checks"]["queue"]
        assert queue["status"] == "failed" and "No export worker is running" in queue["detail"]
        worker = worker_process(server.url)
        assert wait_for(lambda: client.get("/readyz").status_code == 200)
        assert client.get("/readyz").get_json()["checks"]["queue"] == {
            "status": "ok",
            "detail": "redis, 1 export worker",
        }
        stop(worker)  # killed: it stops beating, and readiness says so within seconds
        assert wait_for(lambda: client.get("/readyz").status_code == 503, seconds=jobs.HEARTBEAT_STALE_SECONDS + 10)
    finally:
        if worker is not None:
            stop(worker)
        server.stop()


def _read_only_copy(tmp_path: Path) -> str:
    """A migrated SQLite file, opened read-only (as when its file or mount is read-only: root ignores modes)."""
    from flask_migrate import upgrade

    from app.extensions import db

    path = tmp_path / "planwright.db"
    writable = create_app(make_config(f"sqlite:///{path}", EXPORT_DIR=str(tmp_path)))
    with writable.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_readyz_says_cannot_write_when_sqlite_is_read_only(tmp_path: Path, real_sessions: None) -> None:
    read_only = create_app(make_config(_read_only_copy(tmp_path), EXPORT_DIR=str(tmp_path)))
    response = read_only.test_client().get("/readyz")
    assert response.status_code == 503
    database = response.get_json()["checks"]["database"]
    assert database == {"status": "failed", "detail": "The database answers but cannot write: it is read-only."}
    assert str(tmp_path) not in response.get_data(as_text=True)


def test_readyz_says_cannot_write_when_the_disk_is_full(
    tmp_path: Path, real_sessions: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "planwright.db"
    full = create_app(make_config(f"sqlite:///{path}", EXPORT_DIR=str(tmp_path)))
    assert full.test_client().get("/readyz").status_code == 200
    real_statvfs = os.statvfs

    def no_space(folder: str):  # type: ignore[no-untyped-def]
        found = real_statvfs(folder)
        return os.statvfs_result((*found[:4], 0, *found[5:]))  # nothing available to this user

    monkeypatch.setattr(os, "statvfs", no_space)
    response = full.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"]["detail"] == (
        "The database answers but cannot write: its disk is full."
    )


class _BrokenPool:
    _broken = "A process in the process pool was terminated abruptly"
    shut_down = False

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        _BrokenPool.shut_down = True


def test_a_broken_export_pool_fails_one_check_then_is_replaced(client, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(jobs, "_pool", _BrokenPool())
    first = client.get("/readyz")
    assert first.status_code == 503
    assert first.get_json()["checks"]["queue"]["status"] == "failed"
    assert _BrokenPool.shut_down
    second = client.get("/readyz")
    assert second.status_code == 200
    assert second.get_json()["checks"]["queue"]["detail"] == "in-process export pool (idle)"
