"""Odd input never gives a 5xx. Each cause found by fuzzing (about 120 server errors in ~9,700 malformed requests) is
replayed here, on SQLite and, with TEST_DATABASE_URL, on PostgreSQL; plus the shared mechanisms at their seams:
the bounded ``<int:...>`` converter, ``int_param`` for query and form numbers, ``read_json`` for API bodies and the
SVG size check for logos."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.exceptions import BadRequest

from app.api.validation import MAX_JSON_DEPTH, UnreadableJson, read_json
from app.auth.models import Role
from app.core.forms import MAX_ID, int_param
from app.exports.logo import LogoRejected, sanitize_svg
from app.governance.models import BoardRole
from tests.api.world import PROBLEM, api_for
from tests.factories import create_org, create_plan, create_user
from tests.governance.factories import create_board
from tests.portfolio.factories import create_objective

PAST_64_BITS = str(2**63 + 12345)  # past SQLite's integers, let alone PostgreSQL's
PAST_IDS = str(MAX_ID + 1)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg">%s</svg>'


@pytest.fixture
def office():  # type: ignore[no-untyped-def]
    org = create_org(name="Office of the State CIO")
    return org, create_user(org=org, role=Role.ADMIN, name="Ada Admin")


# --- 1. integers past 2^63 (and past the id range) in path ids, `page` and filters ---------------------------


@pytest.mark.parametrize("number", [PAST_IDS, PAST_64_BITS, "9" * 5000])
@pytest.mark.parametrize(
    "path", ["/plans/{n}", "/plans/{n}/sections/{n}/edit", "/kpis/{n}/edit", "/initiatives/{n}", "/boards/{n}/ranking"]
)
def test_an_id_in_the_path_past_the_databases_integers_is_not_found(signed_in, office, path, number):  # type: ignore[no-untyped-def]
    assert signed_in(office[1]).get(path.format(n=number)).status_code == 404


def test_an_id_past_the_databases_integers_is_not_found_on_a_post_either(signed_in, office):  # type: ignore[no-untyped-def]
    response = signed_in(office[1]).post(f"/plans/{PAST_64_BITS}/sections/1/edit", data={"body": "kept"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        f"/plans?page={PAST_64_BITS}",
        f"/initiatives?page={PAST_64_BITS}",
        f"/audit?page={PAST_64_BITS}",
        f"/inbox?page={PAST_64_BITS}",
        f"/decisions?page={PAST_64_BITS}",
        f"/initiatives?objective={PAST_64_BITS}",
        f"/decisions?board={PAST_64_BITS}",
        f"/decisions?review={PAST_64_BITS}",
        f"/workforce/capacity?plan={PAST_64_BITS}",
        f"/workforce/actions/new?role={PAST_64_BITS}",
        "/plans?page=abc",
        "/initiatives?objective=-3",
    ],
)
def test_a_number_in_the_query_out_of_range_is_a_400_naming_it(signed_in, office, query):  # type: ignore[no-untyped-def]
    response = signed_in(office[1]).get(query)
    assert response.status_code == 400
    name = query.split("?")[1].split("=")[0]
    assert f"“{name}” must be a whole number" in response.get_data(as_text=True)


def test_a_section_comparison_with_a_huge_revision_number_is_a_400(signed_in, office):  # type: ignore[no-untyped-def]
    org, admin = office
    plan = create_plan(org=org, owner=admin)
    url = f"/plans/{plan.id}/sections/{plan.sections[0].id}/compare?from=1&to={PAST_64_BITS}"
    assert signed_in(admin).get(url).status_code == 400


def test_the_api_keeps_its_own_bounded_paging(app, office):  # type: ignore[no-untyped-def]
    response = api_for(app, office[1]).get(f"/api/v1/plans?page={PAST_64_BITS}")
    assert response.status_code == 422 and response.mimetype == PROBLEM


# --- 2. blank (whitespace-only) KPI values ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["baseline_value", "target_value"])
def test_a_kpi_value_of_spaces_is_refused_with_a_field_message(signed_in, office, field):  # type: ignore[no-untyped-def]
    org, admin = office
    objective = create_objective(org=org)
    data = {
        "name": "Services online",
        "unit": "%",
        "baseline_value": "40",
        "baseline_date": "2026-01-01",
        "target_value": "90",
        "target_date": "2028-01-01",
        "direction": "higher",
        "frequency": "quarterly",
        field: "   ",
    }
    response = signed_in(admin).post(f"/objectives/{objective.id}/kpis/new", data=data)
    assert response.status_code == 422
    assert "Enter the " + field.split("_")[0] in response.get_data(as_text=True)


# --- 3 and 4. JSON nested thousands of levels deep; lone surrogates in JSON strings -------------------------


def test_json_nested_thousands_of_levels_deep_is_a_400_naming_the_depth(app, office):  # type: ignore[no-untyped-def]
    body = '{"title": "Cloud", "summary": ' + "[" * 5000 + "]" * 5000 + "}"
    response = api_for(app, office[1]).post(
        "/api/v1/initiatives", data=body, headers={"Content-Type": "application/json"}, json=None
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert "nested 5001 levels deep" in response.get_json()["detail"]


def test_a_lone_surrogate_in_a_json_string_is_a_400_naming_the_field(app, office):  # type: ignore[no-untyped-def]
    body = '{"title": "Cloud \\ud800 migration"}'
    response = api_for(app, office[1]).post(
        "/api/v1/initiatives", data=body, headers={"Content-Type": "application/json"}, json=None
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert "“title” holds an invalid character" in response.get_json()["detail"]


def test_read_json_checks_depth_and_text_but_lets_brackets_in_strings_through() -> None:
    assert read_json('{"a": "[[[[' + "[" * 100 + '\\"", "b": ["\\ud83d\\ude00"]}')["b"] == ["😀"]
    assert read_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(UnreadableJson, match="nested"):
        read_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(UnreadableJson, match=r"“list\[1\]\.x” holds"):
        read_json(json.dumps({"list": [1, {"x": "\udc00"}]}))
    with pytest.raises(UnreadableJson, match="field name"):
        read_json('{"\\udfff": 1}')


# --- 5. SVG logos nested thousands of levels deep ---------------------------------------------------------------


def test_an_svg_logo_nested_thousands_of_levels_deep_is_a_form_error(signed_in, office):  # type: ignore[no-untyped-def]
    deep = SVG % (b"<g>" * 5000 + b"</g>" * 5000)
    response = signed_in(office[1]).post(
        "/admin/organization",
        data={"classification_label": "OFFICIAL", "logo": (io.BytesIO(deep), "logo.svg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "more than 50 levels deep" in response.get_data(as_text=True)


def test_the_svg_check_bounds_depth_and_element_count() -> None:
    assert b"<rect" in sanitize_svg(SVG % (b"<g>" * 10 + b'<rect width="1"/>' + b"</g>" * 10))
    with pytest.raises(LogoRejected, match="levels deep"):
        sanitize_svg(SVG % (b"<g>" * 51 + b"</g>" * 51))
    with pytest.raises(LogoRejected, match="elements"):
        sanitize_svg(SVG % (b"<circle/>" * 20_001))


# --- 6. huge ids in workforce and ranking forms ------------------------------------------------------------------


def test_a_huge_skill_gap_id_in_the_workforce_action_form_is_a_form_error(signed_in, office):  # type: ignore[no-untyped-def]
    data = {"action_type": "training", "title": "Cloud cohort", "gap_ids": [PAST_64_BITS], "role_id": ""}
    response = signed_in(office[1]).post("/workforce/actions/new", data=data)
    assert response.status_code in (400, 404, 422), response.status_code


def test_a_huge_role_id_in_the_workforce_action_form_is_not_a_5xx(signed_in, office):  # type: ignore[no-untyped-def]
    data = {"action_type": "training", "title": "Cloud cohort", "role_id": PAST_64_BITS}
    assert signed_in(office[1]).post("/workforce/actions/new", data=data).status_code in (400, 404, 422)


def test_a_huge_fiscal_year_in_the_ranking_envelope_form_is_a_form_error(signed_in, office):  # type: ignore[no-untyped-def]
    org, admin = office
    board = create_board(org=org, members=[(admin, BoardRole.CHAIR)])
    response = signed_in(admin).post(
        f"/boards/{board.id}/ranking/envelope", data={"fiscal_year": PAST_64_BITS, "amount": "1,000", "seen": ""}
    )
    assert response.status_code == 422
    assert "Enter a fiscal year between 2000 and 2100." in response.get_data(as_text=True)


def test_a_number_that_still_slips_through_to_the_database_is_refused_with_the_text_kept(  # type: ignore[no-untyped-def]
    signed_in, office, monkeypatch
):
    """The last line of defence: SQLite's driver refuses an integer past 64 bits with OverflowError (PostgreSQL's
    "integer out of range" is a DataError); both are a 400 page giving the typed text back, never a 500."""
    from app.plans import services

    org, admin = office
    plan = create_plan(org=org, owner=admin)
    section = plan.sections[0]

    def overflow(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(services, "save_section", overflow)
    response = signed_in(admin).post(
        f"/plans/{plan.id}/sections/{section.id}/edit",
        data={"title": "Vision", "body": "Typed vision text", "version": str(section.version)},
    )
    assert response.status_code == 400 and "Typed vision text" in response.get_data(as_text=True)


# --- the helper at its seam -------------------------------------------------------------------------------------


def test_int_param_takes_blank_as_absent_and_refuses_anything_else_out_of_range(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?a=&b=7&c=x&d=0&e=" + PAST_64_BITS):
        assert int_param("a", 3) == 3 and int_param("missing") is None and int_param("b") == 7
        for name in ("c", "d", "e"):
            with pytest.raises(BadRequest, match=f"“{name}”"):
                int_param(name)
