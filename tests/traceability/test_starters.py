"""Every plan template's action-plan section starts with a live roadmap and budget."""

from __future__ import annotations

import pytest

from app.plans.templates import parse_template
from config import BASE_DIR
from tests.factories import create_plan
from tests.plans.helpers import section_url, sections_of
from tests.plans.html import main_content, squash
from tests.traceability import builders as b

TEMPLATES = sorted((BASE_DIR / "plans").glob("*.yaml"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_action_plan_starter_embeds_the_roadmap_and_budget_blocks(path):
    (action_plan,) = [s for s in parse_template(path).sections if s.key == "action-plan"]
    assert "```planwright roadmap\n```" in action_plan.starter
    assert "```planwright budget\n```" in action_plan.starter
    assert action_plan.starter.startswith("###")  # the template's own text is kept around the blocks


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_a_new_plans_action_plan_shows_its_initiatives_on_the_roadmap(editor_client, org, editor, path):
    b.initiative(org, "INI-1", title="Permit portal")
    plan = create_plan(org=org, owner=editor, template_key=path.stem)
    (section,) = [s for s in sections_of(plan) if s.key == "action-plan"]
    page = main_content(editor_client.get(section_url(section)).get_data(as_text=True))
    body = page.find("div", class_="usa-prose pw-section-body")
    assert body.find("div", data_block="roadmap").find("svg")
    assert body.find("div", data_block="budget").find("table")
    assert "INI-1 Permit portal" in squash(body.text)
    assert "This live block cannot be shown" not in squash(body.text)
