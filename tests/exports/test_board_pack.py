"""The board pack of a meeting: agenda, business cases, rubric, scores only after scoring closes, space for the
decision; PDF/UA-1; for the board's members and the organization's administrators only."""

from __future__ import annotations

from datetime import timedelta

import page
import pytest

from app.auth.models import Role
from app.core.db import utcnow
from app.exports.pdf.documents import board_pack_document, board_pack_meeting
from app.exports.pdf.render import render_pdf
from app.extensions import db
from app.governance.models import AgendaItem, Meeting
from tests.exports.pdfcheck import outline_pages, page_texts, unembedded_fonts, watermarked_pages, xmp
from tests.factories import create_org, create_user
from tests.governance.factories import create_board, create_review, give_scores
from tests.portfolio.factories import create_initiative


@pytest.fixture
def meeting():  # type: ignore[no-untyped-def]
    org = create_org(name="Office of the State CIO")
    admin = create_user(org=org, role=Role.ADMIN, name="Avery Admin")
    chair = create_user(org=org, role=Role.REVIEWER, name="Chris Chair")
    member = create_user(org=org, role=Role.REVIEWER, name="Morgan Member")
    editor = create_user(org=org, role=Role.EDITOR, name="Elena Editor")
    board = create_board(
        org=org, name="Technology Investment Board", members=[(chair, "chair"), (member, "member")],
        criteria=[("Strategic alignment", 60), ("Value for money", 40)],
    )  # fmt: skip
    initiative = create_initiative(
        org=org, user=editor, title="Unified benefits portal", summary="One application for SNAP and Medicaid."
    )
    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    review.business_case = {
        **(review.business_case or {}),
        "problem": "Residents apply three times for related benefits.",
        "benefits": "Half the processing time for caseworkers.",
        "costs": [{"fiscal_year": 2028, "capital": "$2,400,000", "operating": "$300,000", "total": "$2,700,000"}],
        "total_cost": "$2,700,000",
        "risks": [{"title": "Vendor lock-in", "likelihood": 3, "impact": 4, "mitigation": "Open standards",
                   "status": "open", "score": 12, "owner": ""}],
        "objectives": [{"code": "G2.1", "title": "Services online by default", "role": "primary", "rationale": ""}],
    }  # fmt: skip
    give_scores(review, chair, [4, 3])
    give_scores(review, member, [2, 5])
    meeting = Meeting(
        organization_id=org.id,
        board_id=board.id,
        title="Quarterly investment review",
        starts_at=utcnow() + timedelta(days=7),
        location="Capitol Annex, Room 210",
        created_by_id=admin.id,
    )
    meeting.items.append(AgendaItem(review_id=review.id, position=1))
    db.session.add(meeting)
    db.session.commit()
    return {"meeting": meeting, "admin": admin, "chair": chair, "member": member, "editor": editor, "org": org}


def _text(app, meeting) -> tuple[bytes, str]:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        loaded = board_pack_meeting(meeting.id)
        pdf = render_pdf(board_pack_document(loaded).html).pdf
    return pdf, " ".join(" ".join(page_texts(pdf)).split())


def test_pack_shows_case_rubric_and_decision_space_but_no_scores_while_scoring_is_open(app, meeting) -> None:  # type: ignore[no-untyped-def]
    pdf, text = _text(app, meeting["meeting"])
    for expected in (
        "Agenda", "Unified benefits portal", "Residents apply three times for related benefits.",
        "Half the processing time", "G2.1 Services online by default", "$2,700,000", "Vendor lock-in",
        "Rubric (version 1)", "Strategic alignment: level 5", "Value for money: level 1", "Rationale", "Conditions",
        "Scoring is still open", "Chris Chair", "Capitol Annex, Room 210",
    ):  # fmt: skip
        assert expected in text, expected
    assert "Weighted score" not in text
    assert "Item 1. " in " ".join(outline_pages(pdf))
    assert unembedded_fonts(pdf) == [] and watermarked_pages(pdf) == []
    assert xmp(pdf, "pdfuaid:part") == "1"
    assert [f.rule_id for f in page.validate_pdf_bytes(pdf, profile="ua1").failures] == []


def test_scores_appear_once_the_meeting_is_held(app, meeting) -> None:  # type: ignore[no-untyped-def]
    meeting["meeting"].status = "held"
    db.session.commit()
    _, text = _text(app, meeting["meeting"])
    # chair 4×60 + 3×40 = 3.60, member 2×60 + 5×40 = 3.20: mean 3.40 of 5 (68%)
    assert "Weighted score 3.40 of 5 (68.00%), from 2 of 2 members" in text
    assert "Strategic alignment (members disagree)" in text
    assert "Scoring is still open" not in text


def test_members_and_admins_download_others_cannot(app, meeting, signed_in) -> None:  # type: ignore[no-untyped-def]
    m = meeting["meeting"]
    url = f"/meetings/{m.id}/board-pack"
    member = signed_in(meeting["member"])
    assert "Download board pack" in member.get(f"/meetings/{m.id}").get_data(as_text=True)
    response = member.post(url)
    assert response.status_code == 302
    export_url = response.headers["Location"]
    download = member.get(export_url + "/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert f"board-pack-meeting-{m.id}.pdf" in download.headers["Content-Disposition"]
    download.close()
    admin = signed_in(meeting["admin"])
    assert admin.get(url).status_code == 200 and admin.get(export_url).status_code == 200
    editor = signed_in(meeting["editor"])  # same organization, not on the board
    assert "Download board pack" not in editor.get(f"/meetings/{m.id}").get_data(as_text=True)
    assert editor.get(url).status_code == 403 and editor.post(url).status_code == 403
    assert editor.get(export_url).status_code == 404
    outsider = signed_in(create_user(org=create_org(), role=Role.ADMIN))
    assert outsider.get(url).status_code == 404 and outsider.post(url).status_code == 404
    assert outsider.get(export_url + "/download").status_code == 404
