"""A small but real OpenID Connect provider for the tests, served over HTTP on 127.0.0.1 from a thread.

It implements discovery, JWKS, the authorization endpoint (auto-approving the user the test chose, as when the
person is already signed in at their identity provider), the token endpoint (client_secret_basic, single-use
codes, redirect URI and PKCE S256 checked) and RP-initiated logout. ``tamper`` makes the next ID token wrong in
one way (audience, expiry, signature key, nonce), to prove the relying party refuses it.

It is also the hostile office's provider: ``assert_claims`` signs whatever claims the attacker wants with its
real key; ``accept_any_secret`` takes any client secret and keeps what it was sent (``received_secrets``), as
an attacker collecting what the server sends; ``redirects`` and ``oversized`` make an endpoint answer with a
redirect or a huge body; ``iss_in_response`` adds the RFC 9207 ``iss`` parameter to the authorization response.
Every request it receives is logged in ``seen`` (method, path, headers, body).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Provider:
    client_id: str = "planwright-test"
    client_secret: str = "test-client-secret-9f3a"
    port: int = 0
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "signing-1"}))
    claims: dict[str, Any] = field(default_factory=dict)  # the person who "signs in" next
    tamper: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issuer_in_discovery: str | None = None
    discovery_extra: dict[str, Any] = field(default_factory=dict)
    accept_any_secret: bool = False
    received_secrets: list[str] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location of a 302
    oversized: dict[str, int] = field(default_factory=dict)  # path -> bytes of JSON padding
    declare_length: bool = True  # send Content-Length with an oversized body (or stream it without one)
    iss_in_response: str | None = None
    seen: list[dict[str, Any]] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sign_in_as(self, email: str, *, groups: list[str], verified: bool = True, name: str = "Dana Whitfield") -> None:
        self.claims = {
            "sub": f"sub-{email}",
            "email": email,
            "email_verified": verified,
            "name": name,
            "groups": groups,
        }

    def assert_claims(self, **claims: Any) -> None:
        """The attacker's choice: the next ID token carries exactly these claims (plus iss, aud, times, nonce)."""
        self.claims = dict(claims)

    # --- endpoints ---

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        request = Request(environ)
        self.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": dict(request.headers),
                "body": request.get_data(as_text=True),
            }
        )
        if request.path in self.redirects:
            return Response(status=302, headers={"Location": self.redirects[request.path]})(environ, start_response)
        if request.path in self.oversized:
            return self._oversized(request.path)(environ, start_response)
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
            "/logout": self.logout,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, request: Request) -> Response:
        return _json(
            {
                "issuer": self.issuer_in_discovery or self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                **self.discovery_extra,
            }
        )

    def jwks(self, request: Request) -> Response:
        return _json(KeySet([self.key]).as_dict(private=False))

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != self.client_id or args.get("response_type") != "code":
            return Response("unknown client", status=400)
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return Response("PKCE S256 required", status=400)
        redirect_uri = args["redirect_uri"]
        if self.tamper.get("deny"):
            return Response(
                status=302,
                headers={"Location": f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': args['state']})}"},
            )
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "challenge": args["code_challenge"],
            "nonce": args.get("nonce"),
            "claims": dict(self.claims),
        }
        answer = {"code": code, "state": args["state"]}
        if self.iss_in_response is not None:
            answer["iss"] = self.iss_in_response
        query = urlencode(answer)
        return Response(status=302, headers={"Location": f"{redirect_uri}?{query}"})

    def token(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            self.received_secrets.append(base64.b64decode(auth[6:]).decode().partition(":")[2])
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if auth != f"Basic {expected}" and not self.accept_any_secret:
            return _json({"error": "invalid_client"}, 401)
        form = request.form
        self.token_requests.append(dict(form))
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return _json({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        return _json(
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "id_token": self.id_token(grant)}
        )

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.tamper.get("aud", self.client_id),
            "iat": now,
            "exp": now + self.tamper.get("exp_offset", 300),
            "nonce": self.tamper.get("nonce", grant["nonce"]),
            **grant["claims"],
        }
        key = RSAKey.generate_key(2048, parameters={"kid": "signing-1"}) if self.tamper.get("other_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "signing-1"}, claims, key)

    def logout(self, request: Request) -> Response:
        return Response("signed out at the provider", status=200)

    def _oversized(self, path: str) -> Response:
        size = self.oversized[path]
        body = b'{"padding": "' + b"x" * size + b'"}'
        if self.declare_length:
            return Response(body, mimetype="application/json")

        def chunks():  # type: ignore[no-untyped-def]
            for start in range(0, len(body), 65536):
                yield body[start : start + 65536]

        return Response(chunks(), mimetype="application/json")  # no Content-Length: the reader must stop itself


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


@contextmanager
def running_provider() -> Iterator[Provider]:
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider, threaded=True)
    provider.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=5)


def follow_provider_redirect(location: str) -> str:
    """What the browser does at the provider: open the authorization URL, return the callback path + query."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            return None

    assert urlsplit(location).hostname == "127.0.0.1", location
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(location, timeout=5)
    except urllib.error.HTTPError as exc:  # the 302 surfaces as an error once redirects are not followed
        assert exc.code == 302, exc.code
        target = urlsplit(exc.headers["Location"])
        return f"{target.path}?{target.query}"
    raise AssertionError("the provider did not redirect back")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
