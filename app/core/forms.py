"""Field helpers shared by every domain's forms."""

from __future__ import annotations

from typing import Any, overload

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter
from werkzeug.routing import ValidationError as NoRouteMatch
from wtforms import Field, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

# Ids are PostgreSQL integers: a made-up larger one must be refused as "not found", never sent to the database
# (which would answer "integer out of range").
MAX_ID = 2**31 - 1


def record_id(value: Any) -> int:
    """An id posted as text; ValueError unless it is a whole number from 1 to ``MAX_ID``."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is not an id")
    return number


def optional_id(value: Any) -> int | None:
    """An id from a select whose first option ("Choose …") is blank."""
    return None if value in (None, "") else record_id(value)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number past ``MAX_ID`` (or thousands of digits long) matches no route, so it
    is a 404 like any other unknown id, and never reaches the database as a value it cannot hold."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(MAX_ID)):
            raise NoRouteMatch()
        return super().to_python(value)


class BadParameter(BadRequest):
    """A query or form number out of shape or range: 400, and the page says which parameter and what to send."""

    explained = True


@overload
def int_param(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_ID, source: Any = None) -> int: ...
@overload
def int_param(
    name: str, default: None = None, *, minimum: int = 1, maximum: int = MAX_ID, source: Any = None
) -> int | None: ...
def int_param(
    name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID, source: Any = None
) -> int | None:
    """The whole number ``name`` from the query string (or ``source``, such as ``request.form``); ``default`` when
    absent or blank. Anything else out of ``minimum``..``maximum`` is refused with a 400 naming the parameter."""
    raw = (source if source is not None else request.args).get(name, "")
    raw = raw.strip() if isinstance(raw, str) else raw
    if raw in (None, ""):
        return default
    text = str(raw)
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 12:
        raise BadParameter(f"“{name}” must be a whole number from {minimum:,} to {maximum:,}.")
    number = int(text)
    if not minimum <= number <= maximum:
        raise BadParameter(f"“{name}” must be a whole number from {minimum:,} to {maximum:,}.")
    return number


# Query parameters that Flask-SQLAlchemy's ``db.paginate`` reads by itself on every list page.
MAX_PAGE = 100_000
_PAGING_BOUNDS = {"page": MAX_PAGE, "per_page": 500}


def _check_paging() -> None:
    if request.blueprint == "api":  # the API reads its paging into a bounded model and answers problem documents
        return
    for name, maximum in _PAGING_BOUNDS.items():
        if name in request.args:
            int_param(name, maximum=maximum)


def register_input_bounds(app: Flask) -> None:
    """Every integer from a URL, before the routes are added: ids through the bounded converter, and the paging
    parameters that list pages read implicitly through ``int_param`` (other parameters call it where read)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(_check_paging)


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse text with control characters other than tab and newline (they break exports)."""

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data or ""
        if any((ord(ch) < 32 and ch not in "\t\r\n") or ord(ch) == 127 for ch in value):
            raise ValidationError("Remove the invisible control characters from this text (often pasted by mistake).")


def text_field(label: str, *, limit: int, required: str | None = None, **kwargs: Any) -> StringField:
    """A one-line text field: stripped, at most ``limit`` characters, required when ``required`` (its message)."""
    checks: list[Any] = [DataRequired(required)] if required else [Optional()]
    checks += [Length(max=limit, message=f"Use at most {limit:,} characters."), NoControlCharacters()]
    return StringField(label, filters=[strip_filter], validators=checks, **kwargs)


def fiscal_year_range(form: Any, field: Field) -> None:
    """A fiscal year this side of the plausible: typos such as 207 or 20027 are refused, not stored."""
    if field.data is not None and not 2000 <= field.data <= 2100:
        raise ValidationError("Enter a fiscal year between 2000 and 2100.")


def is_safe_redirect_path(target: str | None) -> bool:
    """Only same-site relative paths: '/plans/3' yes; '//host', '/\\host', 'https:', 'javascript:' no."""
    if not target or not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return False
    return not any(ch in target for ch in ("\\", "\r", "\n", "\t")) and ":" not in target.split("/", 2)[1]
