"""Open data of a published plan: one CSV file per dataset and one JSON document, both with exactly the
fields declared in app/publication/fields.py.

JSON shape (``format`` names it; a new incompatible shape gets a new number)::

    {"format": "planwright-open-data/1",
     "plan": {<plan fields>},
     "fields": {"plan": [{"name", "type", "description"}], "objectives": [...], ...},
     "objectives": [{...}], "initiatives": [...], "costs": [...], "kpis": [...], "measurements": [...]}

Decimals are strings (no rounding through floating point), dates ``YYYY-MM-DD``, missing values ``null``.
CSV files are UTF-8 with a byte-order mark, a heading row of the field names, and text that a spreadsheet
would run as a formula prefixed with an apostrophe (app/exports/spreadsheets/writing.py).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from app.exports.spreadsheets import Column, Sheet, write_csv
from app.publication.content import PublicPlan
from app.publication.fields import DATASET_TITLES, DATASETS, PLAN_FIELDS, describe

FORMAT = "planwright-open-data/1"


def csv_bytes(content: PublicPlan, dataset: str) -> bytes:
    fields = DATASETS[dataset]
    sheet = Sheet(
        title=DATASET_TITLES[dataset],
        columns=[Column(f.name, f.kind) for f in fields],
        rows=[[row[f.name] for f in fields] for row in content.rows[dataset]],
    )
    return write_csv(sheet)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def document(content: PublicPlan) -> dict[str, Any]:
    """The JSON document (before encoding)."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "plan": {k: _plain(v) for k, v in content.plan.items()},
        "fields": {"plan": describe(PLAN_FIELDS), **{name: describe(fields) for name, fields in DATASETS.items()}},
    }
    for name in DATASETS:
        body[name] = [{k: _plain(v) for k, v in row.items()} for row in content.rows[name]]
    return body


def json_bytes(content: PublicPlan) -> bytes:
    return json.dumps(document(content), ensure_ascii=False, indent=1).encode("utf-8")


def filename(content: PublicPlan, what: str) -> str:
    """A server-made download name: the publication's slug (ASCII) and what the file holds."""
    return f"{content.publication.slug}-{what}"
