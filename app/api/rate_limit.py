"""Rate limiting of the JSON API (Flask-Limiter): API_RATE_LIMIT requests per token, counted per token id.

A request without a usable token (none, unknown, revoked or expired) is counted against its client address
instead, so trying made-up tokens cannot escape the limit. The counts live where RATELIMIT_STORAGE_URI says:
Redis when REDIS_URL is set, shared by every worker process and server; otherwise ``memory://``, counted inside
each process (right for one development server; with several workers each one counts on its own). Only the
API blueprint is limited: the HTML pages have their own sign-in throttling (app/auth/services.check_throttle).
An answer over the limit is a 429 problem document with Retry-After, in seconds.
"""

from __future__ import annotations

import math
import time
from typing import cast

from flask import Blueprint, Flask, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from flask_limiter import RateLimitExceeded

from app.api.auth import usable_token_of_request
from app.api.problems import problem_response
from app.extensions import limiter


def api_rate_limit() -> str:
    """The limit in force, read per request so that a test (or an operator's config) can change it."""
    return str(current_app.config["API_RATE_LIMIT"])


def rate_limit_key() -> str:
    token = usable_token_of_request()
    if token is not None:
        return f"api-token:{token.id}"
    return f"api-address:{request.remote_addr or 'unknown'}"


def seconds_until_reset() -> int:
    """Whole seconds until the breached window lets requests through again (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    reset_at, _remaining = current.window
    return max(1, math.ceil(reset_at - time.time()))


def too_many_requests(error: RateLimitExceeded) -> Response:
    wait = seconds_until_reset()
    who = "This token" if usable_token_of_request() is not None else "Your address"
    return problem_response(
        429,
        f"{who} sent more requests than the limit of {error.limit.limit}. Wait {wait} seconds "
        "(the Retry-After header) and send the request again; nothing was done with this one.",
        headers={"Retry-After": str(wait)},
    )


def _start_limiter(state: BlueprintSetupState) -> None:
    """Bind the limiter when the API blueprint is registered on an app (its storage comes from that config)."""
    limiter.init_app(cast(Flask, state.app))


def limit_api(bp: Blueprint) -> None:
    """Put the per-token limit on every route of ``bp`` and answer breaches as problem documents."""
    bp.record_once(_start_limiter)
    # One count per token for the whole API (a shared scope), not one per route.
    limiter.shared_limit(api_rate_limit, scope="api", key_func=rate_limit_key)(bp)
    bp.register_error_handler(RateLimitExceeded, too_many_requests)
