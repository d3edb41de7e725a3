"""Field helpers shared by every domain's forms."""

from __future__ import annotations

from typing import Any

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
