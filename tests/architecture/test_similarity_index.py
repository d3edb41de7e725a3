"""The similarity index catches up with changes instead of being rebuilt, and answers exactly as a fresh build.

Each gunicorn worker keeps its own index and learns of changes only from the database, so a change made
"by another process" is simulated by setting this process's cache aside while the change is made and
asked about (the other process builds and updates an index of its own), then putting it back.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from app.architecture import queries, similarity
from app.architecture import services as architecture_services
from app.auth.models import Organization, User
from app.core.db import utcnow
from app.extensions import db
from app.portfolio import services as portfolio_services
from app.portfolio.models import Initiative
from tests.architecture.factories import create_service, tie
from tests.factories import create_org
from tests.portfolio.factories import create_initiative
from tests.sql import counted_statements

SUBJECTS = (
    "business licensing portal",
    "unemployment insurance claims",
    "vehicle registration",
    "vital records",
    "child support case management",
    "building permit tracking",
    "state parks reservations",
    "Medicaid eligibility",
)
ACTIONS = ("modernization", "cloud migration", "replacement", "upgrade", "consolidation")
LEGACY = ("mainframe", "COBOL", "Lotus Notes", "client-server")
BENEFITS = (
    "apply and renew online without visiting an office",
    "pay fees by card or ACH",
    "track the status of their requests",
    "upload documents from a phone",
)


def text(rng: random.Random) -> tuple[str, str]:
    subject = rng.choice(SUBJECTS)
    return (
        f"{subject.capitalize()} {rng.choice(ACTIONS)}",
        f"Replace the {rng.choice(LEGACY)} {subject} with a cloud-hosted solution. "
        f"Residents will {rng.choice(BENEFITS)}. Phase {rng.randrange(1, 99)}.",
    )


@contextmanager
def another_process() -> Iterator[None]:
    """Run the block as if in another worker: this process's indexes are set aside, then put back untouched."""
    with similarity._lock:
        mine = similarity._cache.copy()
        similarity._cache.clear()
    try:
        yield
    finally:
        with similarity._lock:
            similarity._cache.clear()
            similarity._cache.update(mine)


def fresh(family: list[int], initiative_id: int) -> list[tuple[Any, ...]]:
    index = similarity.FamilyIndex(())
    index.build(similarity._rows(sorted(family)))
    index.set_ties(similarity._ties(sorted(family)))
    return summarised(index, initiative_id)


def summarised(index: similarity.FamilyIndex, initiative_id: int) -> list[tuple[Any, ...]]:
    ranked = index.rank(initiative_id, limit=10_000)
    return sorted(
        (doc.id, doc.title, doc.status, round(score, 9), round(cosine, 9), tuple(terms), tuple(sorted(services)))
        for doc, score, cosine, terms, services in ranked
    )


def live_ids(org: Organization) -> list[int]:
    return list(
        db.session.scalars(
            db.select(Initiative.id).where(Initiative.organization_id == org.id, Initiative.deleted_at.is_(None))
        )
    )


def keep_fields(initiative: Initiative, **changed: Any) -> portfolio_services.InitiativeFields:
    names = portfolio_services.InitiativeFields.__dataclass_fields__
    return portfolio_services.InitiativeFields(**{name: getattr(initiative, name) for name in names} | changed)


def edit(initiative: Initiative, user: User, **changed: Any) -> None:
    portfolio_services.update_initiative(
        initiative, user=user, fields=keep_fields(initiative, **changed), base_version=initiative.version
    )
    db.session.commit()


@pytest.mark.parametrize("common_term_min_docs", [200, 6], ids=["no-common-terms", "common-terms-cut"])
def test_after_any_change_the_index_answers_exactly_as_a_fresh_build(
    monkeypatch, org, editor, initiative, common_term_min_docs
):
    """Titles, summaries, statuses, deletions, new initiatives and ties, in a seeded random order.

    With a low threshold, terms in more than half of the family are cut, and edits move terms in and out
    of that set; the index must follow without a rebuild.
    """
    monkeypatch.setattr(similarity.index, "COMMON_TERM_MIN_DOCS", common_term_min_docs)
    builds = []
    real_build = similarity.FamilyIndex.build
    monkeypatch.setattr(
        similarity.FamilyIndex, "build", lambda self, rows: builds.append(self) or real_build(self, rows)
    )
    rng = random.Random(6)
    hub = create_service(org=org, user=editor, name="Identity Hub")
    payments = create_service(org=org, user=editor, name="Payments Gateway")
    for n in range(14):
        title, summary = text(rng)
        create_initiative(org=org, user=editor, code=f"INI-{n + 2:04d}", title=title, summary=summary)
    similarity.similar_work(initiative, editor)
    index = similarity._cache[similarity.cache_key([org])]
    for step in range(30):
        ids = live_ids(org)
        target = db.session.get(Initiative, rng.choice(ids))
        assert target is not None
        action = rng.choice(["title", "summary", "status", "delete", "create", "tie", "untie"])
        if action == "title":
            edit(target, editor, title=text(rng)[0])
        elif action == "summary":
            edit(target, editor, summary=text(rng)[1])
        elif action == "status":
            target.status = rng.choice(["proposed", "cancelled", "rejected"])  # deletable ones
            db.session.commit()
        elif action == "delete" and target.id != initiative.id:
            portfolio_services.delete_initiative(target, user=editor)
            db.session.commit()
        elif action == "create":
            title, summary = text(rng)
            create_initiative(org=org, user=editor, code=f"NEW-{step:03d}", title=title, summary=summary)
        elif action == "tie":
            service = rng.choice([hub, payments])
            if not any(t.service_id == service.id for t in queries.initiative_ties(target.id)):
                tie(target, service, user=editor, relation=rng.choice(["reuses", "delivers"]))
        elif action == "untie":
            for found in queries.initiative_ties(target.id)[:1]:
                architecture_services.untie_service(found, user=editor)
                db.session.commit()
        db.session.expire_all()
        asked = db.session.get(Initiative, rng.choice(live_ids(org)))
        assert asked is not None
        similarity.similar_work(asked, editor)  # catches up
        assert similarity._cache[similarity.cache_key([org])] is index
        for initiative_id in live_ids(org):
            assert summarised(index, initiative_id) == fresh([org.id], initiative_id), (step, action)
    assert [b for b in builds if b is index] == [index], "every change was caught up with, none rebuilt the index"
    if common_term_min_docs == 6:
        assert index.common, "the test moved terms across the common-term cut"


def test_changes_made_by_another_process_show_in_the_next_answer(org, editor, initiative):
    other = create_initiative(org=org, user=editor, code="INI-0002", title="Prison telephony", summary="")
    hub = create_service(org=org, user=editor, name="Identity Hub")
    payments = create_service(org=org, user=editor, name="Payments Gateway")
    assert similarity.similar_work(initiative, editor) == []

    with another_process():
        edit(other, editor, title="Business licensing portal renewal")
        assert [m.code for m in similarity.similar_work(other, editor)] == ["INI-0001"]
    [match] = similarity.similar_work(initiative, editor)
    assert (match.code, match.title) == ("INI-0002", "Business licensing portal renewal")

    with another_process():
        edit(other, editor, title="Prison telephony")
        tie(initiative, hub, user=editor)
        tie(other, hub, user=editor)
    assert [m.reasons for m in similarity.similar_work(initiative, editor)] == [["both reuse Identity Hub"]]

    with another_process():
        [hub_tie] = queries.initiative_ties(other.id)
        architecture_services.untie_service(hub_tie, user=editor)
        db.session.commit()
        tie(other, payments, user=editor)  # on SQLite the new tie may take the removed one's id
        tie(initiative, payments, user=editor, relation="delivers")
    assert [m.reasons for m in similarity.similar_work(initiative, editor)] == [
        ["it reuses Payments Gateway, which this initiative delivers"]
    ]

    with another_process():
        fresh_one = create_initiative(
            org=org, user=editor, code="INI-0003", title="Business licensing portal", summary="Permit renewals online."
        )
    assert similarity.similar_work(initiative, editor)[0].code == "INI-0003"

    with another_process():
        portfolio_services.delete_initiative(fresh_one, user=editor)
        portfolio_services.delete_initiative(other, user=editor)
        db.session.commit()
    assert similarity.similar_work(initiative, editor) == []


def test_an_update_committed_late_with_an_older_timestamp_is_noticed(org, editor, initiative):
    """Another worker's transaction stamped earlier but committed after a later one: Σ version still moves."""
    other = create_initiative(org=org, user=editor, code="INI-0002", title="Prison telephony", summary="")
    create_initiative(org=org, user=editor, code="INI-0003", title="Road weather stations", summary="")
    assert similarity.similar_work(initiative, editor) == []
    db.session.execute(
        update(Initiative)
        .where(Initiative.id == other.id)
        .values(
            title="Business licensing portal renewal",
            version=Initiative.version + 1,
            updated_at=utcnow() - timedelta(hours=1),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    assert [m.code for m in similarity.similar_work(initiative, editor)] == ["INI-0002"]


def test_a_change_reads_only_what_moved(org, editor, initiative):
    """After an edit one more statement reads the changed rows; after a tie, one more reads the ties."""
    other = create_initiative(org=org, user=editor, code="INI-0002", title="Business licensing portal", summary="")
    for n in range(3, 8):
        create_initiative(org=org, user=editor, code=f"INI-{n:04d}", title=f"Road weather station {n}", summary="")
    hub = create_service(org=org, user=editor, name="Identity Hub")
    similarity.similar_work(initiative, editor)

    def statements() -> int:
        db.session.expire_all()
        asked = db.session.get(Initiative, initiative.id)
        assert asked is not None
        with counted_statements() as found:
            similarity.similar_work(asked, editor)
        return len([s for s in found if "initiative_service" in s or "FROM initiative" in s])

    warm = statements()
    edit(other, editor, title="Business licensing portal renewal")
    assert statements() == warm + 1
    assert statements() == warm
    tie(initiative, hub, user=editor)
    assert statements() == warm + 1


def test_a_family_that_shrinks_below_half_its_size_is_rebuilt(monkeypatch, org, editor, initiative):
    monkeypatch.setattr(similarity.index, "COMMON_TERM_MIN_DOCS", 2)
    monkeypatch.setattr(similarity.index, "REBUILD_SHARE", 1.0)
    others = [
        create_initiative(org=org, user=editor, code=f"INI-{n:04d}", title=f"Licensing kiosk {n}", summary="")
        for n in range(2, 9)
    ]
    similarity.similar_work(initiative, editor)
    first = similarity._cache[similarity.cache_key([org])]
    for found in others[:5]:
        portfolio_services.delete_initiative(found, user=editor)
    db.session.commit()
    db.session.expire_all()
    similarity.similar_work(db.session.get(Initiative, initiative.id), editor)
    index = similarity._cache[similarity.cache_key([org])]
    assert index is first and index.peak == 3, "rebuilt in place: the watch list starts again"
    for initiative_id in live_ids(org):
        assert summarised(index, initiative_id) == fresh([org.id], initiative_id)


def test_an_agency_change_reaches_the_state_office_family_index(org, editor, initiative):
    agency = create_org(name="Department of Revenue IT", parent=org)
    from app.auth.models import Role
    from tests.factories import create_user

    agency_editor = create_user(org=agency, role=Role.EDITOR)
    theirs = create_initiative(org=agency, user=agency_editor, code="DOR-001", title="Fleet telematics", summary="")
    assert similarity.similar_work(initiative, editor) == []
    with another_process():
        edit(theirs, agency_editor, title="Business licensing portal for tax clearance")
    assert [m.code for m in similarity.similar_work(initiative, editor)] == ["DOR-001"]


def test_a_term_becomes_common_when_the_family_shrinks_and_ordinary_when_it_grows(monkeypatch, org, editor, initiative):
    """'Kiosk' is in 5 of 10 initiatives (not more than half); deleting one without it makes it common."""
    monkeypatch.setattr(similarity.index, "COMMON_TERM_MIN_DOCS", 4)
    for n in range(2, 6):
        create_initiative(org=org, user=editor, code=f"INI-{n:04d}", title=f"Licensing kiosk {n}", summary="Kiosk")
    create_initiative(org=org, user=editor, code="INI-0006", title="Permit kiosk", summary="Portal kiosk")
    plain = [
        create_initiative(org=org, user=editor, code=f"INI-{n:04d}", title=f"Road weather station {n}", summary="")
        for n in range(7, 11)
    ]
    similarity.similar_work(initiative, editor)
    index = similarity._cache[similarity.cache_key([org])]
    assert "kiosk" not in index.common

    portfolio_services.delete_initiative(plain[0], user=editor)
    db.session.commit()
    db.session.expire_all()
    similarity.similar_work(db.session.get(Initiative, initiative.id), editor)
    assert "kiosk" in index.common
    for initiative_id in live_ids(org):
        assert summarised(index, initiative_id) == fresh([org.id], initiative_id)

    create_initiative(org=org, user=editor, code="INI-0011", title="Fleet telematics", summary="")
    db.session.expire_all()
    similarity.similar_work(db.session.get(Initiative, initiative.id), editor)
    assert "kiosk" not in index.common
    for initiative_id in live_ids(org):
        assert summarised(index, initiative_id) == fresh([org.id], initiative_id)
