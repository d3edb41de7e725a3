"""The OpenAPI 3.1 document and the reference page: public, complete (every API route, every problem status),
generated from the same registry as the routes, and the page works under the strict CSP."""

from __future__ import annotations

import re

from app.api.registry import OPERATIONS


def test_the_document_is_public_and_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert document["security"] == [{"bearerAuth": []}]
    described = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in ("api.openapi_document_view", "api.reference"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(m, path) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    assert routes == described
    assert len(OPERATIONS) == len(described)


def test_every_operation_documents_its_errors_as_problem_json(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, spec in operations.items():
            statuses = set(spec["responses"])
            assert {"401", "404", "500", "default"} <= statuses, (method, path)
            problem = spec["responses"]["401"]["content"]["application/problem+json"]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}
            if "requestBody" in spec:
                assert {"400", "403", "415", "422"} <= statuses, (method, path)
            if any(p["name"] == "If-Match" for p in spec.get("parameters", [])):
                assert {"412", "428"} <= statuses, (method, path)
            for parameter in spec.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["required"] and parameter["schema"]["type"] == "integer"
    section = document["paths"]["/api/v1/plans/{plan_id}/sections/{section_id}"]
    assert "ETag" in section["get"]["responses"]["200"]["headers"]
    listing = document["paths"]["/api/v1/initiatives"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "page",
        "per_page",
        "status",
        "category",
        "type",
        "objective_id",
    }


def test_the_reference_page_is_rendered_from_the_document_without_inline_script_or_style(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    assert "<h1>Planwright API reference" in html
    for needle in ("/api/v1/plans/{plan_id}/sections/{section_id}", "If-Match", "412", "428", "InitiativeCreate"):
        assert needle in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert " style=" not in html and "<style" not in html
