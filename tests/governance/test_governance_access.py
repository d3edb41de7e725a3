"""Route × role matrix for boards, rubrics, reviews, scoring and meetings (another organization: always 404)."""

from __future__ import annotations

import pytest

from app.auth.models import Role
from tests.factories import create_org, create_user
from tests.governance.factories import create_review, recuse

READ = 200
WHO = ("viewer", "editor", "admin", "member", "secretary", "recused", "stranger")
# (method, url template, {who: expected status}); anyone not listed gets the default in the last column
MATRIX = [
    ("GET", "/boards", {}, READ),
    ("GET", "/boards/my-work", {}, READ),
    ("GET", "/boards/{board}", {}, READ),
    ("GET", "/boards/{board}/rubric", {}, READ),
    ("GET", "/boards/{board}/rubric/history", {}, READ),
    ("GET", "/reviews/{review}", {}, READ),
    ("GET", "/meetings/{meeting}", {}, READ),
    ("GET", "/boards/new", {"admin": 200, "stranger": 200}, 403),  # the stranger administers their own office
    ("GET", "/boards/{board}/edit", {"admin": 200}, 403),
    ("GET", "/boards/{board}/rubric/edit", {"admin": 200}, 403),
    ("GET", "/boards/{board}/meetings/new", {"secretary": 200}, 403),
    ("GET", "/meetings/{meeting}/edit", {"secretary": 200}, 403),
    ("GET", "/initiatives/{initiative}/business-case", {"editor": 200, "admin": 200}, 403),
    ("GET", "/initiatives/{initiative}/submit", {"editor": 200, "admin": 200}, 403),
    ("POST", "/reviews/{review}/scores", {"member": 302, "secretary": 302, "recused": 422}, 403),
    ("POST", "/reviews/{review}/recuse", {"member": 302, "secretary": 302, "recused": 422}, 403),
    ("POST", "/reviews/{review}/withdraw", {"editor": 302, "admin": 302}, 403),
    ("POST", "/boards/{board}/archive", {"admin": 302}, 403),
    ("POST", "/meetings/{meeting}/status", {"secretary": 302}, 403),
]


@pytest.fixture
def world(org, board, chair, secretary, members, editor, initiative):
    from app.core.db import utcnow
    from app.extensions import db
    from app.governance.services import meetings as meeting_services

    review = create_review(board=board, initiative=initiative, submitted_by=editor)
    recuse(review, members[2])
    meeting = meeting_services.schedule_meeting(
        board, user=secretary, fields=meeting_services.MeetingFields(title="March", starts_at=utcnow())
    )
    db.session.commit()
    people = {
        "viewer": create_user(org=org, role=Role.VIEWER),
        "editor": editor,
        "admin": create_user(org=org, role=Role.ADMIN),
        "member": members[0],
        "secretary": secretary,
        "recused": members[2],
        "stranger": create_user(org=create_org(), role=Role.ADMIN),
    }
    ids = {"board": board.id, "review": review.id, "meeting": meeting.id, "initiative": initiative.id}
    return people, ids, review


@pytest.mark.parametrize("who", WHO)
def test_route_role_matrix(world, who, signed_in):
    people, ids, review = world
    client = signed_in(people[who])
    problems = []
    for method, template, expected, default in MATRIX:
        url = template.format(**ids)
        want = 404 if who == "stranger" and "{" in template else expected.get(who, default)
        data = {"reason": "Conflict of interest"} if url.endswith("recuse") else {"status": "held"}
        if url.endswith("scores"):
            data = {"action": "submit", **{f"score-{c.id}": "3" for c in review.rubric.criteria}}
        status = client.open(url, method=method, data=data if method == "POST" else None).status_code
        if status != want:
            problems.append(f"{who} {method} {url}: {status}, expected {want}")
    assert not problems, "\n".join(problems)
