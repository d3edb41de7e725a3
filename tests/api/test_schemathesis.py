"""Property-based run of the whole API against its own OpenAPI document (schemathesis, Python API).

For each operation, up to EXAMPLES generated requests (valid ones, then invalid ones) are sent to the app through
WSGI with a read-and-write administrator's token, on an organization with one of every kind of object. Path ids
are drawn from that organization's real ids and a missing one, so both found and not-found answers are checked.
Passes when there are 0 server errors and 0 responses that break the document (status, content type, headers,
body schema)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi import openapi_document
from app.auth.models import Role
from app.exports import services as export_services
from tests.api.world import make_token
from tests.core.world import build_tenant

# Generated requests per operation: valid ones, then invalid ones (about 400 requests in all).
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 10, schemathesis.GenerationMode.NEGATIVE: 6}
MISSING_ID = 999_999
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _pin_identifiers(document: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """The document with each path id limited to a real object of the seeded organization or a missing one, and
    If-Match to a wildcard or a stale tag, so generated requests reach real objects."""
    pinned = copy.deepcopy(document)
    for operations in pinned["paths"].values():
        for spec in operations.values():
            for parameter in spec.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = {"type": "integer", "enum": [ids[parameter["name"]], MISSING_ID]}
                elif parameter["name"] == "If-Match":
                    parameter["schema"] = {"type": "string", "enum": ["*", '"stale-0"']}
    return pinned


@pytest.fixture
def seeded(app, monkeypatch):
    tenant = build_tenant("FUZZ")
    monkeypatch.setattr(export_services, "dispatch", lambda requested: None)  # queue PDFs, never render them here
    _, plaintext = make_token(tenant.users[Role.ADMIN], tenant.org)
    return {**tenant.ids(), "organization_id": tenant.org.id}, plaintext


def test_the_api_keeps_to_its_openapi_document(app, seeded):
    ids, plaintext = seeded
    with app.app_context():
        document = openapi_document()
    schema = schemathesis.openapi.from_dict(_pin_identifiers(document, ids))
    schema.app = app
    headers = {"Authorization": f"Bearer {plaintext}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            failures += _exercise(operation, mode, examples, headers)
    assert failures == [], "\n\n".join(failures[:10])


def _exercise(
    operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode, examples: int, headers: dict[str, str]
) -> list[str]:
    """Send ``examples`` generated requests to one operation; what broke the document, one line per failure."""
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every failing operation
            failures.append(f"{operation.label} [{mode.value}]: {exc}"[:1500])

    run()
    return failures
