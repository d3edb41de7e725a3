"""An initiative's lifecycle: only the hand-made transitions from its current status are offered and accepted."""

import pytest

from app.portfolio.models import MANUAL_TRANSITIONS, Initiative, InitiativeStatus
from tests.plans.html import main_content
from tests.portfolio.factories import put_in_status
from tests.portfolio.helpers import changes_of, events_since, fresh, last_event_id, page_text


def offered(client, initiative) -> set[str]:  # type: ignore[no-untyped-def]
    page = main_content(client.get(f"/initiatives/{initiative.id}").get_data(as_text=True))
    forms = [f for f in page.find_all("form") if f.attrs.get("action", "").endswith("/status")]
    return {button.attrs["value"] for form in forms for button in form.find_all("button")}


@pytest.mark.parametrize("status", list(InitiativeStatus), ids=lambda s: s.value)
def test_the_page_offers_exactly_the_transitions_allowed_from_the_status(editor_client, initiative, status):
    put_in_status(initiative, status)
    assert offered(editor_client, initiative) == {s.value for s in MANUAL_TRANSITIONS[status]}


@pytest.mark.parametrize(
    ("start", "target"),
    [(start, target) for start, targets in MANUAL_TRANSITIONS.items() for target in targets],
    ids=lambda s: s.value,
)
def test_allowed_transitions_change_the_status_and_are_audited(editor_client, initiative, start, target):
    put_in_status(initiative, start)
    last = last_event_id()
    response = editor_client.post(f"/initiatives/{initiative.id}/status", data={"status": target.value})
    assert fresh(Initiative, initiative.id).status == target.value
    assert f"INI-0001 is now {target.label.lower()}." in page_text(
        editor_client.get(response.headers["Location"]).get_data(as_text=True)
    )
    [event] = events_since(last)
    assert event.action == "initiative.status"
    assert changes_of(event) == {"status": {"before": start.value, "after": target.value}}


def test_a_transition_not_offered_is_refused_with_what_is_possible(editor_client, initiative):
    last = last_event_id()
    response = editor_client.post(
        f"/initiatives/{initiative.id}/status", data={"status": "completed"}, follow_redirects=True
    )
    assert "INI-0001 is proposed and cannot become completed. It can become cancelled." in page_text(
        response.get_data(as_text=True)
    )
    assert fresh(Initiative, initiative.id).status == "proposed"
    assert events_since(last) == []


@pytest.mark.parametrize("status", [InitiativeStatus.COMPLETED, InitiativeStatus.CANCELLED])
def test_final_statuses_refuse_every_change(editor_client, initiative, status):
    put_in_status(initiative, status)
    response = editor_client.post(
        f"/initiatives/{initiative.id}/status", data={"status": "proposed"}, follow_redirects=True
    )
    assert f"INI-0001 is {status.value}; its status cannot be changed here." in page_text(
        response.get_data(as_text=True)
    )
    assert fresh(Initiative, initiative.id).status == status.value


def test_an_unknown_status_is_refused(editor_client, initiative):
    response = editor_client.post(
        f"/initiatives/{initiative.id}/status", data={"status": "launched"}, follow_redirects=True
    )
    assert "Choose one of the status buttons shown on the initiative." in page_text(response.get_data(as_text=True))
    assert fresh(Initiative, initiative.id).status == "proposed"


def test_under_review_explains_that_the_board_decides(editor_client, initiative):
    put_in_status(initiative, InitiativeStatus.UNDER_REVIEW)
    text = page_text(editor_client.get(f"/initiatives/{initiative.id}").get_data(as_text=True))
    assert "its status now changes through the governance board's review" in text
