"""The reference page's content, read from the OpenAPI document so that the page and the document agree."""

from __future__ import annotations

from typing import Any

METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}


def type_label(schema: dict[str, Any]) -> str:
    """A short, readable type: "string (date)", "integer or null", "Category", "list of PlanOut"."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(dict.fromkeys(type_label(s) for s in schema["anyOf"]))
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_label(schema.get("items", {}))
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        limits = [
            f"{label} {prop[key]}" for key, label in (("maxLength", "at most"), ("minimum", "from")) if key in prop
        ]
        rows.append(
            {
                "name": name,
                "type": type_label(prop),
                "required": name in required,
                "description": " ".join([prop.get("description", ""), *(f"({x})" for x in limits)]).strip(),
            }
        )
    return rows


def _operation(path: str, method: str, spec: dict[str, Any]) -> dict[str, Any]:
    body_ref = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    return {
        "id": spec["operationId"],
        "method": method.upper(),
        "path": path,
        "summary": spec.get("summary", ""),
        "description": spec.get("description", ""),
        "parameters": [
            {
                "name": p["name"],
                "where": p["in"],
                "type": type_label(p.get("schema", {})),
                "required": p.get("required", False),
                "description": p.get("description", ""),
            }
            for p in spec.get("parameters", [])
        ],
        "body": type_label(body_ref) if body_ref else None,
        "responses": [
            {"status": status, "description": r.get("description", "")}
            for status, r in spec["responses"].items()
            if status != "default"
        ],
    }


def reference_context(document: dict[str, Any]) -> dict[str, Any]:
    by_tag: dict[str, list[dict[str, Any]]] = {tag["name"]: [] for tag in document.get("tags", [])}
    for path, methods in document["paths"].items():
        for method, spec in sorted(methods.items(), key=lambda item: METHOD_ORDER.get(item[0], 9)):
            by_tag.setdefault(spec["tags"][0], []).append(_operation(path, method, spec))
    schemas = document["components"]["schemas"]
    return {
        "info": document["info"],
        "tags": [
            {"name": tag["name"], "description": tag.get("description", ""), "operations": by_tag.get(tag["name"], [])}
            for tag in document.get("tags", [])
        ],
        "schemas": [
            {"name": name, "description": schema.get("description", ""), "fields": _fields(schema)}
            for name, schema in sorted(schemas.items())
            if schema.get("type") == "object"
        ],
        "enums": [
            {"name": name, "choices": schema["enum"]} for name, schema in sorted(schemas.items()) if "enum" in schema
        ],
    }
