"""The helpers every domain shares: the field error, the service runners that commit once, the form fields."""

from __future__ import annotations

import pytest
from flask import Flask, get_flashed_messages
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden
from wtforms import Form, IntegerField

from app.architecture import services as architecture_services
from app.auth.models import Organization
from app.core.errors import FAILED, DomainError, FieldError, PermissionDenied, attempt, run_service
from app.core.forms import fiscal_year_range, optional_id, text_field
from app.extensions import db
from app.objectives import services as objective_services
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


def _refused_after_writing(error: DomainError):  # type: ignore[no-untyped-def]
    def action() -> None:
        create_org(name="Half-made office")
        raise error

    return action


def test_attempt_puts_a_field_refusal_next_to_its_field(app: Flask) -> None:
    form = _YearForm(MultiDict({"title": "Cloud", "year": "2030"}))
    assert form.validate()
    with app.test_request_context("/", method="POST"):
        assert attempt(_refused_after_writing(FieldError("title", "Choose another title.")), form) is FAILED
        assert _organization_named("Half-made office") is None
        assert form.errors == {"title": ["Choose another title."]}
        assert get_flashed_messages() == []


def test_attempt_flashes_a_refusal_it_cannot_place_on_the_form(app: Flask) -> None:
    unvalidated = _YearForm(MultiDict({"title": "Cloud"}))
    with app.test_request_context("/", method="POST"):
        assert attempt(_refused_after_writing(FieldError("owner", "Choose an owner.")), unvalidated) is FAILED
        assert attempt(_refused_after_writing(FieldError("title", "Choose another title."))) is FAILED
        assert attempt(_refused_after_writing(DomainError("Archived plans stay as they are."))) is FAILED
        assert get_flashed_messages() == [
            "Choose an owner.",
            "Choose another title.",
            "Archived plans stay as they are.",
        ]
    assert unvalidated.errors == {}


def test_attempt_places_the_field_errors_a_domain_names(app: Flask) -> None:
    refusal = objective_services.InvalidField("title", "Use another code.")
    form = _YearForm(MultiDict({"title": "Cloud"}))  # not validated: its fields' errors are still tuples
    with app.test_request_context("/", method="POST"):
        assert attempt(_refused_after_writing(refusal), form) is FAILED  # not a field error by default: flashed
        assert form.errors == {} and get_flashed_messages() == ["Use another code."]
    with app.test_request_context("/", method="POST"):
        assert attempt(_refused_after_writing(refusal), form, field_errors=(type(refusal),)) is FAILED
        assert form.errors == {"title": ["Use another code."]} and get_flashed_messages() == []


def test_attempt_rolls_back_then_raises_a_conflict_for_the_caller(app: Flask) -> None:
    conflict = architecture_services.EditConflict()
    with app.test_request_context("/", method="POST"):
        with pytest.raises(architecture_services.EditConflict):
            attempt(_refused_after_writing(conflict), conflicts=(architecture_services.EditConflict,))
        assert _organization_named("Half-made office") is None
        assert get_flashed_messages() == []
        assert attempt(_refused_after_writing(conflict)) is FAILED  # a conflict nobody asked for is a plain refusal


def test_attempt_commits_and_returns_what_the_service_returned(app: Flask) -> None:
    with app.test_request_context("/", method="POST"):
        assert attempt(lambda: None) is None  # as the service returned it (run_service says True)
        org = attempt(lambda: create_org(name="Kept office"))
        db.session.rollback()
        assert org.name == "Kept office" and _organization_named("Kept office") is not None


def test_attempt_answers_403_to_a_permission_refusal(app: Flask) -> None:
    with app.test_request_context("/", method="POST"), pytest.raises(Forbidden):
        attempt(_refused_after_writing(PermissionDenied("Editors only.")), conflicts=(PermissionDenied,))
    assert _organization_named("Half-made office") is None


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
