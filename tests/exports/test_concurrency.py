"""Ten people asking for the same plan PDF at the same moment, against the app served from a thread on
127.0.0.1 (its own SQLite file, so concurrent writers really contend): every request is answered, none with a
5xx, and one export is rendered for all ten."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import Role
from app.exports.models import Export
from app.exports.pdf import jobs
from app.extensions import db
from tests.conftest import make_config
from tests.factories import PASSWORD, create_org, create_plan, create_user

pytestmark = pytest.mark.browser  # serves its own app and database: no shared rolled-back session
CONCURRENT = 10


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object, list[str], int]]:
    folder = tmp_path_factory.mktemp("concurrent")
    config = make_config(f"sqlite:///{folder / 'app.db'}", EXPORT_DIR=str(folder / "exports"), EXPORT_SYNC=False)
    app = create_app(config)
    with app.app_context():
        upgrade()
        org = create_org(name="Office of the State CIO")
        owner = create_user(org=org, role=Role.EDITOR)
        viewers = [create_user(org=org, role=Role.VIEWER).email for _ in range(CONCURRENT)]
        plan_id = create_plan(org=org, owner=owner, title="Digital State 2027–2030").id
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, viewers, plan_id
    server.shutdown()
    thread.join(timeout=5)
    jobs.shutdown_pool()
    with app.app_context():
        db.engine.dispose()


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)


def _post(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str]) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(urllib.request.Request(url, data=body, method="POST"), timeout=60) as response:  # noqa: S310
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def test_ten_concurrent_export_requests_are_all_queued_and_none_fails(served) -> None:  # type: ignore[no-untyped-def]
    base, app, viewers, plan_id = served
    openers = []
    for email in viewers:
        opener = _opener()
        assert _post(opener, f"{base}/login", {"email": email, "password": PASSWORD})[0] == 302
        openers.append(opener)
    barrier = threading.Barrier(CONCURRENT)
    results: list[tuple[int, str]] = []

    def ask(opener: urllib.request.OpenerDirector) -> None:
        barrier.wait()
        results.append(_post(opener, f"{base}/plans/{plan_id}/exports", {"version": "draft"}))

    threads = [threading.Thread(target=ask, args=(o,)) for o in openers]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    answered = time.monotonic() - started
    assert sorted(code for code, _ in results) == [302] * CONCURRENT, results
    assert all("/exports/" in location for _, location in results)
    assert answered < 30, f"the requests took {answered:.1f} s: rendering must not happen in the request"
    deadline = time.monotonic() + 120
    with app.app_context():
        while True:
            from app.exports import services

            exports = list(db.session.scalars(db.select(Export).where(Export.plan_id == plan_id)))
            changed = [services.refresh(e) for e in exports]
            db.session.commit()
            if all(e.status == "ready" for e in exports):
                break
            assert time.monotonic() < deadline, [(e.id, e.status, e.error) for e in exports]
            assert not any(e.status == "failed" for e in exports), [e.error for e in exports]
            time.sleep(0.5)
            del changed
        assert len(exports) == 1, "one render for ten identical requests: the others reuse it"
        db.session.remove()
