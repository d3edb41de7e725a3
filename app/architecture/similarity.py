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

The index (kept in this process, per family)
--------------------------------------------
Each initiative keeps its IDF-free term weights (1 + ln tf); postings map a term to the initiatives that
use it (so a term's df is the length of its postings). IDF is applied when a question is asked, and each
initiative's vector length is kept as three sums over its terms (Σw², Σw²·b, Σw²·b² with b = ln(df + 1)):
with A = ln(N + 1) + 1 the squared length is A²·Σw² − 2A·Σw²b + Σw²b², so a change in N costs nothing and
a change in one term's df adjusts only the initiatives that use that term. Answers are therefore exactly
those of a fresh build (to floating-point rounding), with no stale IDF.

Freshness across processes (gunicorn workers each keep their own index; nothing tells them of a change):
every question first reads a one-statement signature of the family's initiatives (count, deleted count,
Σ version, Σ id, latest id, latest ``updated_at``) and service ties (count, Σ id, Σ service id, latest
change). When it moved, the index catches up instead of being rebuilt: one statement reads the initiatives
changed since a few seconds before the last change it saw (``CATCH_UP_WINDOW``) or added since; only those
whose version or text differs are re-tokenised. The index must then add up to the signature (count,
deleted count, Σ version, Σ id); if it does not (a transaction that committed long after it wrote),
every initiative's version is compared (one statement) and those that differ are read (one more). This
relies on every change to an initiative raising its ``version`` (the ORM does: optimistic locking).
Ties are re-read (one statement) only when their part of the signature moved.
A full rebuild happens on the first question in a process, when more than a quarter of the family changed
at once, or when the family shrank below half its size (the common-term watch list is then no longer a
safe superset).
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import or_

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
REBUILD_SHARE = 0.25  # more changed initiatives than this share of the family at once: rebuild instead
WATCH_SHARE = 0.25  # terms in more than this share of the family may become "common": they are watched

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
_SEEN_WORDS: dict[str, str] = {}  # raw word → normalised word ("" when dropped); words repeat a lot
_SEEN_WORDS_MAX = 200_000
_TF = [0.0] + [1 + math.log(c) for c in range(1, 64)]


def _normalise(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word(raw: str) -> str:
    return "" if raw in STOP_WORDS or len(raw) <= 1 else _normalise(raw)


def words(text: str) -> list[str]:
    """Lower-cased words without stop words, plural "s" removed."""
    seen = _SEEN_WORDS
    found = []
    for raw in _WORD.findall(text.lower()):
        word = seen.get(raw)
        if word is None:
            word = _word(raw)
            if len(seen) < _SEEN_WORDS_MAX:
                seen[raw] = word
        if word:
            found.append(word)
    return found


def terms(text: str) -> list[str]:
    """Unigrams and bigrams (joined by a space) of ``text``."""
    found = words(text)
    return found + [f"{a} {b}" for a, b in itertools.pairwise(found)]


def term_weights(title: str, summary: str) -> dict[str, float]:
    """IDF-free weights 1 + ln tf of the terms of title (counted twice) and summary."""
    title_words = words(title)
    found = title_words + title_words + words(summary)
    counted = Counter(found)
    counted.update(f"{a} {b}" for a, b in itertools.pairwise(found))
    return {t: _TF[c] if c < 64 else 1 + math.log(c) for t, c in counted.items()}


class Doc(NamedTuple):
    """An initiative as the index shows it (a tuple of ints and strings: the garbage collector skips it)."""

    id: int
    organization_id: int
    code: str
    title: str
    status: str
    summary: str


class FamilyIndex:
    """The term index of one family's live initiatives and their service ties; see the module docstring."""

    def __init__(self, signature: tuple[Any, ...]) -> None:
        self.signature = signature
        self.lock = threading.RLock()
        self.docs: dict[int, Doc] = {}  # live initiatives
        self.versions: dict[int, int] = {}  # every initiative of the family, deleted ones too → version read
        self.deleted: set[int] = set()
        self.weights: dict[int, dict[str, float]] = {}  # initiative id → {term: 1 + ln tf}
        self.postings: dict[str, dict[int, float]] = {}  # term → {initiative id: 1 + ln tf}
        self.sums: dict[int, list[float]] = {}  # initiative id → [Σw², Σw²b, Σw²b²] over non-common terms
        self.common: set[str] = set()
        self.watched: set[str] = set()  # a superset of the terms that can be common without being touched
        self.peak = 0  # the most live initiatives since the last full build
        self.ties: dict[int, dict[int, str]] = {}  # initiative id → {service id: relation}
        self.service_docs: dict[int, list[int]] = {}  # service id → initiative ids (deleted ones too)

    # -- building and catching up -------------------------------------------------------------------------------

    def _common_of(self, candidates: Iterable[str]) -> set[str]:
        n = len(self.docs)
        if n <= COMMON_TERM_MIN_DOCS:
            return set()
        limit = COMMON_TERM_SHARE * n
        postings = self.postings
        return {t for t in candidates if len(postings.get(t, ())) > limit}

    def _sums_of(self, weights: dict[str, float], b_of: dict[str, float] | None = None) -> list[float]:
        s0 = s1 = s2 = 0.0
        common, postings, log = self.common, self.postings, math.log
        for t, w in weights.items():
            if t in common:
                continue
            b = b_of[t] if b_of is not None else log(len(postings[t]) + 1)
            w2 = w * w
            s0 += w2
            s1 += w2 * b
            s2 += w2 * b * b
        return [s0, s1, s2]

    def build(self, rows: Iterable[Any]) -> None:
        """Index ``rows`` (see ``_ROW``: every initiative of the family, deleted ones too) from scratch."""
        docs, versions, deleted, weights = {}, {}, set(), {}
        postings: defaultdict[str, dict[int, float]] = defaultdict(dict)
        for id_, organization_id, code, title, status, summary, version, live in rows:
            versions[id_] = version
            if not live:
                deleted.add(id_)
                continue
            docs[id_] = Doc(id_, organization_id, code, title, status, summary)
            mine = weights[id_] = term_weights(title, summary)
            for t, w in mine.items():
                postings[t][id_] = w
        self.docs, self.versions, self.deleted, self.weights = docs, versions, deleted, weights
        self.postings = dict(postings)
        n = self.peak = len(docs)
        self.watched = {t for t, p in self.postings.items() if len(p) > WATCH_SHARE * n}
        self.common = self._common_of(self.watched)
        b_of = {t: math.log(len(p) + 1) for t, p in self.postings.items()}
        self.sums = {i: self._sums_of(w, b_of) for i, w in weights.items()}

    def differs(self, row: Any) -> bool:
        """Whether ``row`` (see ``_ROW``) is not what the index holds."""
        id_, organization_id, code, title, status, summary, version, live = row
        if self.versions.get(id_) != version:
            return True
        if not live:
            return id_ not in self.deleted
        return self.docs.get(id_) != Doc(id_, organization_id, code, title, status, summary)

    def consistent(self, signature: tuple[Any, ...]) -> bool:
        """Whether the initiatives held add up to the signature's count, deleted count, Σ version and Σ id."""
        count, deleted, sum_version, sum_id = signature[:4]
        versions = self.versions
        return (
            len(versions) == count
            and len(self.deleted) == deleted
            and sum(versions.values()) == (sum_version or 0)
            and sum(versions) == (sum_id or 0)
        )

    def needs_rebuild(self, changed: int) -> bool:
        """Rebuild rather than catch up when much changed at once, or when the family shrank below half its peak.

        (Terms outside ``watched`` were in at most a quarter of the family when last looked at; once the
        family is below half that size they could be common unseen.)
        """
        live = len(self.docs)
        many = changed > max(REBUILD_SHARE * live, COMMON_TERM_MIN_DOCS)
        return many or (live > COMMON_TERM_MIN_DOCS and live * 2 < self.peak)

    def apply(self, rows: Iterable[Any], vanished: Iterable[int] = ()) -> None:
        """Take in changed ``rows`` (see ``_ROW``) and forget ``vanished`` ids, adjusting only what moved."""
        postings, weights, docs, all_sums = self.postings, self.weights, self.docs, self.sums
        delta: Counter[str] = Counter()
        refresh: set[int] = set()

        def unpost(initiative_id: int, gone: Iterable[str]) -> None:
            for t in gone:
                delta[t] -= 1
                posted = postings[t]
                del posted[initiative_id]
                if not posted:
                    del postings[t]

        def drop(initiative_id: int) -> None:
            docs.pop(initiative_id, None)
            all_sums.pop(initiative_id, None)
            unpost(initiative_id, weights.pop(initiative_id, {}))

        for initiative_id in vanished:
            self.versions.pop(initiative_id, None)
            self.deleted.discard(initiative_id)
            drop(initiative_id)
        for id_, organization_id, code, title, status, summary, version, live in rows:
            self.versions[id_] = version
            if not live:
                self.deleted.add(id_)
                drop(id_)
                continue
            self.deleted.discard(id_)
            before = docs.get(id_)
            docs[id_] = Doc(id_, organization_id, code, title, status, summary)
            if before is not None and before.title == title and before.summary == summary:
                continue  # status, code or another field: nothing to re-tokenise
            new = term_weights(title, summary)
            old = weights.get(id_, {})
            unpost(id_, old.keys() - new.keys())
            for t in new.keys() - old.keys():
                delta[t] += 1
            for t, w in new.items():
                postings.setdefault(t, {})[id_] = w
            weights[id_] = new
            refresh.add(id_)
            all_sums[id_] = [0.0, 0.0, 0.0]  # computed below, once every df is known
        n = len(docs)
        self.peak = max(self.peak, n)
        touched = {t for t, d in delta.items() if d}
        old_common = self.common
        self.common = self._common_of(self.watched | touched)
        self.watched |= {t for t in touched if len(postings.get(t, ())) > WATCH_SHARE * n}
        log = math.log
        for t in touched | (old_common ^ self.common):
            posted = postings.get(t)
            if not posted:
                continue
            new_df = len(posted)
            old_b, new_b = log(new_df - delta[t] + 1), log(new_df + 1)
            was = 0.0 if t in old_common else 1.0  # counted in the lengths before / now
            now = 0.0 if t in self.common else 1.0
            d0, d1, d2 = now - was, now * new_b - was * old_b, now * new_b * new_b - was * old_b * old_b
            if d0:
                for other, w in posted.items():
                    sums, w2 = all_sums[other], w * w
                    sums[0] += w2 * d0
                    sums[1] += w2 * d1
                    sums[2] += w2 * d2
            elif d1 or d2:
                for other, w in posted.items():
                    sums, w2 = all_sums[other], w * w
                    sums[1] += w2 * d1
                    sums[2] += w2 * d2
        for id_ in refresh:
            all_sums[id_] = self._sums_of(weights[id_])

    def set_ties(self, ties: Iterable[tuple[int, int, str]]) -> None:
        tie_map: defaultdict[int, dict[int, str]] = defaultdict(dict)
        service_docs: defaultdict[int, list[int]] = defaultdict(list)
        for initiative_id, service_id, relation in ties:
            tie_map[initiative_id][service_id] = relation
            service_docs[service_id].append(initiative_id)
        self.ties, self.service_docs = dict(tie_map), dict(service_docs)

    # -- asking -------------------------------------------------------------------------------------------------

    def rank(self, initiative_id: int, *, limit: int = LIMIT) -> list[Ranked]:
        """(doc, score, cosine, shared terms, shared services) of the best matches, best first."""
        with self.lock:
            return self._rank(initiative_id, limit)

    def _rank(self, me: int, limit: int) -> list[Ranked]:
        docs = self.docs
        if me not in docs:
            return []
        n = len(docs)
        a = math.log(n + 1) + 1
        aa, a2 = a * a, 2 * a
        postings, common, all_sums, log = self.postings, self.common, self.sums, math.log
        query: dict[str, float] = {}
        dots: defaultdict[int, float] = defaultdict(float)
        for t, w in self.weights[me].items():
            if t in common:
                continue
            posted = postings[t]
            idf = a - log(len(posted) + 1)
            weight = query[t] = w * idf * idf
            for other, other_w in posted.items():
                dots[other] += weight * other_w

        s0, s1, s2 = all_sums[me]
        squared = aa * s0 - a2 * s1 + s2
        mine = math.sqrt(squared) if squared > 1e-9 else 1.0
        scores: dict[int, float] = {}
        sqrt = math.sqrt
        for i, dot in dots.items():  # cosine = dot / (|mine| × |theirs|), lengths from the kept sums
            s0, s1, s2 = all_sums[i]
            squared = aa * s0 - a2 * s1 + s2
            scores[i] = dot / (mine * sqrt(squared)) if squared > 1e-9 else dot / mine
        ours = self.ties.get(me, {})
        shared: defaultdict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for service_id, relation in ours.items():
            for other in self.service_docs.get(service_id, ()):
                if other in docs:
                    shared[other].append((service_id, self.ties[other][service_id], relation))
        candidates = {i for i, s in scores.items() if s >= MIN_COSINE} | set(shared)
        candidates.discard(me)

        def total(i: int) -> float:
            return scores.get(i, 0.0) + SERVICE_WEIGHT * min(len(shared.get(i, ())), MAX_SERVICES_COUNTED)

        found = []
        for i in heapq.nlargest(limit, candidates, key=lambda i: (total(i), -i)):
            theirs = self.weights[i]
            contributions = sorted(((query[t] * theirs[t], t) for t in query.keys() & theirs.keys()), reverse=True)
            top_terms = [t for _c, t in contributions if " " not in t][:5]
            found.append((docs[i], total(i), scores.get(i, 0.0), top_terms, shared.get(i, [])))
        return found


Ranked = tuple[Doc, float, float, list[str], list[tuple[int, str, str]]]

_cache: OrderedDict[tuple[tuple[int, str], ...], FamilyIndex] = OrderedDict()
_lock = threading.Lock()
_INITIATIVE_PARTS = 6  # the signature's first parts are about initiatives, the rest about ties
CATCH_UP_WINDOW = timedelta(seconds=5)  # also re-read rows changed this long before the last change seen


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _signature(family_ids: Sequence[int]) -> tuple[Any, ...]:
    """What changes when any initiative of the family or any of its service ties changes: one statement.

    Initiatives: count, deleted count, Σ version, Σ id, latest id, latest change. Σ version moves on every
    update, even one committed late with an older ``updated_at`` by another process. Ties: count, Σ id,
    Σ service id, latest change (a deleted tie replaced under the same id, as SQLite allows, still shows).
    """
    in_family = Initiative.organization_id.in_(family_ids)
    func = db.func
    initiatives = db.select(
        func.count(Initiative.id),
        func.count(Initiative.deleted_at),
        func.sum(Initiative.version),
        func.sum(Initiative.id),
        func.max(Initiative.id),
        func.max(Initiative.updated_at),
    ).where(in_family)
    ties = (
        db.select(
            func.count(InitiativeService.id),
            func.sum(InitiativeService.id),
            func.sum(InitiativeService.service_id),
            func.max(InitiativeService.updated_at),
        )
        .join(Initiative, Initiative.id == InitiativeService.initiative_id)
        .where(in_family)
    )
    first, second = initiatives.subquery(), ties.subquery()
    row = db.session.execute(db.select(*first.c, *second.c).select_from(first.join(second, db.true()))).one()
    return tuple(row)


_ROW = (
    Initiative.id,
    Initiative.organization_id,
    Initiative.code,
    Initiative.title,
    Initiative.status,
    Initiative.summary,
    Initiative.version,
    Initiative.deleted_at.is_(None),
)


def _rows(family_ids: Sequence[int], *where: Any) -> Sequence[Any]:
    """The family's initiatives (deleted ones too, see ``_ROW``), or those matching ``where``: one statement."""
    query = db.select(*_ROW).where(Initiative.organization_id.in_(family_ids), *where)
    return db.session.execute(query.order_by(Initiative.id)).all()


def _ties(family_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """Every tie of the family's initiatives, deleted ones too (ranking skips them): one statement."""
    rows = db.session.execute(
        db.select(InitiativeService.initiative_id, InitiativeService.service_id, InitiativeService.relation)
        .join(Initiative, Initiative.id == InitiativeService.initiative_id)
        .where(Initiative.organization_id.in_(family_ids))
        .order_by(InitiativeService.id)
    ).all()
    return [(i, s, r) for i, s, r in rows]


def _catch_up_initiatives(index: FamilyIndex, key: tuple[int, ...], signature: tuple[Any, ...]) -> None:
    """Read the initiatives changed since the index's signature (one statement) and take them in.

    Rows changed since shortly before the last change seen, or added since, are read; if the index then
    does not add up to the new signature (a transaction that committed long after it wrote, a row changed
    without its version), every initiative's version is compared (one more statement) and those that
    differ are read (one more).
    """
    _count, _deleted, _versions, _ids, max_id, last_change = index.signature[:_INITIATIVE_PARTS]
    if last_change is None or max_id is None:
        rows = _rows(key)
    else:
        since = Initiative.updated_at >= last_change - CATCH_UP_WINDOW
        rows = _rows(key, or_(since, Initiative.id > max_id))
    changed = [row for row in rows if index.differs(row)]
    if index.needs_rebuild(len(changed)):
        index.build(_rows(key))
        return
    index.apply(changed)
    if not index.consistent(signature):
        versions = db.session.execute(
            db.select(Initiative.id, Initiative.version, Initiative.deleted_at.is_(None)).where(
                Initiative.organization_id.in_(key)
            )
        ).all()
        found = {id_ for id_, _v, _live in versions}
        vanished = index.versions.keys() - found
        stale = [
            id_
            for id_, version, live in versions
            if index.versions.get(id_) != version or (id_ in index.deleted) == bool(live)
        ]
        index.apply(_rows(key, Initiative.id.in_(stale)) if stale else [], vanished)
    if index.needs_rebuild(0):
        index.build(_rows(key))


def _catch_up(index: FamilyIndex, key: tuple[int, ...], signature: tuple[Any, ...]) -> None:
    """Bring ``index`` to ``signature``: re-read only what moved (see the module docstring)."""
    if index.signature[:_INITIATIVE_PARTS] != signature[:_INITIATIVE_PARTS]:
        _catch_up_initiatives(index, key, signature)
    if index.signature[_INITIATIVE_PARTS:] != signature[_INITIATIVE_PARTS:]:
        index.set_ties(_ties(key))
    index.signature = signature


def cache_key(family: Iterable[Organization]) -> tuple[tuple[int, str], ...]:
    """The family's organizations by id and creation time: an id reused by a new organization (SQLite reuses
    ids; a restored backup) is another family, never a continuation of the old one's index."""
    return tuple(sorted((o.id, o.created_at.isoformat() if o.created_at else "") for o in family))


def family_index(family: Iterable[Organization]) -> FamilyIndex:
    """The family's index, brought up to date: one statement when nothing changed.

    Built from scratch (two more statements) the first time in this process; after a change, usually one
    more statement (two when ties changed too) reads only what moved.
    """
    cache = cache_key(family)
    key = tuple(id_ for id_, _created in cache)
    signature = _signature(key)
    with _lock:
        index = _cache.get(cache)
        if index is not None:
            _cache.move_to_end(cache)
    if index is None:
        index = FamilyIndex(signature)
        index.build(_rows(key))
        index.set_ties(_ties(key))
        with _lock:
            _cache[cache] = index
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
        return index
    if index.signature != signature:
        with index.lock:
            if index.signature != signature:
                _catch_up(index, key, signature)
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
