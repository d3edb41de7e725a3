"""Milestones, risks, costs, dependencies and objective links, added and changed from the initiative page."""

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.objectives.models import Kpi
from app.portfolio import services
from app.portfolio.models import Initiative, InitiativeCost, InitiativeDependency, Milestone, ObjectiveLink, Risk
from tests.factories import create_org, create_user
from tests.plans.html import main_content
from tests.portfolio.factories import add_cost, create_initiative, create_objective, depend, link
from tests.portfolio.helpers import error_messages, field_value, fresh, page_text, table_rows


def show(client, initiative) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/initiatives/{initiative.id}").get_data(as_text=True)


def section_rows(html: str, section_id: str) -> list[list[str]]:
    return table_rows(main_content(html).by_id(section_id).find("table"))


def add_form_is_open(html: str, section_id: str) -> bool:
    return "open" in main_content(html).by_id(section_id).find("details").attrs


# --- milestones


def test_milestones_are_listed_by_due_date(editor_client, initiative):
    url = f"/initiatives/{initiative.id}/milestones"
    editor_client.post(url, data={"milestone-title": "Go live", "milestone-due_date": "2027-06-30"})
    response = editor_client.post(url, data={"milestone-title": "Beta", "milestone-due_date": "2027-01-15"})
    assert response.headers["Location"].endswith(f"/initiatives/{initiative.id}#milestones")
    rows = section_rows(show(editor_client, initiative), "milestones")
    assert [row[:3] for row in rows] == [["Beta", "15 Jan 2027", "Not done"], ["Go live", "30 Jun 2027", "Not done"]]


def test_an_invalid_milestone_is_shown_again_open_with_the_typed_date(editor_client, initiative):
    data = {"milestone-title": "", "milestone-due_date": "2027-01-15"}
    response = editor_client.post(f"/initiatives/{initiative.id}/milestones", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_messages(html) == ["Enter what the milestone delivers."]
    assert field_value(html, "milestone-due_date") == "2027-01-15"
    assert add_form_is_open(html, "milestones")
    assert not add_form_is_open(html, "risks")


def test_a_milestone_can_be_edited_and_removed(editor_client, initiative, editor):
    milestone = services.add_milestone(initiative, user=editor, title="Beta", due_date=date(2027, 1, 15))
    db.session.commit()
    url = f"/initiatives/{initiative.id}/milestones/{milestone.id}"
    assert field_value(editor_client.get(f"{url}/edit").get_data(as_text=True), "milestone-title") == "Beta"
    data = {"milestone-title": "Public beta", "milestone-due_date": "2027-01-15", "milestone-done_date": "2027-01-20"}
    assert editor_client.post(f"{url}/edit", data=data).status_code == 302
    row = section_rows(show(editor_client, initiative), "milestones")[0]
    assert row[:3] == ["Public beta", "15 Jan 2027", "20 Jan 2027"]
    editor_client.post(f"{url}/delete")
    assert fresh(Milestone, milestone.id) is None


def test_an_invalid_milestone_edit_keeps_the_typed_text(editor_client, initiative, editor):
    milestone = services.add_milestone(initiative, user=editor, title="Beta", due_date=date(2027, 1, 15))
    db.session.commit()
    data = {"milestone-title": "Public beta", "milestone-due_date": "soon"}
    response = editor_client.post(f"/initiatives/{initiative.id}/milestones/{milestone.id}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_messages(html) == ["Enter the due date as a date such as 2026-07-01."]
    assert field_value(html, "milestone-title") == "Public beta"
    assert fresh(Milestone, milestone.id).title == "Beta"


# --- risks


@pytest.mark.parametrize(("likelihood", "impact", "score"), [(1, 1, 1), (3, 4, 12), (5, 3, 15), (5, 5, 25)])
def test_risk_score_is_likelihood_times_impact(editor, initiative, likelihood, impact, score):
    fields = services.RiskFields(title="Vendor fails", likelihood=likelihood, impact=impact)
    assert services.add_risk(initiative, user=editor, fields=fields).score == score


def risk_form(**overrides: str) -> dict[str, str]:
    return {
        "risk-title": "Vendor fails",
        "risk-likelihood": "4",
        "risk-impact": "4",
        "risk-status": "open",
        **overrides,
    }


def test_a_high_risk_without_mitigation_is_flagged_in_words(editor_client, initiative):
    editor_client.post(f"/initiatives/{initiative.id}/risks", data=risk_form())
    editor_client.post(
        f"/initiatives/{initiative.id}/risks",
        data=risk_form(**{"risk-title": "Low uptake", "risk-likelihood": "2", "risk-impact": "3"}),
    )
    html = show(editor_client, initiative)
    rows = section_rows(html, "risks")
    assert rows[0][:5] == ["Vendor fails", "4", "4", "16 high", "High risk, no mitigation"]
    assert rows[1][:5] == ["Low uptake", "2", "3", "6 low", "None yet"]
    assert "1 high risk has no mitigation." in page_text(html)


def test_a_mitigated_high_risk_is_not_flagged(editor_client, initiative):
    editor_client.post(
        f"/initiatives/{initiative.id}/risks", data=risk_form(**{"risk-mitigation": "Second supplier on call"})
    )
    html = show(editor_client, initiative)
    assert section_rows(html, "risks")[0][4] == "Second supplier on call"
    assert "no mitigation" not in page_text(html)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"risk-likelihood": "9"}, "Choose a likelihood from 1 to 5."),
        ({"risk-impact": "severe"}, "Choose an impact from 1 to 5."),
        ({"risk-title": ""}, "Describe the risk in a few words."),
    ],
)
def test_invalid_risks_are_refused_with_what_to_do(editor_client, initiative, overrides, message):
    response = editor_client.post(f"/initiatives/{initiative.id}/risks", data=risk_form(**overrides))
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == [message]
    assert fresh(Initiative, initiative.id).risks == []


def test_editing_a_risk_changes_its_score(editor_client, initiative, editor):
    risk = services.add_risk(initiative, user=editor, fields=services.RiskFields("Vendor fails", 4, 4))
    db.session.commit()
    data = risk_form(**{"risk-likelihood": "2", "risk-status": "mitigating", "risk-mitigation": "Escrow"})
    assert editor_client.post(f"/initiatives/{initiative.id}/risks/{risk.id}/edit", data=data).status_code == 302
    assert (fresh(Risk, risk.id).score, fresh(Risk, risk.id).status) == (8, "mitigating")
    editor_client.post(f"/initiatives/{initiative.id}/risks/{risk.id}/delete")
    assert fresh(Risk, risk.id) is None


# --- costs


def cost_form(**overrides: str) -> dict[str, str]:
    return {"cost-fiscal_year": "2027", "cost-capital": "1,250,000.50", "cost-operating": "250000", **overrides}


def test_costs_are_stored_exactly_and_shown_as_dollars(editor_client, initiative):
    editor_client.post(f"/initiatives/{initiative.id}/costs", data=cost_form())
    editor_client.post(
        f"/initiatives/{initiative.id}/costs",
        data=cost_form(**{"cost-fiscal_year": "2028", "cost-capital": "", "cost-operating": "0.10"}),
    )
    first, _ = fresh(Initiative, initiative.id).costs
    assert (first.capital, first.operating) == (Decimal("1250000.50"), Decimal("250000.00"))
    html = show(editor_client, initiative)
    assert section_rows(html, "costs") == [
        ["FY2027", "$1,250,000.50", "$250,000.00", "$1,500,000.50", "Edit FY2027 costs Remove FY2027 costs"],
        ["FY2028", "$0.00", "$0.10", "$0.10", "Edit FY2028 costs Remove FY2028 costs"],
    ]
    assert ["Total planned cost", "$1,500,000.60"] in table_rows(main_content(html).find("table"))  # key facts


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Enter an amount of zero or more; costs cannot be negative."),
        ("12.345", "Use at most two decimal places (cents), such as 1,250,000.50."),
        ("a lot", "Enter an amount in dollars, such as 1,250,000.50 or 1250000."),
    ],
)
def test_bad_amounts_are_refused_and_kept_as_typed(editor_client, initiative, typed, message):
    response = editor_client.post(f"/initiatives/{initiative.id}/costs", data=cost_form(**{"cost-capital": typed}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_messages(html) == [message]
    assert field_value(html, "cost-capital") == typed
    assert field_value(html, "cost-operating") == "250000"
    assert fresh(Initiative, initiative.id).costs == []


def test_a_second_row_for_the_same_fiscal_year_is_refused(editor_client, initiative, editor):
    add_cost(initiative, user=editor, fiscal_year=2027, capital="10")
    response = editor_client.post(f"/initiatives/{initiative.id}/costs", data=cost_form())
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == [
        "FY2027 already has costs for INI-0001. Change that year’s row instead."
    ]


def test_a_years_costs_can_be_edited_and_removed(editor_client, initiative, editor):
    cost = add_cost(initiative, user=editor, fiscal_year=2027, capital="10")
    url = f"/initiatives/{initiative.id}/costs/{cost.id}"
    assert field_value(editor_client.get(f"{url}/edit").get_data(as_text=True), "cost-capital") == "10.00"
    assert editor_client.post(f"{url}/edit", data=cost_form(**{"cost-capital": "99.99"})).status_code == 302
    assert fresh(InitiativeCost, cost.id).capital == Decimal("99.99")
    editor_client.post(f"{url}/delete")
    assert fresh(InitiativeCost, cost.id) is None


# --- dependencies


@pytest.fixture
def chain(org, editor):  # type: ignore[no-untyped-def]
    """INI-0003 depends on INI-0007, which depends on INI-0009."""
    a, b, c = (create_initiative(org=org, user=editor, code=code) for code in ("INI-0003", "INI-0007", "INI-0009"))
    depend(a, on=b, user=editor)
    depend(b, on=c, user=editor)
    return a, b, c


def add_dependency(client, initiative, code):  # type: ignore[no-untyped-def]
    return client.post(f"/initiatives/{initiative.id}/dependencies", data={"dependency-depends_on": code})


def test_a_dependency_shows_on_both_initiatives(editor_client, org, editor, initiative):
    platform = create_initiative(org=org, user=editor, code="INI-0002", title="Identity platform")
    assert add_dependency(editor_client, initiative, "ini-0002").status_code == 302
    assert "It depends on INI-0002 Identity platform (proposed)" in page_text(show(editor_client, initiative))
    assert "Needed by INI-0001 Online permits (proposed)" in page_text(show(editor_client, platform))


def test_a_dependency_that_closes_a_cycle_is_refused_naming_the_cycle(editor_client, chain):
    _, _, c = chain
    response = add_dependency(editor_client, c, "INI-0003")
    assert response.status_code == 422
    [message] = error_messages(response.get_data(as_text=True))
    assert "INI-0009 → INI-0003 → INI-0007 → INI-0009" in message
    assert message.startswith("That dependency would make a cycle")
    assert fresh(Initiative, c.id).dependencies == []


def test_a_two_way_dependency_is_refused_naming_both(editor_client, chain):
    _, b, _ = chain
    [message] = error_messages(add_dependency(editor_client, b, "INI-0003").get_data(as_text=True))
    assert "INI-0007 → INI-0003 → INI-0007" in message


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("INI-0003", "INI-0003 cannot depend on itself. Enter another initiative’s code."),
        ("INI-0007", "INI-0003 already depends on INI-0007."),
        ("INI-9999", "There is no initiative INI-9999 in your organization. Check the code."),
        ("", "Enter the code of the initiative this one depends on, such as INI-0007."),
    ],
)
def test_impossible_dependencies_are_refused(editor_client, chain, code, message):
    a, _, _ = chain
    response = add_dependency(editor_client, a, code)
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == [message]


def test_another_organizations_initiative_cannot_be_a_dependency(editor_client, initiative):
    other = create_org()
    create_initiative(org=other, user=create_user(org=other), code="INI-0500")
    [message] = error_messages(add_dependency(editor_client, initiative, "INI-0500").get_data(as_text=True))
    assert message == "There is no initiative INI-0500 in your organization. Check the code."


def test_a_dependency_can_be_removed(editor_client, chain):
    a, _, _ = chain
    [dependency] = fresh(Initiative, a.id).dependencies
    editor_client.post(f"/initiatives/{a.id}/dependencies/{dependency.id}/delete")
    assert fresh(InitiativeDependency, dependency.id) is None
    assert "It depends on Nothing" in page_text(show(editor_client, a))


# --- objectives


def link_form(objective_id: int | str, role: str = "primary") -> dict[str, str]:
    return {"link-objective": str(objective_id), "link-role": role, "link-rationale": "Moves permits online"}


def test_linking_an_objective_shows_its_role_and_rationale(editor_client, org, initiative):
    objective = create_objective(org=org, code="G2.1", title="Services online by default")
    response = editor_client.post(f"/initiatives/{initiative.id}/objectives", data=link_form(objective.id))
    assert response.status_code == 302
    rows = section_rows(show(editor_client, initiative), "objectives")
    assert rows[0][:3] == ["G2.1 Services online by default", "Primary", "Moves permits online"]


def test_an_objective_of_the_parent_organization_can_be_served(signed_in, app):
    parent = create_org(name="Statewide CIO")
    agency = create_org(name="Department of Revenue", parent=parent)
    editor = create_user(org=agency)
    client = signed_in(editor)
    initiative = create_initiative(org=agency, user=editor)
    objective = create_objective(org=parent, code="S1", title="One login for residents")
    offered = main_content(show(client, initiative)).by_id("link-objective").find_all("option")
    assert "S1 One login for residents (Statewide CIO)" in [o.text for o in offered]
    client.post(f"/initiatives/{initiative.id}/objectives", data=link_form(objective.id, "supporting"))
    assert [(link.objective_id, link.role) for link in fresh(Initiative, initiative.id).objective_links] == [
        (objective.id, "supporting")
    ]


def test_an_objective_of_an_unrelated_or_sibling_organization_is_not_found(editor_client, initiative):
    parent = create_org()
    for other in (create_org(), create_org(parent=parent)):
        objective = create_objective(org=other)
        response = editor_client.post(f"/initiatives/{initiative.id}/objectives", data=link_form(objective.id))
        assert response.status_code == 404
    assert editor_client.post(f"/initiatives/{initiative.id}/objectives", data=link_form(10**6)).status_code == 404
    assert fresh(Initiative, initiative.id).objective_links == []


def test_linking_needs_an_objective_and_refuses_a_second_link(editor_client, org, editor, initiative):
    response = editor_client.post(f"/initiatives/{initiative.id}/objectives", data=link_form(""))
    assert response.status_code == 422
    assert error_messages(response.get_data(as_text=True)) == ["Choose an objective from the list."]
    objective = create_objective(org=org, code="G1")
    link(initiative, objective, user=editor)
    again = editor_client.post(f"/initiatives/{initiative.id}/objectives", data=link_form(objective.id, "supporting"))
    assert error_messages(again.get_data(as_text=True)) == ["INI-0001 is already linked to G1. Unlink it first."]


def test_an_objective_can_be_unlinked(editor_client, org, editor, initiative):
    link(initiative, create_objective(org=org), user=editor)
    [objective_link] = fresh(Initiative, initiative.id).objective_links
    editor_client.post(f"/initiatives/{initiative.id}/objectives/{objective_link.id}/delete")
    assert fresh(ObjectiveLink, objective_link.id) is None
    assert "Not linked to any objective yet." in page_text(show(editor_client, initiative))


# --- measures


def test_the_initiatives_kpis_are_listed(editor_client, org, initiative):
    kpi = Kpi(
        organization_id=org.id,
        initiative_id=initiative.id,
        name="Permits issued online",
        unit="%",
        baseline_value=Decimal("12.5"),
        baseline_date=date(2026, 7, 1),
        target_value=Decimal("80.0000"),
        target_date=date(2028, 6, 30),
    )
    db.session.add(kpi)
    db.session.commit()
    assert "Permits issued online: target 80 % by 30 Jun 2028" in page_text(show(editor_client, initiative))
