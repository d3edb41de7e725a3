"""The headings of the initiative export and import, and the form field or part behind each one."""

from __future__ import annotations

import re

from app.portfolio.models import LinkRole

CODE, STATUS = "Code", "Status"
PRIMARY, SUPPORTING = "Primary objective code", "Supporting objective codes"
LINK_COLUMNS = {LinkRole.PRIMARY.value: PRIMARY, LinkRole.SUPPORTING.value: SUPPORTING}
# Headings of the export and of the import, and the form field behind each one.
FIELD_COLUMNS = {
    CODE: "code",
    "Title": "title",
    "Summary": "summary",
    "Problem statement": "problem",
    "Citizen outcome": "citizen_outcome",
    "Category": "category",
    "Type": "initiative_type",
    "Owner": "owner",
    "Sponsor": "sponsor",
    "Start date": "start_date",
    "End date": "end_date",
    "Funding source": "funding_source",
}
COLUMN_OF = {name: header for header, name in FIELD_COLUMNS.items()}
CALCULATED = ["Total capital", "Total operating"]
YEAR_COLUMN = re.compile(r"FY(\d{4}) (capital|operating|total)", re.IGNORECASE)
HEADING_EXAMPLES = "Code, Title, Category, Type, Owner, Start date, FY2027 capital or Primary objective code"
TYPE_HINT = " Write Project, Programme or Service improvement."
