"""Helpers of the API tests: tokens for any user, and a client that sends them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.api.models import ApiToken
from app.api.tokens import issue_token
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import db

PROBLEM = "application/problem+json"


def make_token(
    user: User, org: Organization | None = None, *, scope: str = "read-write", days: int = 30, name: str = "Test feed"
) -> tuple[ApiToken, str]:
    organization = org or user.memberships[0].organization
    token, plaintext = issue_token(
        user=user, organization=organization, name=name, scope=scope, expires_at=utcnow() + timedelta(days=days)
    )
    db.session.commit()
    return token, plaintext


class Api:
    """A program calling the API with one token."""

    def __init__(self, app: Flask, plaintext: str) -> None:
        self.client: FlaskClient = app.test_client(use_cookies=False)
        self.plaintext = plaintext

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.plaintext}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def send(self, method: str, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.open(
            path, method=method, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def post(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.send("POST", path, json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.send("PATCH", path, json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.send("PUT", path, json, **kwargs)


def api_for(app: Flask, user: User, org: Organization | None = None, *, scope: str = "read-write") -> Api:
    return Api(app, make_token(user, org, scope=scope)[1])


def assert_problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body  # type: ignore[no-any-return]


def make_objective_with_kpi(org: Organization, editor: User, code: str = "G1") -> tuple[Any, Any]:
    """A goal and a KPI on it (baseline 40 % on 2025-01-01, target 80 % on 2029-06-30)."""
    from datetime import date
    from decimal import Decimal

    from app.objectives import services as objective_services

    objective = objective_services.create_objective(
        organization=org, user=editor, fields=objective_services.ObjectiveFields(code=code, title=f"Goal {code}")
    )
    kpi = objective_services.create_kpi(
        organization=org,
        user=editor,
        objective=objective,
        fields=objective_services.KpiFields(
            name=f"Permits online {code}",
            unit="%",
            baseline_value=Decimal("40"),
            baseline_date=date(2025, 1, 1),
            target_value=Decimal("80"),
            target_date=date(2029, 6, 30),
        ),
    )
    db.session.commit()
    return objective, kpi
