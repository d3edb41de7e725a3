"""The decision log: every member reads who decided what and why; filters, pages, CSV, fixed statements;
the decision panel on the initiative page."""

from __future__ import annotations

import csv
import io

import pytest

from app.auth.models import Role
from app.extensions import db
from app.governance.services import decisions as service
from tests.factories import create_org, create_user
from tests.governance.factories import create_review, give_scores
from tests.portfolio.factories import create_initiative
from tests.sql import statements_for


def _decide(board, editor, chair, members, code: str, outcome: str, rationale: str):  # type: ignore[no-untyped-def]
    initiative = create_initiative(org=board.organization, user=editor, code=code, title=f"Initiative {code}")
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    for member in members:
        give_scores(review, member, [4, 4, 3, 3, 5])
    values = service.DecisionInput(outcome=outcome, rationale=rationale, conditions="Quarterly reports.")
    decision = service.record_decision(review, user=chair, values=values)
    db.session.commit()
    return decision


@pytest.fixture
def viewer(org):  # type: ignore[no-untyped-def]
    return create_user(org=org, role=Role.VIEWER)


def test_every_member_reads_the_log_and_filters_by_outcome(signed_in, board, editor, chair, members, viewer):
    _decide(board, editor, chair, members, "INI-0101", "approve", "Ready to go.")
    _decide(board, editor, chair, members, "INI-0102", "reject", "Duplicates the ERP module.")
    client = signed_in(viewer)
    html = client.get("/decisions").get_data(as_text=True)
    assert "Ready to go." in html and "Duplicates the ERP module." in html and chair.name in html
    rejected = client.get("/decisions?outcome=reject").get_data(as_text=True)
    assert "Duplicates the ERP module." in rejected and "Ready to go." not in rejected


def test_csv_export_neutralises_formulas(signed_in, board, editor, chair, members, viewer):
    _decide(board, editor, chair, members, "INI-0103", "approve", '=HYPERLINK("http://127.0.0.1")')
    response = signed_in(viewer).get("/decisions/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Decision", "Date (UTC)", "Board"]
    assert rows[1][5].startswith("'=")


def test_another_organization_sees_none_of_it(signed_in, board, editor, chair, members):
    decision = _decide(board, editor, chair, members, "INI-0104", "approve", "Secret reasons.")
    outsider = signed_in(create_user(org=create_org(name="County IT"), role=Role.ADMIN))
    assert "Secret reasons." not in outsider.get("/decisions").get_data(as_text=True)
    assert outsider.get(f"/decisions/{decision.id}").status_code == 404
    assert outsider.get(f"/decisions/{decision.id}/correct").status_code == 404


def test_the_initiative_page_shows_the_decision_panel(signed_in, board, editor, chair, members):
    decision = _decide(board, editor, chair, members, "INI-0105", "approve_with_conditions", "Fund phase 1.")
    html = signed_in(editor).get(f"/initiatives/{decision.review.initiative_id}").get_data(as_text=True)
    assert "data-decision-panel" in html and "Fund phase 1." in html and "Quarterly reports." in html
    assert f'href="/decisions/{decision.id}"' in html


def test_the_log_runs_a_fixed_number_of_statements(signed_in, board, editor, chair, members, viewer):
    client = signed_in(viewer)
    _decide(board, editor, chair, members, "INI-0200", "approve", "One.")
    few = len(statements_for(client, "/decisions"))
    for n in range(6):
        _decide(board, editor, chair, members, f"INI-021{n}", "defer", f"Later {n}.")
    assert len(statements_for(client, "/decisions")) == few
