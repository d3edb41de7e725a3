"""Publishing and unpublishing through the services: who may, what may be published, and the audit trail."""

from __future__ import annotations

import pytest

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.core.errors import DomainError, PermissionDenied
from app.extensions import db
from app.governance.services import adoption
from app.plans import services as plan_services
from app.publication import services
from app.publication.models import PlanPublication
from tests.governance.adoption_helpers import visible
from tests.publication.world import PublishedWorld, adopt, build_published_world


def _events(plan_id: int, prefix: str = "plan.public_") -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.object_type == "plan", AuditEvent.object_id == plan_id, AuditEvent.action.like(f"{prefix}%")
            )
            .order_by(AuditEvent.id)
        )
    )


def test_an_admin_publishes_the_adopted_version_and_it_is_audited(world: PublishedWorld) -> None:
    publication = services.publish(world.plan, user=world.admin)
    db.session.commit()
    assert publication.version_id == world.version.id
    assert publication.slug == f"publicplantitleq-{world.plan.id}"
    [event] = _events(world.plan.id)
    assert event.action == "plan.public_publish"
    assert event.actor_id == world.admin.id
    assert "version 1" in event.summary


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER, Role.VIEWER])
def test_only_an_admin_may_publish_or_unpublish(world: PublishedWorld, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        services.publish(world.plan, user=world.users[role])
    services.publish(world.plan, user=world.admin)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.unpublish(world.plan, user=world.users[role])


def test_an_admin_of_another_organization_cannot_publish(world: PublishedWorld) -> None:
    from tests.factories import create_org, create_user

    stranger = create_user(org=create_org(), role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.publish(world.plan, user=stranger)


def test_a_plan_without_an_adopted_version_cannot_be_published() -> None:
    world = build_published_world(adopt_it=False)  # version 1 is still with the board
    with pytest.raises(services.NotAdopted, match="no adopted version yet"):
        services.publish(world.plan, user=world.admin)
    assert db.session.scalar(db.select(PlanPublication).where(PlanPublication.plan_id == world.plan.id)) is None
    assert _events(world.plan.id) == []


def test_publishing_again_is_harmless_and_a_later_adoption_is_shown_only_when_published_again(
    world: PublishedWorld,
) -> None:
    services.publish(world.plan, user=world.admin)
    db.session.commit()
    services.publish(world.plan, user=world.admin)  # a second click
    db.session.commit()
    assert len(_events(world.plan.id)) == 1

    editor = world.users[Role.EDITOR]
    assert world.plan.status == "approved"
    adoption.start_next_revision(world.plan, user=editor)
    section = visible(world.plan)[0]
    plan_services.save_section(
        section, user=editor, title=section.title, body="A revised text.", base_version=section.version, ready=True
    )
    version_2 = adoption.submit_plan(world.plan, user=editor, board=world.board)
    db.session.commit()
    adopt(version_2, world.admin)

    shown = services.publication_of(world.plan)
    assert shown is not None and shown.version_id == world.version.id  # unchanged until an admin chooses
    services.publish(world.plan, user=world.admin)
    db.session.commit()
    shown = services.publication_of(world.plan)
    assert shown is not None and shown.version_id == version_2.id
    assert [e.action for e in _events(world.plan.id)] == ["plan.public_publish", "plan.public_update"]


def test_unpublishing_deletes_the_publication_and_is_audited(world: PublishedWorld) -> None:
    services.publish(world.plan, user=world.admin)
    db.session.commit()
    services.unpublish(world.plan, user=world.admin)
    db.session.commit()
    assert services.publication_of(world.plan) is None
    assert [e.action for e in _events(world.plan.id)] == ["plan.public_publish", "plan.public_unpublish"]
    with pytest.raises(DomainError, match="not on the public site"):
        services.unpublish(world.plan, user=world.admin)


def test_slugs_are_plain_ascii_and_unique_by_plan() -> None:
    assert services.slug_for("Digital État 2027–2030!", 7) == "digital-etat-2027-2030-7"
    assert services.slug_for("«»", 8) == "plan-8"
    assert len(services.slug_for("x" * 300, 9)) <= 80
