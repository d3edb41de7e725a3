"""Similar work as a page shows it: the best matches of an initiative with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.architecture.models import Relation, SharedService
from app.architecture.queries import family_of
from app.architecture.similarity.cache import family_index
from app.architecture.similarity.index import LIMIT, MIN_COSINE
from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio.models import Initiative, InitiativeStatus

EXCERPT = 220


@dataclass
class Match:
    id: int
    code: str
    title: str
    status: str
    summary: str
    organization: Organization
    score: float
    cosine: float
    services: list[tuple[int, str, str]]  # (service id, their relation, our relation)
    shared_terms: list[str]
    full: bool  # the user is a member of its organization, so may open it
    reasons: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return InitiativeStatus(self.status).label


def _service_reason(name: str, theirs: str, ours: str) -> str:
    if theirs == ours:
        return f"both {'reuse' if ours == Relation.REUSES.value else 'deliver'} {name}"
    if theirs == Relation.DELIVERS.value:
        return f"it delivers {name}, which this initiative reuses"
    return f"it reuses {name}, which this initiative delivers"


def similar_work(initiative: Initiative, user: User, *, limit: int = LIMIT) -> list[Match]:
    """The initiatives of the family most like ``initiative``, best first, with reasons.

    Fixed statements: the family (1), the index signature (1; +2 to build it in this process, +1 to +3 to
    catch up after a change) and the names of the shared services (1, only when some are shared).
    """
    family = family_of(initiative.organization)
    organizations = {o.id: o for o in family}
    ranked = family_index(family).rank(initiative.id, limit=limit)
    service_ids = {service_id for *_rest, services in ranked for service_id, _t, _o in services}
    names: dict[int, str] = {}
    if service_ids:
        names = dict(
            db.session.execute(
                db.select(SharedService.id, SharedService.name).where(SharedService.id.in_(service_ids))
            ).all()
        )
    matches = []
    for doc, score, cosine, shared_terms, services in ranked:
        services = sorted(services, key=lambda s: names.get(s[0], ""))
        reasons = [_service_reason(names.get(sid, "a shared service"), theirs, ours) for sid, theirs, ours in services]
        if shared_terms and cosine >= MIN_COSINE:
            reasons.append("shared terms: " + ", ".join(shared_terms))
        elif cosine >= MIN_COSINE:
            reasons.append("similar wording in title and summary")
        summary = " ".join(doc.summary.split())
        matches.append(
            Match(
                id=doc.id,
                code=doc.code,
                title=doc.title,
                status=doc.status,
                summary=summary if len(summary) <= EXCERPT else summary[: EXCERPT - 1].rstrip() + "…",
                organization=organizations[doc.organization_id],
                score=round(score, 3),
                cosine=round(cosine, 3),
                services=services,
                shared_terms=shared_terms,
                full=user.is_member_of(doc.organization_id),
                reasons=reasons,
            )
        )
    return matches
