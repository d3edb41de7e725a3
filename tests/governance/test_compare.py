"""Comparing versions, and a version with the current draft, section by section."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.governance.models import Outcome
from app.governance.services.adoption import Snapshot, SnapshotSection
from app.governance.services.plan_compare import compare
from app.plans import services as plan_services
from tests.governance.adoption_helpers import decide, edit, submit, visible, written_plan
from tests.governance.factories import create_board
from tests.sql import statements_for


def snap(*sections: tuple[str, str, str]) -> Snapshot:
    return Snapshot("Version 1", "Plan", "FY2027–FY2030", tuple(SnapshotSection(*s) for s in sections))


def test_an_added_word_is_inserted_and_a_removed_word_deleted():
    old = snap(("vision", "Vision", "We will serve every resident online."))
    new = snap(("vision", "Vision", "We will serve every county resident online today."))
    change = compare(old, new).sections[0]
    assert change.kind == "changed"
    assert [c.text for c in change.chunks if c.op == "insert"] == ["county "] or any(
        "county" in c.text for c in change.chunks if c.op == "insert"
    )
    removed = compare(new, old).sections[0]
    assert any("county" in c.text for c in removed.chunks if c.op == "delete")
    assert not any("county" in c.text for c in removed.chunks if c.op != "delete")


def test_added_removed_renamed_moved_and_unchanged_sections_are_told_apart():
    old = snap(("a", "Vision", "Same."), ("b", "Security", "Old."), ("c", "Data", "Same."), ("d", "Legacy", "Gone."))
    new = snap(("c", "Data", "Same."), ("a", "Vision", "Same."), ("b", "Cybersecurity", "Old."), ("e", "AI", "New."))
    result = compare(old, new)
    kinds = {s.key: s.kind for s in result.sections}
    assert kinds == {"a": "unchanged", "b": "changed", "c": "changed", "d": "removed", "e": "added"}
    assert [s.key for s in result.renamed] == ["b"]
    assert [s.key for s in result.moved] == ["c"]  # one section moved, not every one after it
    assert [s.key for s in result.sections].index("d") == 3  # the removed one stays where it was


@pytest.fixture
def plan_board(org, chair):
    return create_board(org=org, name="IT Governance Board", reviews_plans=True, members=[(chair, "chair")])


def test_what_changed_since_the_board_last_saw_it(editor_client, org, editor, plan_board):
    plan = written_plan(org=org, editor=editor)
    submit(plan, editor, plan_board)
    edit(visible(plan)[0], editor, "Section 1 says the office will consolidate 1 regional data centres by FY2029.")
    page = editor_client.get(f"/plans/{plan.id}/compare").get_data(as_text=True)
    assert "Version 1 compared with current draft" in page
    assert '<ins><span class="usa-sr-only">[added: </span>regional' in page
    assert "1 section changed" in page


def test_compare_with_no_version_says_so(editor_client, org, editor):
    plan = written_plan(org=org, editor=editor)
    response = editor_client.get(f"/plans/{plan.id}/compare", follow_redirects=True)
    assert "has not been submitted to a board yet" in response.get_data(as_text=True)


def test_an_unknown_version_number_is_refused_with_a_message(editor_client, org, editor, plan_board):
    plan = written_plan(org=org, editor=editor)
    submit(plan, editor, plan_board)
    response = editor_client.get(f"/plans/{plan.id}/compare?from=9&to=draft", follow_redirects=True)
    assert "Choose two versions of this plan to compare." in response.get_data(as_text=True)


def _plan_with_versions(org, editor, board, sections: int):
    plan = written_plan(org=org, editor=editor, sections=sections)
    decide(submit(plan, editor, board), board.members[0].user, Outcome.REQUEST_CHANGES)
    for section in visible(plan)[::2]:
        edit(section, editor, section.body + " Updated for version 2.")
    plan_services.move_section(visible(plan)[1], user=editor, direction=1)
    db.session.commit()
    submit(plan, editor, board, note="Second round")
    edit(visible(plan)[0], editor, "Draft after version 2.")
    return plan


@pytest.mark.parametrize("path", ["/compare?from=1&to=2", "/compare?from=2&to=draft", "/versions"])
def test_compare_and_history_run_the_same_statements_for_3_or_30_sections(editor_client, org, editor, plan_board, path):
    small = _plan_with_versions(org, editor, plan_board, sections=0)  # the template's five
    large = _plan_with_versions(org, editor, plan_board, sections=25)
    assert len(statements_for(editor_client, f"/plans/{small.id}{path}")) == len(
        statements_for(editor_client, f"/plans/{large.id}{path}")
    )


def test_the_version_page_runs_the_same_statements_for_few_or_many_sections_and_comments(
    editor_client, org, editor, plan_board, chair
):
    from app.governance.services import adoption

    urls = []
    for extra in (0, 25):
        plan = written_plan(org=org, editor=editor, sections=extra)
        version = submit(plan, editor, plan_board)
        review = adoption.review_of(version)
        for section in version.sections[: 1 + extra]:
            first = adoption.add_comment(section, user=chair, review=review, body="Cite the source.")
            adoption.add_comment(section, user=editor, review=review, body="Done.", parent=first)
        db.session.commit()
        urls.append(f"/plan-versions/{version.id}")
    assert len(statements_for(editor_client, urls[0])) == len(statements_for(editor_client, urls[1]))
