"""Production refuses to start with an unsafe secret (SECURITY.md R22) and refuses demo accounts (R05)."""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture
def db_session() -> None:
    """Each test starts the app in a subprocess on its own database file; the shared one is not needed."""


def run_flask(tmp_path: Path, *args: str, secret_key: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PLANWRIGHT_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.db'}",
    }
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return subprocess.run(
        [FLASK, "--app", "app:create_app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("secret_key", ["dev", None, secrets.token_urlsafe(15)], ids=["dev", "missing", "20-chars"])
def test_production_refuses_to_start_with_a_weak_secret_key(tmp_path, secret_key):
    result = run_flask(tmp_path, "routes", secret_key=secret_key)
    assert result.returncode != 0
    assert "plans.show_plan" not in result.stdout
    last_line = (result.stderr.strip().splitlines() or [""])[-1]
    assert "SECRET_KEY" in last_line and "secrets.token_urlsafe" in last_line
    assert "Traceback" not in result.stderr


def test_production_starts_with_a_long_random_secret_key(tmp_path):
    result = run_flask(tmp_path, "routes", secret_key=secrets.token_urlsafe(36))
    assert result.returncode == 0, result.stderr
    assert "plans.show_plan" in result.stdout


def test_demo_data_is_refused_in_production_and_creates_nothing(tmp_path):
    key = secrets.token_urlsafe(36)
    assert run_flask(tmp_path, "db", "upgrade", secret_key=key).returncode == 0
    result = run_flask(tmp_path, "seed", "demo", secret_key=key)
    assert result.returncode != 0
    assert "Demo data is refused in production" in result.stderr
    with closing(sqlite3.connect(tmp_path / "production.db")) as connection:
        assert connection.execute("SELECT count(*) FROM user_account").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM organization").fetchone() == (0,)
