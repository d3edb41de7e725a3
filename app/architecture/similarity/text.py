"""Tokenising for similar work: words (stop words dropped, plural "s" removed), terms and their IDF-free weights."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

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
