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

# The figures (LIMIT, COMMON_TERM_MIN_DOCS, REBUILD_SHARE...) are read in the submodule that defines them
# (``index``, ``cache``, ``matches``): they are re-exported here for reading; change or patch them there.
from app.architecture.similarity.cache import (
    CACHE_SIZE,
    CATCH_UP_WINDOW,
    _cache,
    _lock,
    _rows,
    _ties,
    cache_key,
    clear_cache,
    family_index,
)
from app.architecture.similarity.index import (
    COMMON_TERM_MIN_DOCS,
    COMMON_TERM_SHARE,
    LIMIT,
    MAX_SERVICES_COUNTED,
    MIN_COSINE,
    REBUILD_SHARE,
    SERVICE_WEIGHT,
    WATCH_SHARE,
    Doc,
    FamilyIndex,
    Ranked,
)
from app.architecture.similarity.matches import EXCERPT, Match, similar_work
from app.architecture.similarity.text import STOP_WORDS, term_weights, terms, words

__all__ = [
    "CACHE_SIZE",
    "CATCH_UP_WINDOW",
    "COMMON_TERM_MIN_DOCS",
    "COMMON_TERM_SHARE",
    "EXCERPT",
    "LIMIT",
    "MAX_SERVICES_COUNTED",
    "MIN_COSINE",
    "REBUILD_SHARE",
    "SERVICE_WEIGHT",
    "STOP_WORDS",
    "WATCH_SHARE",
    "Doc",
    "FamilyIndex",
    "Match",
    "Ranked",
    "_cache",
    "_lock",
    "_rows",
    "_ties",
    "cache_key",
    "clear_cache",
    "family_index",
    "similar_work",
    "term_weights",
    "terms",
    "words",
]
