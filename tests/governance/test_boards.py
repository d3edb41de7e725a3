"""Boards: list, set-up, members (one chair), archive; the rubric editor and its versions."""

from __future__ import annotations

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.governance.models import Board, BoardMember, Rubric
from tests.factories import create_org, create_user
from tests.governance.factories import create_board
from tests.portfolio.helpers import last_event_id, page_text
from tests.sql import statements_for


def _rubric_form(rows: list[tuple[str, str]], note: str = "") -> dict[str, str]:
    data = {"note": note}
    for n, (name, weight) in enumerate(rows):
        data[f"criteria-{n}-name"] = name
        data[f"criteria-{n}-weight"] = weight
        data[f"criteria-{n}-description"] = f"How well it does {name}" if name else ""
        for level in range(1, 6):
            data[f"criteria-{n}-level_{level}"] = f"{name} at level {level}" if name else ""
    return data


def test_admin_sets_up_a_board_and_every_member_reads_it(org, signed_in):
    admin = create_user(org=org, role=Role.ADMIN)
    viewer = create_user(org=org, role=Role.VIEWER)
    client = signed_in(admin)
    response = client.post(
        "/boards/new",
        data={
            "name": "Architecture Review Board",
            "terms_of_reference": "Reviews **designs**.",
            "quorum_kind": "count",
            "quorum_value": "3",
            "reviews_plans": "y",
        },
    )
    assert response.status_code == 302
    board = db.session.scalar(db.select(Board).where(Board.name == "Architecture Review Board"))
    assert board is not None and board.quorum_kind == "count" and board.quorum_value == 3 and board.reviews_plans
    assert (
        db.session.scalar(
            db.select(AuditEvent.action).where(AuditEvent.object_id == board.id, AuditEvent.object_type == "board")
        )
        == "board.create"
    )
    html = signed_in(viewer).get(f"/boards/{board.id}").get_data(as_text=True)
    assert "<strong>designs</strong>" in html and "3 members" in html
    assert "Edit details" not in html
    assert signed_in(viewer).get(f"/boards/{board.id}/edit").status_code == 403


def test_a_duplicate_name_or_bad_quorum_is_refused_with_the_text_kept(org, board, signed_in):
    client = signed_in(create_user(org=org, role=Role.ADMIN))
    response = client.post(
        "/boards/new",
        data={"name": board.name, "terms_of_reference": "Kept text", "quorum_kind": "percent", "quorum_value": "60"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is already a board called" in html and "Kept text" in html
    response = client.post("/boards/new", data={"name": "New board", "quorum_kind": "percent", "quorum_value": "150"})
    assert response.status_code == 422 and "Enter a number from 1 to 100." in response.get_data(as_text=True)


def test_members_are_added_with_one_chair_changed_and_removed(org, board, chair, signed_in):
    admin = create_user(org=org, role=Role.ADMIN, name="Avery Admin")
    client = signed_in(admin)
    refused = client.post(f"/boards/{board.id}/members", data={"user": str(admin.id), "board_role": "chair"})
    assert refused.status_code == 422
    assert "Charlie Chair is already the chair, and a board has only one chair" in refused.get_data(as_text=True)
    assert (
        client.post(f"/boards/{board.id}/members", data={"user": str(admin.id), "board_role": "member"}).status_code
        == 302
    )
    db.session.expire_all()
    row = next(m for m in board.members if m.user_id == admin.id)
    chair_row = next(m for m in board.members if m.user_id == chair.id)
    client.post(f"/boards/{board.id}/members/{row.id}/role", data={"board_role": "chair"}, follow_redirects=False)
    db.session.expire_all()
    assert db.session.get(BoardMember, row.id).board_role == "member"  # still one chair
    client.post(f"/boards/{board.id}/members/{chair_row.id}/role", data={"board_role": "member"})
    client.post(f"/boards/{board.id}/members/{row.id}/role", data={"board_role": "chair"})
    db.session.expire_all()
    assert db.session.get(BoardMember, row.id).board_role == "chair"
    chair_row_id = chair_row.id
    assert client.post(f"/boards/{board.id}/members/{chair_row_id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(BoardMember, chair_row_id) is None


def test_a_person_from_another_organization_cannot_be_added(org, board, signed_in):
    stranger = create_user(org=create_org(), role=Role.EDITOR)
    client = signed_in(create_user(org=org, role=Role.ADMIN))
    assert (
        client.post(f"/boards/{board.id}/members", data={"user": str(stranger.id), "board_role": "member"}).status_code
        == 404
    )


def test_a_member_of_another_board_is_not_found_under_this_board(org, board, signed_in):
    other = create_board(org=org, name="Other board", members=[(create_user(org=org, role=Role.REVIEWER), "member")])
    client = signed_in(create_user(org=org, role=Role.ADMIN))
    assert client.post(f"/boards/{board.id}/members/{other.members[0].id}/remove").status_code == 404


def test_rubric_weights_must_sum_to_100_and_the_message_says_what_to_change(org, board, signed_in):
    client = signed_in(create_user(org=org, role=Role.ADMIN))
    response = client.post(
        f"/boards/{board.id}/rubric/edit",
        data=_rubric_form([("Alignment", "50"), ("Value", "45")], note="Two criteria"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The weights add up to 95; they must add up to exactly 100: add 5 points." in html
    assert 'value="Alignment"' in html  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Rubric).where(Rubric.board_id == board.id)) == 1


def test_saving_a_rubric_publishes_a_new_version_and_keeps_the_old_one(org, board, signed_in):
    admin = create_user(org=org, role=Role.ADMIN)
    client = signed_in(admin)
    before = last_event_id()
    edit = client.get(f"/boards/{board.id}/rubric/edit").get_data(as_text=True)
    assert 'value="Strategic alignment"' in edit
    response = client.post(
        f"/boards/{board.id}/rubric/edit",
        data=_rubric_form(
            [("Alignment", "60"), ("Security", "40"), ("", "")], note="Security added after the 2026 audit"
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.number for r in board.rubrics] == [1, 2]
    assert [(c.name, c.weight) for c in board.current_rubric.criteria] == [("Alignment", 60), ("Security", 40)]
    assert board.rubrics[0].criteria[0].name == "Strategic alignment"
    history = signed_in(create_user(org=org, role=Role.VIEWER)).get(f"/boards/{board.id}/rubric/history")
    text = page_text(history.get_data(as_text=True))
    assert (
        "Version 2 (current)" in text
        and "Security added after the 2026 audit" in text
        and "Strategic alignment" in text
    )
    events = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.id > before)).all()
    assert "board.rubric.publish" in events


def test_a_new_version_needs_a_note(org, board, signed_in):
    client = signed_in(create_user(org=org, role=Role.ADMIN))
    response = client.post(f"/boards/{board.id}/rubric/edit", data=_rubric_form([("Alignment", "100")]))
    assert response.status_code == 422 and "Say what changed" in response.get_data(as_text=True)


def test_the_published_rubric_is_readable_by_a_viewer(org, board, signed_in):
    html = signed_in(create_user(org=org, role=Role.VIEWER)).get(f"/boards/{board.id}/rubric").get_data(as_text=True)
    assert "Strategic alignment" in html and "Strategic alignment: level 5" in html and "weight 30" in html


def test_archiving_a_board_keeps_it_readable(org, board, signed_in):
    client = signed_in(create_user(org=org, role=Role.ADMIN))
    assert client.post(f"/boards/{board.id}/archive").status_code == 302
    db.session.expire_all()
    assert board.archived_at is not None
    assert "Archived" in client.get("/boards").get_data(as_text=True)


def test_the_board_list_runs_the_same_statements_however_many_boards(org, signed_in):
    viewer = create_user(org=org, role=Role.VIEWER)
    client = signed_in(viewer)
    create_board(org=org, members=[(viewer, "member")])
    few = len(statements_for(client, "/boards"))
    for _ in range(5):
        create_board(org=org, members=[(create_user(org=org, role=Role.REVIEWER), "member")])
    assert len(statements_for(client, "/boards")) == few
