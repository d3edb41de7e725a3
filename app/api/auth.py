"""Bearer-token authentication for every API request, run before any route, so no route can forget it.

The token acts as its user with the user's role in the token's organization, checked again on every request:
a user removed from the organization, deactivated, or a token revoked or expired gets 401 at once.
"""

from __future__ import annotations

from flask import g, request

from app.api.models import ApiToken
from app.api.problems import ApiProblem
from app.api.tokens import find_token, touch
from app.auth.models import Organization, Role, User
from app.core.db import utcnow
from app.core.forms import MAX_ID
from app.extensions import db

# The OpenAPI document and the reference page describe the API; they hold no data.
PUBLIC_API_ENDPOINTS = frozenset({"api.openapi_document_view", "api.reference"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_ROLES = (Role.ADMIN, Role.EDITOR)
_CHALLENGE = 'Bearer realm="planwright"'


def _unauthorized(detail: str, *, invalid: bool = True) -> ApiProblem:
    challenge = f'{_CHALLENGE}, error="invalid_token"' if invalid else _CHALLENGE
    return ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})


def _presented_token() -> str:
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise _unauthorized(
            "Send your personal API token in the header “Authorization: Bearer <token>”. "
            "Create one on the API tokens page of your account.",
            invalid=False,
        )
    return credential.strip()


def _check(token: ApiToken | None) -> ApiToken:
    now = utcnow()
    if token is None or token.is_revoked:
        raise _unauthorized("This token is not known or was revoked. Create a new one on the API tokens page.")
    if token.is_expired(now):
        raise _unauthorized(f"This token expired on {token.expires_at:%Y-%m-%d}. Create a new one.")
    user = token.user
    if not user.is_active or not user.is_member_of(token.organization_id):
        raise _unauthorized("The token's user is no longer an active member of its organization.")
    return token


def _token_of_request() -> ApiToken | None:
    """The token record the request's bearer credential names, looked up once per request (the rate limiter
    asks first, before authentication); None without one."""
    if "api_token_lookup" not in g:
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        presented = credential.strip() if scheme.lower() == "bearer" else ""
        g.api_token_lookup = find_token(presented) if presented else None
    return g.api_token_lookup  # type: ignore[no-any-return]


def usable_token_of_request() -> ApiToken | None:
    """The request's token when it is neither revoked nor expired (its user is checked by ``authenticate``)."""
    token = _token_of_request()
    if token is None or token.is_revoked or token.is_expired(utcnow()):
        return None
    return token


def authenticate() -> None:
    """``before_request`` of the API blueprint: a valid token, and a write token for anything but reading."""
    if request.endpoint in PUBLIC_API_ENDPOINTS:
        return
    _presented_token()  # 401 with the how-to when no bearer token was sent
    token = _check(_token_of_request())
    if any(isinstance(v, int) and not 0 < v <= MAX_ID for v in (request.view_args or {}).values()):
        raise ApiProblem(404)  # no object has such an id (and the database could not even be asked)
    if request.method not in SAFE_METHODS and not token.can_write:
        raise ApiProblem(403, "This token is read-only. Create a read-and-write token to make changes.")
    g.api_token = token
    g._login_user = token.user  # Flask-Login's current_user, so audit events name the token's user
    if touch(token):
        db.session.commit()


def api_token() -> ApiToken:
    return g.api_token  # type: ignore[no-any-return]


def api_user() -> User:
    return api_token().user


def api_organization() -> Organization:
    return api_token().organization


def api_role() -> Role | None:
    return api_user().role_in(api_token().organization_id)


def require_editor() -> None:
    """Writes need the editor or administrator role, as in the UI; 403 otherwise."""
    if api_role() not in WRITE_ROLES:
        raise ApiProblem(403, "You need the editor or administrator role in this organization to change this.")
