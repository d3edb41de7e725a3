"""The helpers every domain shares: the field error, the service runner that commits once, the form fields."""

from __future__ import annotations

import pytest
from flask import Flask, get_flashed_messages
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden
from wtforms import Form, IntegerField

from app.architecture import services as architecture_services
from app.auth.models import Organization
from app.core.errors import DomainError, FieldError, PermissionDenied, run_service
from app.core.forms import fiscal_year_range, optional_id, text_field
from app.extensions import db
from app.portfolio import services as portfolio_services
from app.workforce import common as workforce_common
from tests.factories import create_org


def test_every_domain_raises_the_one_field_error() -> None:
    # One class: a view or the API that puts a message next to its field does so for every domain's refusals.
    assert portfolio_services.FieldError is FieldError
    assert architecture_services.FieldError is FieldError
    assert workforce_common.FieldError is FieldError
    refusal = FieldError("name", "Choose another name.")
    assert isinstance(refusal, DomainError) and str(refusal) == "Choose another name."


def _organization_named(name: str) -> Organization | None:
    return db.session.scalar(db.select(Organization).where(Organization.name == name))


def test_run_service_commits_what_the_service_did(app: Flask) -> None:
    with app.test_request_context("/", method="POST"):
        org = run_service(lambda: create_org(name="Kept office"))
        db.session.rollback()  # a later rollback cannot undo a commit
        assert org.name == "Kept office" and _organization_named("Kept office") is not None
        assert run_service(lambda: None) is True  # a service that returns nothing still counts as done


def test_run_service_rolls_back_and_flashes_a_refusal(app: Flask) -> None:
    def refused() -> None:
        create_org(name="Half-made office")
        raise DomainError("Choose another name.")

    with app.test_request_context("/", method="POST"):
        assert run_service(refused) is None
        assert _organization_named("Half-made office") is None
        assert get_flashed_messages(with_categories=True) == [("error", "Choose another name.")]


def test_run_service_answers_403_to_a_permission_refusal(app: Flask) -> None:
    def denied() -> None:
        create_org(name="Forbidden office")
        raise PermissionDenied("You need the administrator role.")

    with app.test_request_context("/", method="POST"), pytest.raises(Forbidden):
        run_service(denied)
    assert _organization_named("Forbidden office") is None


class _YearForm(Form):
    title = text_field("Title", limit=10, required="Enter a title.")
    year = IntegerField("Fiscal year")


@pytest.mark.parametrize(("year", "accepted"), [(2000, True), (2100, True), (1999, False), (20027, False)])
def test_fiscal_year_range_refuses_implausible_years(year: int, accepted: bool) -> None:
    form = _YearForm()
    form.year.data = year
    if accepted:
        fiscal_year_range(form, form.year)
    else:
        with pytest.raises(ValueError, match="between 2000 and 2100"):
            fiscal_year_range(form, form.year)


def test_text_field_strips_and_says_what_to_do() -> None:
    form = _YearForm(MultiDict({"title": "  Cloud  "}))
    assert form.title.data == "Cloud"
    form = _YearForm(MultiDict({"title": "   "}))
    assert not form.validate() and form.errors["title"] == ["Enter a title."]
    form = _YearForm(MultiDict({"title": "x" * 11}))
    assert not form.validate() and form.errors["title"] == ["Use at most 10 characters."]


def test_optional_id_is_none_for_the_blank_choice_and_refuses_made_up_ids() -> None:
    assert optional_id("") is None and optional_id(None) is None
    assert optional_id("42") == 42
    with pytest.raises(ValueError):
        optional_id(str(2**31))
