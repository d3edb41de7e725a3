"""Export → import → export gives the same StratML.

Compared as canonical XML (C14N 2.0, whitespace-only text dropped) after removing only:
- every ``Identifier``: they are made from database ids, and the imported records get new ids;
- ``Submitter``: it names the plan's owner, and the imported plan belongs to the person who imported it;
- ``Organization/Stakeholder``: the source organization's governance boards and parent organization are
  not records of the plan, so import lists them as not mapped rather than creating boards.
The plan is imported into another organization with the same name, so that codes stay the same (in the
source organization they are taken and would get a suffix, which the import reports).
Everything else must be identical: names, descriptions, vision, mission, values, codes, owners, policy
sources, active periods, the objective hierarchy, KPIs with units, direction, frequency, owner, baseline,
target and every measurement with its note, and the plan period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask_migrate import upgrade

from app import create_app
from app.auth.models import Organization, Role
from app.auth.orgs import create_organization
from app.demo.seed import STATE_SLUG, load_demo
from app.extensions import db
from app.plans.models import Plan
from app.stratml.export import export_plan
from app.stratml.service import import_file
from tests.conftest import make_config
from tests.factories import create_org, create_user
from tests.stratml.world import canonical, full_plan, validate

IGNORED = ("Identifier", "Submitter", "Organization/Stakeholder")


@dataclass
class Trip:
    first: bytes
    second: bytes
    valid: bool
    unmapped: list[str]


def _trip(plan: Plan, part: int, target: Organization) -> Trip:
    importer = create_user(org=target, role=Role.EDITOR, name="Ira Importer")
    first = export_plan(plan, part=part, user=None).content
    outcome = import_file(first, filename=f"part{part}.xml", organization=target, user=importer)
    db.session.commit()
    second = export_plan(outcome.plan, part=part, user=None).content
    return Trip(first, second, outcome.read.valid, outcome.unmapped)


@pytest.mark.parametrize("part", [1, 2])
def test_a_full_plan_survives_export_import_export(org, editor, part):
    plan = full_plan(org, editor)
    trip = _trip(plan, part, create_org(name=org.name))
    assert trip.valid and validate(trip.second, part) == []
    assert [item.rsplit("/", 1)[-1].split(" ")[0] for item in trip.unmapped] == ["Submitter"]
    assert canonical(trip.second, ignore=IGNORED) == canonical(trip.first, ignore=IGNORED)
    assert canonical(trip.second) != canonical(trip.first)  # the ignored parts did change: the check is not vacuous


@dataclass
class DemoTrips:
    parts: dict[int, Trip]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoTrips]:
    """The demo plan on a database of its own (the demo is large; it is loaded once for this module)."""
    folder = tmp_path_factory.mktemp("stratml-demo")
    app = create_app(make_config(f"sqlite:///{folder / 'demo.db'}", EXPORT_DIR=str(folder / "exports")))
    with app.app_context():
        upgrade()
        load_demo(app.config["PLAN_TEMPLATE_DIR"])
        db.session.commit()
        plan = db.session.scalar(db.select(Plan).where(Plan.organization.has(slug=STATE_SLUG)))
        assert plan is not None
        twins = {part: create_organization(slug=f"demo-twin-{part}", name=plan.organization.name) for part in (1, 2)}
        db.session.commit()
        yield DemoTrips({part: _trip(plan, part, twins[part]) for part in (1, 2)})
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("part", [1, 2])
def test_the_demo_plan_exports_valid_stratml_with_its_goals_and_kpis(demo, part):
    first = demo.parts[part].first
    assert validate(first, part) == []
    assert first.count(b"<Goal>") == 5
    assert b"<SequenceIndicator>G1.1.1</SequenceIndicator>" in first
    assert (b"<PerformanceIndicator" in first) == (part == 2)
    assert b"Every resident, business and visitor can get what they need" in first  # the vision


@pytest.mark.parametrize("part", [1, 2])
def test_the_demo_plan_survives_export_import_export(demo, part):
    trip = demo.parts[part]
    assert trip.valid and validate(trip.second, part) == []
    assert canonical(trip.second, ignore=IGNORED) == canonical(trip.first, ignore=IGNORED)
    kinds = sorted(item.rsplit("/", 1)[-1].split(" ")[0] for item in trip.unmapped)
    assert kinds == ["Stakeholder[1]", "Stakeholder[2]", "Submitter"]  # the two boards and the owner
