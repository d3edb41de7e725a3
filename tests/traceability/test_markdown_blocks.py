"""render_markdown keeps sanitising user text when live blocks are present; blocks come only from the renderer."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from app.core.markdown import render_markdown
from app.portfolio.blocks import BlockRenderer
from tests.plans.html import parse
from tests.plans.xss import CORPUS, executable_markup


def fixed(info: str, content: str) -> Markup | None:
    return Markup('<div class="trusted">block</div>') if info.startswith("planwright") else None


@pytest.mark.parametrize("payload", CORPUS)
def test_user_text_around_a_block_is_still_sanitised(payload):
    html = str(render_markdown(f"{payload}\n\n```planwright matrix\n```\n\n{payload}", fence_renderer=fixed))
    assert executable_markup(html) == []
    assert html.count('<div class="trusted">block</div>') == 1


def test_without_a_fence_renderer_a_planwright_fence_is_plain_code():
    html = str(render_markdown("```planwright roadmap\n```"))
    assert html == "<pre><code></code></pre>\n"


def test_blocks_inside_lists_and_quotes_are_replaced_in_place():
    html = str(
        render_markdown("- item\n\n  ```planwright matrix\n  ```\n\n> ```planwright gaps\n> ```", fence_renderer=fixed)
    )
    tree = parse(html)
    assert tree.find("li").find("div", class_="trusted")
    assert tree.find("blockquote").find("div", class_="trusted")


def test_a_block_renderer_counts_its_blocks_so_ids_stay_unique(app, plan):
    renderer = BlockRenderer(plan)
    with app.test_request_context():
        html = str(render_markdown("```planwright gaps\n```\n\n```planwright gaps\n```", fence_renderer=renderer))
    ids = [el.attrs["id"] for el in parse(html).iter() if el.attrs.get("id")]
    assert len(ids) == len(set(ids)) and "pw-block-1" in ids and "pw-block-2" in ids
