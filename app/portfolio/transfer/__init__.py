"""Initiatives in and out of spreadsheets: the export of the (filtered) list, the import template and the import.

The import reads the same columns as the export (totals are calculated, so they are ignored) plus
``FY2027 capital`` / ``FY2027 operating`` pairs, and goes through the initiative form and the services, so
a file is refused for exactly what the pages refuse, with the same messages, and every change is audited.
"""

from app.portfolio.transfer.export import initiatives_sheet, template_sheet
from app.portfolio.transfer.importer import import_initiatives

__all__ = ["import_initiatives", "initiatives_sheet", "template_sheet"]
