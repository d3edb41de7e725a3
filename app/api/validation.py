"""Reading query strings and JSON bodies into pydantic models; every refusal is a problem document whose
``errors`` name each field and say what to do."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from app.api.problems import ApiProblem, validation_problem

Model = TypeVar("Model", bound=BaseModel)
JSON_MEDIA_TYPES = frozenset({"application/json", "application/merge-patch+json"})


def _message(error: Any) -> str:
    kind, ctx, field = error["type"], error.get("ctx") or {}, str(error["loc"][-1]) if error["loc"] else ""
    messages = {
        "missing": "This field is required; send a value for it.",
        "string_too_long": f"Use at most {ctx.get('max_length')} characters.",
        "string_too_short": "Enter some text; this field cannot be empty.",
        "too_long": f"Use at most {ctx.get('max_length')} characters.",
        "too_short": "Enter some text; this field cannot be empty.",
        "string_type": "Send text (a JSON string).",
        "int_parsing": "Enter a whole number.",
        "int_type": "Enter a whole number.",
        "int_from_float": "Enter a whole number.",
        "greater_than_equal": f"Enter a number of at least {ctx.get('ge')}.",
        "less_than_equal": f"Enter a number of at most {ctx.get('le')}.",
        "date_parsing": "Enter a date as YYYY-MM-DD, such as 2026-07-01.",
        "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD, such as 2026-07-01.",
        "date_from_datetime_inexact": "Enter a date as YYYY-MM-DD, without a time.",
        "date_type": "Enter a date as YYYY-MM-DD, such as 2026-07-01.",
        "decimal_parsing": "Enter a number such as 72.5.",
        "decimal_type": "Enter a number such as 72.5.",
        "finite_number": "Enter a finite number such as 72.5.",
        "decimal_max_digits": "Use at most 18 digits, 4 of them after the decimal point.",
        "decimal_max_places": "Use at most 4 digits after the decimal point.",
        "decimal_whole_digits": "Use at most 14 digits before the decimal point.",
        "bool_parsing": "Send true or false.",
        "bool_type": "Send true or false.",
        "extra_forbidden": "This field is not accepted here; remove it (the reference lists the fields).",
        "model_type": "Send a JSON object.",
        "model_attributes_type": "Send a JSON object.",
        "dict_type": "Send a JSON object.",
    }
    if kind in ("enum", "literal_error"):
        return f"Choose one of: {ctx.get('expected')}."
    if kind == "string_pattern_mismatch":
        if field == "code":
            return "Use only capital letters, digits, dots, underscores and hyphens, such as INI-0026."
        return "This text does not have the expected form; see the reference."
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"]).removeprefix("Value error, ")
    return messages.get(kind, str(error["msg"]))


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors(include_url=False):
        name = ".".join(str(part) for part in error["loc"]) or "body"
        errors.append({"field": name, "message": _message(error)})
    return errors


# Deeper than any resource of the API (a few levels), far below where Python's parser would recurse too deep.
MAX_JSON_DEPTH = 32


_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


class UnreadableJson(ValueError):
    """A body that is not JSON the API can take; the message names the problem and what to send instead."""


def read_json(raw: bytes | str) -> Any:
    """Parse JSON after two checks the parser and the models do not make: nesting depth (thousands of levels make
    the parser recurse until it fails) and text validity (a lone surrogate such as ``\\ud800`` parses, and then no
    database can store it). Raises UnreadableJson naming the problem."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise UnreadableJson("The body is not UTF-8 text. Send JSON encoded as UTF-8.") from None
    depth = _nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise UnreadableJson(
            f"The JSON is nested {depth} levels deep; at most {MAX_JSON_DEPTH} are accepted. Send a flatter object."
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UnreadableJson(f"The body is not valid JSON ({exc}). Send a JSON object.") from None
    where = _first_invalid_text(data, "body")
    if where is not None:
        raise UnreadableJson(
            f"“{where}” holds an invalid character (a lone UTF-16 surrogate escape such as \\ud800). "
            "Send text as valid Unicode."
        )
    return data


def _nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, counted without parsing (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _first_invalid_text(value: Any, where: str) -> str | None:
    """The path of the first string (or key) that is not valid Unicode, or None; ``value`` is of bounded depth."""
    if isinstance(value, str):
        return None if _is_valid_text(value) else where
    if isinstance(value, list):
        return next((w for i, item in enumerate(value) if (w := _first_invalid_text(item, f"{where}[{i}]"))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if not _is_valid_text(key):
                return f"A field name in {where}"
            found = _first_invalid_text(item, f"{where}.{key}" if where != "body" else key)
            if found:
                return found
    return None


def _is_valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_query(model: type[Model]) -> Model:
    data = {key: value for key, value in request.args.items() if value != ""}  # an empty filter means "any"
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(field_errors(exc)) from None


def parse_body(model: type[Model]) -> Model:
    """The JSON body as ``model``: 415 when it is not JSON, 400 when it cannot be read, 422 when invalid."""
    raw = request.get_data(cache=True)
    if not raw.strip() and not request.mimetype:
        data: Any = {}
    elif request.mimetype not in JSON_MEDIA_TYPES:
        raise ApiProblem(415, "Send the body as JSON with the header “Content-Type: application/json”.")
    else:
        try:
            data = read_json(raw) if raw.strip() else {}
        except UnreadableJson as exc:
            raise ApiProblem(400, str(exc)) from None
    if not isinstance(data, dict):
        raise validation_problem([{"field": "body", "message": 'Send a JSON object, such as {"title": "…"}.'}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_problem(field_errors(exc)) from None
