"""The term index of one family's initiatives (``FamilyIndex``): building, catching up and ranking."""

from __future__ import annotations

import heapq
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from app.architecture.similarity.text import term_weights

LIMIT = 10
MIN_COSINE = 0.15
SERVICE_WEIGHT = 0.3
MAX_SERVICES_COUNTED = 3
COMMON_TERM_SHARE = 0.5
COMMON_TERM_MIN_DOCS = 200
REBUILD_SHARE = 0.25  # more changed initiatives than this share of the family at once: rebuild instead
WATCH_SHARE = 0.25  # terms in more than this share of the family may become "common": they are watched


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
