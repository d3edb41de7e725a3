"""Password hashing (argon2id at OWASP's recommended cost) and the password policy.

The policy follows NIST SP 800-63B: at least 12 characters, anything up to 256 (any Unicode, spaces included),
no composition rules, and a check against common and breached-pattern passwords done offline by zxcvbn (its
frequency lists of leaked passwords, names and words, keyboard walks, dates, repeats and l33t substitutions),
with the person's e-mail and name and the organization's name and slug counted as guessable words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# OWASP Password Storage Cheat Sheet: argon2id with m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 256

# Words that make a password guessable in this product's context.
_CONTEXT_WORDS = ("planwright", "password", "passw0rd", "123456", "qwerty", "letmein", "welcome")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check a password; on success also return a new hash when the stored one is outdated."""
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if _hasher.check_needs_rehash(stored_hash):
        return True, hash_password(password)
    return True, None


# A real hash to verify against when the account does not exist, so both cases cost the same.
DUMMY_HASH = _hasher.hash("planwright-dummy-password-for-timing")


# zxcvbn's score: 3 means about 10^8 guesses or more ("safely unguessable" against throttled online guessing
# and a good margin against an offline attack on argon2id hashes); 0-2 are passwords from, or close to, the
# leaked-password lists and common patterns.
MIN_STRENGTH_SCORE = 3
# zxcvbn refuses longer input and its matching grows faster than the length; the first 72 characters decide
# (a password whose first 72 characters are strong is strong, and repeats of a weak word are caught there).
STRENGTH_CHECKED_CHARACTERS = 72

BETTER_PASSWORD_ADVICE = (
    "This password is too easy to guess: it is, or looks like, a common or leaked password. "  # noqa: S105
    "Use a longer passphrase of four or more unrelated words that mean something only to you."
)


def password_problems(
    password: str, *, email: str = "", name: str = "", organization_words: Iterable[str] = ()
) -> list[str]:
    """What is wrong with a new password, as messages that say what to do. Empty when fine.

    ``organization_words`` are the organization's name and slug: words an attacker aiming at that office tries.
    """
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters. A short phrase of several words works well."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    problems = []
    lowered = password.lower()
    personal = [part for part in (email.split("@")[0].lower(), name.lower()) if len(part) >= 4]
    if any(word in lowered for word in _CONTEXT_WORDS) or any(part in lowered for part in personal):
        problems.append("Avoid common words, the product's name, your name or your email address.")
    if len(set(password)) < 4:
        problems.append("Use a password that does not repeat the same few characters.")
    if not problems:
        problems.extend(_guessability_problems(password, _user_inputs(email, name, organization_words)))
    return problems


def _user_inputs(email: str, name: str, organization_words: Iterable[str]) -> list[str]:
    """Words zxcvbn treats as known to the attacker: whole values and their parts (e-mail local part, domain
    labels, words of names and slugs)."""
    values = [email, name, *organization_words, "planwright"]
    parts = {part for value in values for part in re.split(r"[\s@.\-_]+", value.lower()) if len(part) >= 3}
    return [value.lower() for value in values if value] + sorted(parts)


def _guessability_problems(password: str, user_inputs: list[str]) -> list[str]:
    result = zxcvbn(password[:STRENGTH_CHECKED_CHARACTERS], user_inputs=user_inputs)
    if result["score"] >= MIN_STRENGTH_SCORE:
        return []
    feedback = result.get("feedback") or {}
    # zxcvbn's own hints say what it recognised ("Names and surnames by themselves are easy to guess").
    hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    useful = [h.strip() if h.strip().endswith(".") else h.strip() + "." for h in hints if h.strip()]
    return [" ".join([BETTER_PASSWORD_ADVICE, *useful])]
