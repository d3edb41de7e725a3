"""Login by default, security headers and the trusted-proxy setting."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# Every endpoint requires a signed-in user unless it is listed here.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.mfa_challenge",  # the second step of sign-in: only for a browser that passed the password step
        "auth.sso_start",
        "auth.sso_callback",
        "auth.sso_second_factor",  # the account's own code after single sign-on: only for a browser that passed SSO
        "auth.forgot_password",
        "auth.reset_password",
        "static",
        "core.accessibility",
        "core.healthz",
        "core.readyz",
    }
)

# Blueprints that do their own authentication: the API checks a bearer token on every request and
# public pages show only plans an admin has published.
SELF_AUTHENTICATING_BLUEPRINTS = frozenset({"api", "public"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def _require_login():  # type: ignore[no-untyped-def]
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.blueprint in SELF_AUTHENTICATING_BLUEPRINTS:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SEND_HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def register_security(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.before_request(_require_login)
    app.after_request(_set_security_headers)
