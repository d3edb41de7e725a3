"""`flask seed scale` builds the synthetic benchmark data set."""

from sqlalchemy import func

from app.audit.services import verify_all_chains
from app.extensions import db
from app.objectives.models import Kpi, PolicyObjective
from app.portfolio.models import Initiative, InitiativeCost, InitiativeDependency, ObjectiveLink
from tests.factories import login


def count(model, **where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(db.select(func.count()).select_from(model).filter_by(**where)) or 0


def test_scale_seed_creates_linked_costed_initiatives_per_organization(app, client):
    result = app.test_cli_runner().invoke(
        args=["seed", "scale", "--orgs", "2", "--initiatives", "30", "--long-plan-sections", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Created 2 organizations with 30 initiatives each" in result.output
    assert count(Initiative) == 60
    assert count(InitiativeCost) == 60 * 4
    assert count(PolicyObjective) == 2 * (6 + 24)
    assert count(Kpi) > 0 and count(ObjectiveLink) > 0 and count(InitiativeDependency) > 0
    unlinked = db.session.scalar(
        db.select(func.count()).select_from(Initiative).where(~Initiative.objective_links.any())
    )
    assert unlinked == 2  # one in forty is left unlinked so the gaps report has something to show
    _, problems = verify_all_chains()
    assert problems == []
    assert login(client, "editor@scale-1.example", "Scale-Benchmark-2027").status_code == 302


def test_scale_seed_twice_adds_new_organizations_with_their_own_codes(app):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(
            args=["seed", "scale", "--orgs", "1", "--initiatives", "5", "--long-plan-sections", "2"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            args=["seed", "scale", "--orgs", "1", "--initiatives", "5", "--long-plan-sections", "2"]
        ).exit_code
        == 0
    )
    assert count(Initiative) == 10
    assert count(Initiative, code="INI-00001") == 2


def test_an_organization_can_move_its_fiscal_year_start(app):
    from app.audit.models import AuditEvent
    from app.auth.models import Organization
    from tests.factories import create_org

    org = create_org(slug="federal-unit")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["orgs", "configure", "federal-unit", "--fiscal-year-start", "10"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Organization, org.id).fiscal_year_start_month == 10
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "organization.update")).one()
    assert '"after":10' in event.changes
    refused = runner.invoke(args=["orgs", "configure", "federal-unit", "--fiscal-year-start", "13"])
    assert refused.exit_code != 0 and "13" in refused.output
