"""One structured line per request, with a request id, and never a secret."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask

from app import create_app
from app.auth.models import Role
from app.core.logging import REQUEST_LOGGER, TextFormatter
from tests.conftest import make_config
from tests.factories import PASSWORD, create_org, create_user, login

SENTINEL_TOKEN = "ResetT0ken-Sentinel-9f8e7d6c5b4a3f2e1d0c"
SENTINEL_BEARER = "Bearer pw_Sentinel-Api-Key-1a2b3c4d5e6f7a8b9c0d"


def request_lines(captured: str) -> list[dict]:  # type: ignore[type-arg]
    lines = []
    for raw in captured.splitlines():
        if raw.startswith("{"):
            record = json.loads(raw)
            if record.get("logger") == REQUEST_LOGGER:
                lines.append(record)
    return lines


def test_one_line_per_request_with_the_id_echoed(client, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    first = client.get("/healthz")
    second = client.get("/accessibility?page=2")
    lines = request_lines(capsys.readouterr().err)
    assert len(lines) == 2
    assert [line["request_id"] for line in lines] == [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert lines[0]["request_id"] != lines[1]["request_id"]
    line = lines[1]
    assert (line["method"], line["path"], line["route"], line["status"]) == (
        "GET",
        "/accessibility",
        "/accessibility",
        200,
    )
    assert line["query"] == {"page": "2"}
    assert line["level"] == "info" and line["time"].endswith("Z")
    assert isinstance(line["duration_ms"], float)
    assert line["remote_addr"] == "127.0.0.1"
    assert line["user_id"] is None


def test_a_well_formed_request_id_is_kept_and_a_malformed_one_replaced(
    client, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    capsys.readouterr()
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-4f2a9c1e-0001"})
    forged_id = 'abcdefgh\n{"level": "info", "forged": 1}'
    forged = client.get("/healthz", environ_base={"HTTP_X_REQUEST_ID": forged_id})
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 200})
    quoted = client.get("/healthz", headers={"X-Request-ID": 'id "with" spaces'})
    err = capsys.readouterr().err
    lines = request_lines(err)
    assert len(lines) == 4
    assert kept.headers["X-Request-ID"] == "lb-4f2a9c1e-0001" == lines[0]["request_id"]
    for response in (forged, too_long, quoted):
        assert len(response.headers["X-Request-ID"]) == 32
    assert "forged" not in err
    assert all(line["request_id"] for line in lines)


def test_no_password_token_cookie_or_authorization_in_the_log(  # type: ignore[no-untyped-def]
    app: Flask, client, capsys: pytest.CaptureFixture[str]
) -> None:
    org = create_org()
    user = create_user(org=org, role=Role.EDITOR)
    capsys.readouterr()
    signed_in = login(client, user)
    assert signed_in.status_code == 302
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    sid = app.session_interface.get_signing_serializer(app).loads(cookie.value)["sid"]  # type: ignore[union-attr]
    client.get("/plans")
    client.get(f"/reset-password?token={SENTINEL_TOKEN}")
    client.post("/reset-password", data={"token": SENTINEL_TOKEN, "password": "New-Sentinel-Password-77"})
    client.get(f"/plans/{SENTINEL_TOKEN}")
    client.get("/api/v1/plans", headers={"Authorization": SENTINEL_BEARER})
    client.get("/sso/callback?state=StateSentinel123abcDEF456&code=CodeSentinel789ghiJKL012")
    err = capsys.readouterr().err
    lines = request_lines(err)
    assert len(lines) == 7
    for secret in (PASSWORD, SENTINEL_TOKEN, "New-Sentinel-Password", SENTINEL_BEARER.split()[1], cookie.value, sid):
        assert secret not in err
    assert "StateSentinel" not in err and "CodeSentinel" not in err
    assert lines[0]["path"] == "/login" and lines[0]["status"] == 302
    assert lines[1]["user_id"] == user.id and lines[1]["org_id"] == org.id
    assert lines[2]["query"] == {"token": "[redacted]"}
    assert lines[4]["path"] == "/plans/[redacted]"


def test_client_address_comes_through_trusted_proxies_only(  # type: ignore[no-untyped-def]
    database_url: str, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    direct = create_app(make_config(database_url, EXPORT_DIR=str(tmp_path))).test_client()
    proxied = create_app(make_config(database_url, EXPORT_DIR=str(tmp_path), TRUSTED_PROXY_COUNT=1)).test_client()
    capsys.readouterr()
    direct.get("/healthz", headers={"X-Forwarded-For": "127.0.0.9"})
    proxied.get("/healthz", headers={"X-Forwarded-For": "127.0.0.9"})
    lines = request_lines(capsys.readouterr().err)
    assert [line["remote_addr"] for line in lines] == ["127.0.0.1", "127.0.0.9"]


def test_text_format_keeps_one_line_per_record() -> None:
    record = logging.LogRecord(REQUEST_LOGGER, logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"request_id": "r-12345678", "path": "/x\nINFO forged", "status": 200}
    line = TextFormatter().format(record)
    assert "\n" not in line
    assert 'path="/x\\nINFO forged"' in line
    assert "status=200" in line
