"""The JSON API is rate limited per token: over the limit a token gets 429 as a problem document with Retry-After,
while other tokens carry on; with Redis the count is shared by every app instance (worker process)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.extensions import db, limiter
from tests.api.world import Api, api_for, assert_problem
from tests.conftest import make_config

SMALL = 3
PLANS = "/api/v1/plans"


@pytest.fixture
def small_limit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three requests a minute for this test, counted from zero."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", f"{SMALL} per minute")
    limiter.reset()
    yield
    limiter.reset()


def use_up(api: Api, path: str = PLANS) -> None:
    for _ in range(SMALL):
        assert api.get(path).status_code == 200


def test_a_token_over_its_limit_gets_429_with_retry_after_while_another_token_carries_on(
    app, small_limit, editor, viewer
):
    busy, other = api_for(app, editor), api_for(app, viewer)
    use_up(busy)
    refused = busy.get(PLANS)
    body = assert_problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Retry-After" in body["detail"] and f"{SMALL} per 1 minute" in body["detail"]
    assert_problem(busy.post("/api/v1/initiatives", json={"title": "Another"}), 429)  # writes count too
    assert other.get(PLANS).status_code == 200  # the same moment, another token: not affected


def test_made_up_tokens_are_counted_per_address_and_do_not_escape_the_limit(app, small_limit, editor):
    for n in range(SMALL):
        assert_problem(Api(app, f"pw_made-up-{n:040d}").get(PLANS), 401)
    assert_problem(Api(app, "pw_" + "z" * 43).get(PLANS), 429)
    assert api_for(app, editor).get(PLANS).status_code == 200  # a real token has its own count


def test_html_pages_are_not_rate_limited_by_the_api_limit(app, small_limit, client, editor):
    use_up(api_for(app, editor))
    for _ in range(SMALL * 2):
        page = client.get("/login")
        assert page.status_code == 200 and "Retry-After" not in page.headers


def test_the_openapi_document_lists_429_with_retry_after_for_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert operations
    for operation in operations:
        too_many = operation["responses"]["429"]
        assert "application/problem+json" in too_many["content"]
        assert "Retry-After" in too_many["headers"]
    assert "429" in document["info"]["description"]


# --- shared count in Redis ----------------------------------------------------------------------------------------


def redis_url() -> str:
    """REDIS_URL from the environment when a Redis server answers there; the test is skipped otherwise."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis server answers at {url}")
    return url


@pytest.fixture
def instance(app: Flask, database_url: str) -> Iterator:  # type: ignore[type-arg]
    """``instance(storage_uri)``: another app counting where ``storage_uri`` says, as a worker process would."""
    made: list[Flask] = []

    def make(storage_uri: str) -> Flask:
        other = create_app(
            make_config(
                database_url,
                RATELIMIT_STORAGE_URI=storage_uri,
                API_RATE_LIMIT=f"{SMALL} per minute",
                EXPORT_DIR=app.config["EXPORT_DIR"],
            )
        )
        other.test_client_class = app.test_client_class
        made.append(other)
        return other

    yield make
    limiter.init_app(app)  # the suite's own app counts in its memory again
    limiter.reset()
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_with_redis_two_app_instances_share_one_count(instance, editor):
    url = redis_url()
    first = instance(url)
    limiter.reset()
    api = api_for(first, editor)
    use_up(api)
    second = instance(url)  # its own connection to Redis, nothing in common with the first but the server
    assert_problem(Api(second, api.plaintext).get(PLANS), 429)


def test_when_redis_cannot_be_reached_the_api_still_answers_and_counts_in_memory(instance, editor):
    api = api_for(instance("redis://127.0.0.1:6399/3"), editor)  # nothing listens there
    use_up(api)
    assert_problem(api.get(PLANS), 429)
