"""Password hashing (argon2id at OWASP's recommended cost) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password, as messages that say what to do. Empty when fine."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters. A short phrase of several words works well.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    personal = [part for part in (email.split("@")[0].lower(), name.lower()) if len(part) >= 4]
    if any(word in lowered for word in _CONTEXT_WORDS) or any(part in lowered for part in personal):
        problems.append("Avoid common words, the product's name, your name or your email address.")
    if len(set(password)) < 4:
        problems.append("Use a password that does not repeat the same few characters.")
    return problems
