"""The load test's mix works: every request type of bench/locustfile.py is answered without a failure.

A few seconds of Locust (every task in turn, three people) against gunicorn with 2 workers on loopback and a
tiny scale data set. It proves the mix works (sign-in with CSRF, the section editor's token and version, draft
scores, the PDF request's redirect), not speed. PostgreSQL only, as in ``make bench``: it runs when
TEST_DATABASE_URL names a PostgreSQL database and uses a database of its own beside it (``<name>_load``),
dropped afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bench import load

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not TEST_URL.startswith("postgresql"), reason="the load test runs on PostgreSQL: set TEST_DATABASE_URL"
)
# Every request type of the mix; the portfolio list is asked for in five ways (plain, searched, ...), any will do.
REQUEST_TYPES = {
    "plans list",
    "plan page",
    "portfolio list",
    "initiative page",
    "section editor",
    "save section",
    "review page",
    "save draft scores",
    "export request",
}
ACTIONS = {"save section", "save draft scores", "export request"}


def test_every_request_type_of_the_load_mix_is_answered_without_a_failure(tmp_path: Path) -> None:
    url = make_url(TEST_URL)
    own = url.set(database=f"{url.database}_load").render_as_string(hide_password=False)
    load.empty_database(own)
    try:
        env = load.server_env(own, tmp_path / "exports")
        load.seed(env, orgs=1, initiatives=120)
        with load.gunicorn(env, tmp_path / "gunicorn.log", stop_seconds=5) as host:
            result = load.run_locust(
                host,
                users=3,
                seconds=10,
                csv_prefix=tmp_path / "smoke",
                env={"LOAD_ORGS": "1", "LOAD_IN_TURN": "1", "LOAD_WAIT_MIN": "0", "LOAD_WAIT_MAX": "0.1"},
            )
        exports = load.export_outcomes(own)
    finally:
        load.drop_database(own)
    assert result["errors"] == 0, result["failures"]
    answered = {name.split(" (")[0]: r for name, r in result["by_request"].items() if r["requests"]}
    assert set(answered) == REQUEST_TYPES, sorted(answered)
    assert {name for name, r in answered.items() if r["method"] == "POST"} == ACTIONS
    assert sum(exports.values()) >= 1  # the PDF requests made an export (rendered in the server's pool)
