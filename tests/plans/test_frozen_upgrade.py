"""Versions frozen before versions kept their blocks, KPIs and tables: the upgrade captures them once, keeping
the objectives and initiatives they were frozen with, and their pages say when the data was captured."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from app.extensions import db
from app.plans import snapshots
from app.plans.snapshots.legacy import capture_missing
from tests.publication.world import PublishedWorld, build_published_world

OLD_KEYS = ("frozen_at", "period", "objectives", "initiatives")


def _as_frozen_before_snapshots(world: PublishedWorld) -> dict[str, Any]:
    old = {key: world.version.data[key] for key in OLD_KEYS}
    old["initiatives"] = [{**row, "title": "TITLE AS SUBMITTED"} for row in old["initiatives"]]
    world.version.data = old
    db.session.commit()
    return old


def test_the_upgrade_captures_older_versions_and_keeps_what_they_froze(signed_in) -> None:  # type: ignore[no-untyped-def]
    world = build_published_world()
    old = _as_frozen_before_snapshots(world)
    client: FlaskClient = signed_in(world.admin)
    page = client.get(f"/plan-versions/{world.version.id}").get_data(as_text=True)
    assert "frozen before Planwright kept each version's data" in page  # no live data in the meantime

    assert capture_missing(db.session.connection()) == 1
    db.session.expire_all()
    frozen = snapshots.data_for(world.version)
    assert frozen.captured == "upgrade" and frozen.kpis and frozen.blocks
    assert [i["title"] for i in frozen.initiatives] == [i["title"] for i in old["initiatives"]]
    assert world.version.data["frozen_at"] == old["frozen_at"]
    page = client.get(f"/plan-versions/{world.version.id}").get_data(as_text=True)
    assert "captured when Planwright was upgraded" in page
    assert capture_missing(db.session.connection()) == 0  # once only


def test_the_demo_versions_carry_their_snapshot() -> None:
    from app.auth.models import Organization
    from app.demo.seed import STATE_SLUG, load_demo
    from app.governance.models import PlanVersion
    from tests.factories import TEMPLATE_DIR

    load_demo(TEMPLATE_DIR)
    state = db.session.scalar(db.select(Organization).where(Organization.slug == STATE_SLUG))
    assert state is not None
    versions = db.session.scalars(db.select(PlanVersion).where(PlanVersion.plan.has(organization_id=state.id))).all()
    assert versions, "the demo freezes versions"
    for version in versions:
        frozen = snapshots.data_for(version)
        assert frozen.captured == "submit" and frozen.initiatives and frozen.kpis and frozen.matrix_tables()
        assert frozen.block("planwright initiatives"), version.number  # the PDF's appendix blocks are kept
