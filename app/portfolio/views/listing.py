"""The portfolio list, filtered and sorted from the query string, and the same list as a spreadsheet;
initiatives imported from a spreadsheet.
"""

from __future__ import annotations

from functools import partial

from flask import render_template, request
from flask_login import current_user

from app.auth.context import current_organization
from app.core.db import utcnow
from app.core.forms import int_param
from app.exports.pages import accept_uploads, ensure_format, export_file, import_page, spreadsheet_file
from app.extensions import db
from app.portfolio import queries, transfer
from app.portfolio.models import Category, InitiativeStatus
from app.portfolio.views.shared import bp

PER_PAGE = 50
FILTER_ARGS = ("q", "status", "category", "objective", "owner", "fy", "sort", "order")
SORT_LABELS = {"code": "code", "title": "title", "status": "status", "start": "start date", "cost": "total cost"}


def _filters_from_request() -> queries.PortfolioFilters:
    args = request.args
    year = args.get("fy", type=int)
    return queries.PortfolioFilters(
        status=args.get("status", "") if args.get("status") in set(InitiativeStatus) else "",
        category=args.get("category", "") if args.get("category") in set(Category) else "",
        objective_id=int_param("objective"),
        owner=args.get("owner", "").strip()[:120],
        fiscal_year=year if year is not None and 2000 <= year <= 2100 else None,
        text=args.get("q", "").strip()[:200],
        sort=args.get("sort", "code") if args.get("sort") in queries.SORTS else "code",
        descending=args.get("order") == "desc",
    )


@bp.get("/initiatives")
def list_initiatives():  # type: ignore[no-untyped-def]
    organization = current_organization()
    filters = _filters_from_request()
    filter_args = {k: v for k, v in request.args.items() if k in FILTER_ARGS and v}  # kept in page and sort links
    page = db.paginate(queries.initiatives_in(organization, filters), per_page=PER_PAGE, error_out=False)
    return render_template(
        "portfolio/list.html",
        organization=organization,
        page=page,
        totals=queries.cost_totals([initiative.id for initiative in page.items]),
        balance=queries.category_balance(organization.id),
        objectives=db.session.scalars(queries.objectives_for(organization)).all(),
        filters=filters,
        filter_args=filter_args,
        filtered=bool(filter_args.keys() - {"sort", "order"}),
        statuses=list(InitiativeStatus),
        categories=list(Category),
        sort_labels=SORT_LABELS,
        can_create=current_user.can_edit_in(organization.id),
    )


# --- spreadsheets: the list as a download, and initiatives from a file ------------------------------------

accept_uploads(bp, "import_initiatives")


@bp.get("/initiatives/export.<fmt>")
def export_initiatives(fmt: str):  # type: ignore[no-untyped-def]
    """The list as it is filtered and sorted now, as CSV or Excel."""
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.initiatives_sheet(organization, _filters_from_request())
    filters = {key: value for key, value in request.args.items() if key in FILTER_ARGS and value}
    return export_file(sheet, fmt=fmt, organization=organization, noun="initiatives", details={"filters": filters})


@bp.route("/initiatives/import", methods=["GET", "POST"])
def import_initiatives():  # type: ignore[no-untyped-def]
    organization = current_organization()
    importer = partial(transfer.import_initiatives, organization=organization, user=current_user)
    return import_page(
        organization=organization, template="portfolio/import.html", importer=importer, noun="initiatives"
    )


@bp.get("/initiatives/import/template.<fmt>")
def import_template(fmt: str):  # type: ignore[no-untyped-def]
    ensure_format(fmt)
    organization = current_organization()
    sheet = transfer.template_sheet(organization, today=utcnow().date())
    return spreadsheet_file(sheet, fmt=fmt, stem=f"{organization.slug}-initiatives-template")
