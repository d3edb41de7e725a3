"""Similar work: initiatives in an organization's family that look like a given one, and why.

Family: the organization, its parent, its children and its siblings (the parent's other children).
Grandparents, cousins and unrelated organizations never appear. Deleted initiatives never appear.

Measure (documented in the README):
- Text: TF-IDF cosine similarity over word unigrams and bigrams of title + summary. Words are lower-cased,
  split on anything but letters and digits, stripped of a plural "s" ("permits" → "permit"), and English
  stop words are dropped before bigrams are formed. Term weight = (1 + ln tf) × (ln((N + 1) / (df + 1)) + 1),
  the title counted twice; vectors are L2-normalised. In a family of more than 200 initiatives, terms in
  more than half of them are ignored (they tell nothing apart).
- Services: each shared service both initiatives reuse or deliver adds 0.3 (at most three count).
- Score = cosine + services; listed when the cosine is at least 0.15 or at least one service is shared,
  best first, at most ``LIMIT``. Reasons name the shared services ("both reuse Identity Hub") and the
  terms that contributed most ("shared terms: permit, licensing, portal").

The index of a family is built once and kept in this process, keyed by the family; a one-statement
signature of the family's initiatives and service ties (counts, latest change, latest id) tells when it
is stale, so any change to an initiative's title, summary, deletion or ties rebuilds it on the next request.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from typing import Any

from app.architecture.models import InitiativeService, Relation, SharedService
from app.architecture.queries import family_of
from app.auth.models import Organization, User
from app.extensions import db
from app.portfolio.models import Initiative, InitiativeStatus

LIMIT = 10
MIN_COSINE = 0.15
SERVICE_WEIGHT = 0.3
MAX_SERVICES_COUNTED = 3
COMMON_TERM_SHARE = 0.5
COMMON_TERM_MIN_DOCS = 200
CACHE_SIZE = 32
EXCERPT = 220

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once
    only or other our ours out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours new use using used via per across within without make makes made one two
    three etc pre""".split()  # noqa: SIM905 - a readable word list
)
_WORD = re.compile(r"[a-z0-9]+")


def _normalise(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-cased words without stop words, plural "s" removed."""
    return [_normalise(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def terms(text: str) -> list[str]:
    """Unigrams and bigrams (joined by a space) of ``text``."""
    found = words(text)
    return found + [f"{a} {b}" for a, b in itertools.pairwise(found)]


@dataclass(frozen=True)
class Doc:
    id: int
    organization_id: int
    code: str
    title: str
    status: str
    summary: str


@dataclass
class FamilyIndex:
    signature: tuple[Any, ...]
    docs: list[Doc]
    position: dict[int, int]  # initiative id → index in docs
    vectors: list[dict[str, float]]
    postings: dict[str, list[tuple[int, float]]]
    ties: dict[int, dict[int, str]]  # doc index → {service id: relation}
    service_docs: dict[int, list[int]]  # service id → doc indexes


def _build(signature: tuple[Any, ...], docs: list[Doc], ties: list[tuple[int, int, str]]) -> FamilyIndex:
    counts = [Counter(terms(f"{d.title} {d.title} {d.summary}")) for d in docs]
    df: Counter[str] = Counter()
    for counted in counts:
        df.update(counted.keys())
    n = len(docs)
    common = {t for t, k in df.items() if n > COMMON_TERM_MIN_DOCS and k > COMMON_TERM_SHARE * n}
    idf = {t: math.log((n + 1) / (k + 1)) + 1 for t, k in df.items() if t not in common}
    vectors: list[dict[str, float]] = []
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, counted in enumerate(counts):
        weights = {t: (1 + math.log(c)) * idf[t] for t, c in counted.items() if t in idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vector = {t: w / norm for t, w in weights.items()}
        vectors.append(vector)
        for t, w in vector.items():
            postings[t].append((i, w))
    position = {d.id: i for i, d in enumerate(docs)}
    tie_map: dict[int, dict[int, str]] = defaultdict(dict)
    service_docs: dict[int, list[int]] = defaultdict(list)
    for initiative_id, service_id, relation in ties:
        at = position.get(initiative_id)
        if at is not None:
            tie_map[at][service_id] = relation
            service_docs[service_id].append(at)
    return FamilyIndex(signature, docs, position, vectors, dict(postings), dict(tie_map), dict(service_docs))


_cache: OrderedDict[tuple[int, ...], FamilyIndex] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _signature(family_ids: list[int]) -> tuple[Any, ...]:
    """What changes when any initiative of the family or any of its service ties changes: one statement."""
    in_family = Initiative.organization_id.in_(family_ids)
    family_initiatives = db.select(Initiative.id).where(in_family)
    tie_filter = InitiativeService.initiative_id.in_(family_initiatives)
    row = db.session.execute(
        db.select(
            db.select(db.func.count(Initiative.id)).where(in_family).scalar_subquery(),
            db.select(db.func.max(Initiative.updated_at)).where(in_family).scalar_subquery(),
            db.select(db.func.max(Initiative.id)).where(in_family).scalar_subquery(),
            db.select(db.func.count(InitiativeService.id)).where(tie_filter).scalar_subquery(),
            db.select(db.func.max(InitiativeService.id)).where(tie_filter).scalar_subquery(),
        )
    ).one()
    return tuple(str(value) for value in row)


def family_index(family_ids: list[int]) -> FamilyIndex:
    """The family's index, from this process's cache when nothing changed: one statement, or three to build."""
    key = tuple(sorted(family_ids))
    signature = _signature(list(key))
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.signature == signature:
            _cache.move_to_end(key)
            return cached
    rows = db.session.execute(
        db.select(
            Initiative.id,
            Initiative.organization_id,
            Initiative.code,
            Initiative.title,
            Initiative.status,
            Initiative.summary,
        )
        .where(Initiative.organization_id.in_(key), Initiative.deleted_at.is_(None))
        .order_by(Initiative.id)
    ).all()
    ties = db.session.execute(
        db.select(InitiativeService.initiative_id, InitiativeService.service_id, InitiativeService.relation)
        .join(Initiative, Initiative.id == InitiativeService.initiative_id)
        .where(Initiative.organization_id.in_(key), Initiative.deleted_at.is_(None))
    ).all()
    index = _build(signature, [Doc(*row) for row in rows], [tuple(t) for t in ties])  # type: ignore[misc]
    with _lock:
        _cache[key] = index
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return index


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


Ranked = tuple[int, float, float, list[str], list[tuple[int, str, str]]]


def rank(index: FamilyIndex, initiative_id: int, *, limit: int = LIMIT) -> list[Ranked]:
    """(doc index, score, cosine, shared terms, shared services) of the best matches, best first."""
    me = index.position.get(initiative_id)
    if me is None:
        return []
    scores: dict[int, float] = defaultdict(float)
    for term, weight in index.vectors[me].items():
        for other, other_weight in index.postings.get(term, ()):
            scores[other] += weight * other_weight
    ours = index.ties.get(me, {})
    shared: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for service_id, relation in ours.items():
        for other in index.service_docs.get(service_id, ()):
            shared[other].append((service_id, index.ties[other][service_id], relation))
    candidates = {i for i, s in scores.items() if s >= MIN_COSINE} | set(shared)
    candidates.discard(me)

    def total(i: int) -> float:
        return scores.get(i, 0.0) + SERVICE_WEIGHT * min(len(shared.get(i, ())), MAX_SERVICES_COUNTED)

    best = heapq.nlargest(limit, candidates, key=lambda i: (total(i), -i))
    found = []
    mine = index.vectors[me]
    for i in best:
        theirs = index.vectors[i]
        contributions = sorted(((mine[t] * theirs[t], t) for t in mine.keys() & theirs.keys()), reverse=True)
        top_terms = [t for _c, t in contributions if " " not in t][:5]
        found.append((i, total(i), scores.get(i, 0.0), top_terms, shared.get(i, [])))
    return found


def similar_work(initiative: Initiative, user: User, *, limit: int = LIMIT) -> list[Match]:
    """The initiatives of the family most like ``initiative``, best first, with reasons.

    Fixed statements: the family (1), the index signature (1; +2 when it is rebuilt) and the names of the
    shared services (1, only when some are shared).
    """
    family = family_of(initiative.organization)
    organizations = {o.id: o for o in family}
    index = family_index(list(organizations))
    ranked = rank(index, initiative.id, limit=limit)
    service_ids = {service_id for *_rest, services in ranked for service_id, _t, _o in services}
    names: dict[int, str] = {}
    if service_ids:
        names = dict(
            db.session.execute(
                db.select(SharedService.id, SharedService.name).where(SharedService.id.in_(service_ids))
            ).all()
        )
    matches = []
    for i, score, cosine, shared_terms, services in ranked:
        doc = index.docs[i]
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
