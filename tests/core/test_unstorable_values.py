"""Values a person cannot type but a crafted request can send (found by `make security`'s fuzzing on PostgreSQL):
an id past the database's integers, NUL in text. They are refused with a clear page, never a 500, and nothing is
saved."""

from __future__ import annotations

from app.auth.models import Organization, Role
from app.extensions import db
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative


def test_nul_in_the_classification_label_is_refused_and_the_text_kept(app, signed_in):  # type: ignore[no-untyped-def]
    org = create_org(name="Office of the State CIO")
    admin = create_user(org=org, role=Role.ADMIN)
    response = signed_in(admin).post("/admin/organization", data={"classification_label": "OFFICIAL\x00 SENSITIVE"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the invisible control characters" in page and "OFFICIAL" in page  # the typed text is kept
    db.session.expire_all()
    assert db.session.get(Organization, org.id).classification_label == "OFFICIAL"


def test_an_objective_id_past_the_databases_integers_is_not_found(app, signed_in):  # type: ignore[no-untyped-def]
    org = create_org()
    editor = create_user(org=org, role=Role.EDITOR)
    initiative = create_initiative(org=org, user=editor)
    response = signed_in(editor).post(
        f"/initiatives/{initiative.id}/objectives",
        data={"link-objective": "14842796707", "link-role": "primary", "link-rationale": "Because"},
    )
    assert response.status_code == 404
