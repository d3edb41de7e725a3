"""/healthz says the process is up; /readyz says whether the database and the export queue answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.exports.pdf import jobs
from bench.load import free_port
from tests.conftest import make_config

REDIS_URL = "redis://127.0.0.1:6379/4"


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


def _redis_up() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except (RedisError, OSError):
        return False


def test_readyz_pings_redis_when_configured(client, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["queue"] == {"status": "ok", "detail": "redis"}


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
