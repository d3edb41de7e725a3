"""The text a person would read in a response, whatever its kind: page, CSV, Excel workbook, PDF or JSON.

A canary hidden in a compressed workbook or a PDF's content stream is invisible to a plain substring search of the
bytes, so each kind is opened the way its reader would open it.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

import openpyxl
from pypdf import PdfReader

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kind_of(response) -> str:  # type: ignore[no-untyped-def]
    mimetype = response.mimetype or ""
    if mimetype == "application/pdf":
        return "pdf"
    if mimetype == XLSX:
        return "xlsx"
    if mimetype == "text/csv":
        return "csv"
    if mimetype.endswith("json"):
        return "json"
    return "html" if mimetype == "text/html" else "other"


def xlsx_text(data: bytes) -> str:
    """Every cell value (openpyxl) and every XML part (shared strings, inline strings, sheet and document names)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist() if name.endswith(".xml")]
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        for sheet in workbook.worksheets:
            parts.append(sheet.title)
            parts += [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    finally:
        workbook.close()
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """The text of every page and the document's metadata (title, subject, keywords)."""
    reader = PdfReader(io.BytesIO(data))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return metadata + "\n" + "\n".join(page.extract_text() or "" for page in reader.pages)


def readable_text(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """``(kind, text)`` of a test-client response."""
    kind = kind_of(response)
    data = response.get_data()
    if kind == "pdf":
        return kind, pdf_text(data)
    if kind == "xlsx":
        return kind, xlsx_text(data)
    text = data.decode("utf-8", "replace")
    if kind == "json":
        with contextlib.suppress(ValueError):  # JSON may escape characters; compare the decoded values too
            text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    return kind, text
