"""The public page and the open data run the same number of SQL statements however many KPIs there are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask.testing import FlaskClient

from app.auth.models import Role
from app.extensions import db
from app.objectives import services as objective_services
from app.objectives.models import PolicyObjective
from app.publication import services
from tests.publication.world import PublishedWorld, _kpi_fields
from tests.sql import statements_for


def _more_kpis(world: PublishedWorld, count: int) -> None:
    objective = db.session.scalar(
        db.select(PolicyObjective).where(
            PolicyObjective.organization_id == world.org.id, PolicyObjective.code == "G1.1"
        )
    )
    editor = world.users[Role.EDITOR]
    for n in range(count):
        kpi = objective_services.create_kpi(
            organization=world.org, user=editor, objective=objective, fields=_kpi_fields(f"PUBLICEXTRA{n}")
        )
        for month in (3, 6):
            objective_services.add_measurement(
                kpi, user=editor, measured_on=date(2025, month, 30), value=Decimal(n + month)
            )
    db.session.commit()


def test_statements_do_not_grow_with_the_kpis(client: FlaskClient, world: PublishedWorld) -> None:
    publication = services.publish(world.plan, user=world.admin)
    db.session.commit()
    urls = [f"/public/plans/{publication.slug}", f"/public/plans/{publication.slug}/data.json"]
    before = [len(statements_for(client, url)) for url in urls]
    _more_kpis(world, 8)
    after = [len(statements_for(client, url)) for url in urls]
    assert after == before
    assert max(after) <= 12
