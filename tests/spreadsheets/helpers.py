"""Reading downloads back as a spreadsheet program would, and uploading files as a browser does."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import openpyxl
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.audit.models import AuditEvent
from app.extensions import db
from tests.plans.html import main_content, parse, squash

BOM = b"\xef\xbb\xbf"
ACTIVE = ("=", "+", "-", "@", "\t", "\r", "\0")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_rows(body: bytes) -> list[list[str]]:
    """A downloaded CSV file read with the csv module (after its byte-order mark)."""
    assert body.startswith(BOM), "the CSV has no UTF-8 byte-order mark, so Excel would misread accents"
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))


def csv_records(body: bytes) -> list[dict[str, str]]:
    header, *rows = csv_rows(body)
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_sheet(body: bytes) -> Any:
    """The first sheet of a downloaded workbook, as openpyxl reads it (cells keep their types)."""
    return openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]


def xlsx_records(body: bytes) -> list[dict[str, Any]]:
    """Each row as {heading: cell}, with the openpyxl cell (value, data_type, number_format)."""
    header, *rows = list(xlsx_sheet(body).iter_rows())
    return [{h.value: cell for h, cell in zip(header, row, strict=True)} for row in rows]


def is_safe_csv_cell(text: str) -> bool:
    """Excel runs a CSV cell as a formula when it starts with one of ACTIVE, unless it is a plain number."""
    return not text.startswith(ACTIVE) or PLAIN_NUMBER.fullmatch(text) is not None


def csv_file(*rows: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(*rows: list[Any]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client: FlaskClient, url: str, filename: str, content: bytes, *, dry_run: bool = False, **fields: str):  # type: ignore[no-untyped-def]
    """POST the file (and ``fields``) as a browser does. The body is encoded here, in memory: the test client would
    spool a large one to a temporary file that nothing closes."""
    values: dict[str, Any] = {**fields, "file": FileStorage(io.BytesIO(content), filename=filename)}
    if dry_run:
        values["dry_run"] = "y"
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def problems(html: str) -> list[tuple[str, str, str]]:
    """(row, column, message) of each line of the page's problem table."""
    table = main_content(html).by_id("import-problems")
    return [tuple(squash(td.text) for td in tr.find_all("td")) for tr in table.find("tbody").find_all("tr")]  # type: ignore[misc]


def result_text(html: str) -> str:
    return squash(parse(html).by_id("import-result").text)


def page_text(html: str) -> str:
    return squash(main_content(html).text)


def last_event_id() -> int:
    return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def events_since(last_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)))


def changes_of(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.changes)  # type: ignore[no-any-return]
