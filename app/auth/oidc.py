"""OpenID Connect relying party: discovery, authorization request (PKCE S256, state, nonce), code exchange and
ID token verification (signature from the issuer's JWKS, issuer, audience, expiry, iat/nbf, nonce).

Every outbound request (discovery, token, JWKS) goes through one client, ``_request_json``: only to the
configured issuer's own origin (scheme, host and port; the discovery document must name that issuer and
endpoints on that origin), no redirect is followed (to another host or at all), every request has a timeout
(OIDC_HTTP_TIMEOUT_SECONDS) and the answer a size limit (MAX_RESPONSE_BYTES). HTTPS is required; plain HTTP only
to a loopback issuer when OIDC_ALLOW_HTTP_LOOPBACK is on in a testing or debug configuration, never in
production. Discovery documents and key sets are cached for OIDC_CACHE_SECONDS; an ID token signed with a key
the cached set lacks makes one fresh fetch (key rotation). The ``iss`` parameter of the authorization
response (RFC 9207) is checked when the provider sends it, and required when its metadata says it sends it.

The protocol is written here rather than taken from Authlib's client: the relying party needs only the
authorization code flow with PKCE for providers configured per organization at run time, and the tokens are
checked with joserfc (Authlib's own JOSE library); see the README's single sign-on section.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ["RS256", "PS256", "ES256"]  # asymmetric only: "none" and HMAC with the client secret are refused
MAX_RESPONSE_BYTES = 1024 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class OidcError(Exception):
    """Sign-in through the provider failed. ``str(exc)`` is shown to the user; ``reason`` goes to the audit log."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    iss_parameter_supported: bool = False  # RFC 9207: the provider adds ``iss`` to its authorization responses


def http_loopback_allowed() -> bool:
    """Plain HTTP to a loopback issuer: only when configured and the app runs in a testing or debug setup."""
    app = current_app
    return bool(app.config["OIDC_ALLOW_HTTP_LOOPBACK"]) and bool(
        app.testing or app.debug or app.config.get("ENV_NAME") == "development"
    )


_cache: dict[tuple[str, str], tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _cached(kind: str, url: str) -> Any | None:
    with _cache_lock:
        entry = _cache.get((kind, url))
    if entry is None or entry[0] < time.monotonic():
        return None
    return entry[1]


def _remember(kind: str, url: str, value: Any) -> None:
    ttl = float(current_app.config.get("OIDC_CACHE_SECONDS", 300))
    with _cache_lock:
        _cache[(kind, url)] = (time.monotonic() + ttl, value)


def forget(issuer: str | None = None) -> None:
    """Drop the cached discovery document and keys of ``issuer`` (of every issuer when None)."""
    with _cache_lock:
        if issuer is None:
            _cache.clear()
            return
        metadata = _cache.pop(("discovery", issuer), (0.0, None))[1]
        if isinstance(metadata, ProviderMetadata):
            _cache.pop(("jwks", metadata.jwks_uri), None)


def issuer_url_problem(url: str, *, allow_http_loopback: bool) -> str | None:
    """Why ``url`` cannot be an issuer, as a message saying what to do; None when it can."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "Enter the issuer as a full https:// address, e.g. https://login.agency.example/realms/staff."
    if parts.username or parts.password or parts.query or parts.fragment:
        return "The issuer address must not contain a user name, password, query or fragment."
    if parts.scheme == "http" and not (allow_http_loopback and parts.hostname in LOOPBACK_HOSTS):
        return "The issuer must use https:// so that sign-in cannot be intercepted."
    return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        raise urllib.error.HTTPError(req.full_url, code, "redirects are not followed", headers, fp)


_opener = urllib.request.build_opener(_RefuseRedirects)


def _request_json(url: str, issuer: str, *, form: dict[str, str] | None = None, auth: str | None = None) -> Any:
    """GET (or POST a form to) ``url`` on the issuer's origin and parse the JSON answer: the one way this module
    talks to a provider."""
    if _origin(url) != _origin(issuer) or issuer_url_problem(url, allow_http_loopback=http_loopback_allowed()):
        raise OidcError(
            "The identity provider's configuration points outside its own address, so it was not used.",
            f"endpoint {url[:200]} is not on the issuer's origin",
        )
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"Accept": "application/json"}
    if auth:
        headers["Authorization"] = auth
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - scheme and origin checked above
    timeout = current_app.config["OIDC_HTTP_TIMEOUT_SECONDS"]
    try:
        with _opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
                raise OidcError(
                    "The identity provider sent an answer too large to use.", f"response too large from {url[:200]}"
                )
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode(errors="replace") if exc.fp else ""
        raise OidcError(
            "The identity provider refused the request. Try again; if it keeps happening, tell your administrator.",
            f"HTTP {exc.code} from {url[:200]}: {detail[:200]}",
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise OidcError(
            "The identity provider could not be reached. Try again in a few minutes.",
            f"cannot reach {url[:200]}: {exc.__class__.__name__}",
        ) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise OidcError(
            "The identity provider sent an answer too large to use.", f"response too large from {url[:200]}"
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise OidcError("The identity provider sent an answer that is not JSON.", f"not JSON from {url}") from exc


def discover(issuer: str) -> ProviderMetadata:
    """The provider's configuration (cached for OIDC_CACHE_SECONDS)."""
    problem = issuer_url_problem(issuer, allow_http_loopback=http_loopback_allowed())
    if problem:
        raise OidcError("Single sign-on is not configured correctly. Tell your administrator.", problem)
    cached = _cached("discovery", issuer)
    if isinstance(cached, ProviderMetadata):
        return cached
    metadata = _fetch_metadata(issuer)
    _remember("discovery", issuer, metadata)
    return metadata


def _fetch_metadata(issuer: str) -> ProviderMetadata:
    document = _request_json(issuer.rstrip("/") + "/.well-known/openid-configuration", issuer)
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise OidcError(
            "Single sign-on is not configured correctly. Tell your administrator.",
            f"discovery document names issuer {str(document.get('issuer') if isinstance(document, dict) else '')[:200]}"
            f", not {issuer}",
        )
    try:
        metadata = ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks_uri=str(document["jwks_uri"]),
            end_session_endpoint=str(document["end_session_endpoint"])
            if document.get("end_session_endpoint")
            else None,
            iss_parameter_supported=document.get("authorization_response_iss_parameter_supported") is True,
        )
    except KeyError as exc:
        raise OidcError(
            "Single sign-on is not configured correctly. Tell your administrator.",
            f"discovery document has no {exc.args[0]}",
        ) from exc
    for url in (metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri):
        if _origin(url) != _origin(issuer):
            raise OidcError(
                "The identity provider's configuration points outside its own address, so it was not used.",
                f"endpoint {url[:200]} is not on the issuer's origin",
            )
    if metadata.end_session_endpoint and _origin(metadata.end_session_endpoint) != _origin(issuer):
        metadata = ProviderMetadata(**{**metadata.__dict__, "end_session_endpoint": None})
    return metadata


def check_response_issuer(metadata: ProviderMetadata, iss: str | None) -> None:
    """RFC 9207: the authorization response names the issuer that sent it, which must be this organization's
    (a response from another provider the browser was also using is refused before any code is redeemed)."""
    if iss is None or iss == "":
        if metadata.iss_parameter_supported:
            raise OidcError(_REFUSED, "authorization response without the iss parameter its provider promises")
        return
    if not hmac.compare_digest(iss.encode(), metadata.issuer.encode()):
        raise OidcError(_REFUSED, f"authorization response from issuer {iss[:200]}, not {metadata.issuer}")


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier (256 random bits) and its S256 challenge."""
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization_url(
    metadata: ProviderMetadata, *, client_id: str, redirect_uri: str, state: str, nonce: str, code_challenge: str
) -> str:
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    return f"{metadata.authorization_endpoint}{separator}{query}"


def exchange_code(
    metadata: ProviderMetadata, *, client_id: str, client_secret: str, code: str, redirect_uri: str, verifier: str
) -> str:
    """Trade the authorization code for tokens (client_secret_basic); return the raw ID token."""
    basic = base64.b64encode(
        f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(client_secret, safe='')}".encode()
    ).decode()
    answer = _request_json(
        metadata.token_endpoint,
        metadata.issuer,
        form={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=f"Basic {basic}",
    )
    id_token = answer.get("id_token") if isinstance(answer, dict) else None
    if not isinstance(id_token, str):
        raise OidcError("The identity provider did not send an ID token.", "token response without id_token")
    return id_token


_REFUSED = "Your identity provider's answer could not be trusted, so you were not signed in. Try again."


def verify_id_token(id_token: str, metadata: ProviderMetadata, *, client_id: str, nonce: str, now: float) -> dict:
    """The ID token's claims once its signature, issuer, audience, times and nonce are checked."""
    claims = _verified_claims(id_token, metadata)
    leeway = current_app.config["OIDC_CLOCK_LEEWAY_SECONDS"]
    if claims.get("iss") != metadata.issuer:
        raise OidcError(_REFUSED, f"ID token issuer {str(claims.get('iss'))[:200]} is not {metadata.issuer}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise OidcError(_REFUSED, f"ID token audience {str(audience)[:200]} does not include this application")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError(_REFUSED, "ID token has several audiences and is not authorized for this application")
    for name in ("exp", "iat"):
        if not isinstance(claims.get(name), int | float):
            raise OidcError(_REFUSED, f"ID token has no {name} claim")
    if claims["exp"] <= now - leeway:
        raise OidcError(
            "Your sign-in at the identity provider expired before it reached Planwright. Sign in again.",
            "ID token expired",
        )
    if claims["iat"] > now + leeway or (isinstance(claims.get("nbf"), int | float) and claims["nbf"] > now + leeway):
        raise OidcError(_REFUSED, "ID token issued in the future (iat/nbf)")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise OidcError(_REFUSED, "ID token nonce does not match the sign-in this browser started")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError(_REFUSED, "ID token has no subject")
    return claims


def _verified_claims(id_token: str, metadata: ProviderMetadata) -> dict:
    """The claims of a token signed by one of the issuer's keys: the cached set first, then (key rotation, or
    nothing cached) the set fetched afresh."""
    cached = _cached("jwks", metadata.jwks_uri)
    if cached is not None:
        try:
            return dict(jwt.decode(id_token, KeySet.import_key_set(cached), algorithms=ALGORITHMS).claims)
        except (JoseError, ValueError, TypeError, KeyError):
            pass  # perhaps signed with a key newer than the cache: fetch the set once
    keys = _request_json(metadata.jwks_uri, metadata.issuer)
    _remember("jwks", metadata.jwks_uri, keys)
    try:
        return dict(jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=ALGORITHMS).claims)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise OidcError(_REFUSED, f"ID token signature not valid ({exc.__class__.__name__})") from exc


def end_session_url(metadata: ProviderMetadata, *, id_token: str, client_id: str, post_logout_redirect_uri: str) -> str:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)."""
    assert metadata.end_session_endpoint  # noqa: S101 - callers check
    query = urllib.parse.urlencode(
        {"id_token_hint": id_token, "client_id": client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    separator = "&" if "?" in metadata.end_session_endpoint else "?"
    return f"{metadata.end_session_endpoint}{separator}{query}"
