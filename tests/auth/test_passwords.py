"""R01/R02: how passwords are stored, upgraded and what the policy accepts."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.models import User
from app.auth.passwords import hash_password, verify_password
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.factories import PASSWORD, login

ARGON2_HASH = re.compile(r"^\$argon2(?P<variant>id|i|d)\$v=(?P<v>\d+)\$m=(?P<m>\d+),t=(?P<t>\d+),p=(?P<p>\d+)\$")

# 128 characters from several scripts, with spaces and an astral-plane emoji.
UNICODE_PASSPHRASE = ("Ünïcødé ключ 密码 λόγος 🔐 ") * 6
UNICODE_PASSPHRASE = (UNICODE_PASSPHRASE + "ß" * 128)[:128]


def argon2_parameters(stored_hash: str) -> dict[str, str]:
    match = ARGON2_HASH.match(stored_hash)
    assert match, f"not an argon2 hash: {stored_hash[:30]}..."
    return match.groupdict()


def reload(user: User) -> User:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh is not None
    return fresh


def test_new_user_password_is_stored_as_argon2id_at_owasp_cost(editor):
    assert argon2_parameters(reload(editor).password_hash) == {
        "variant": "id",
        "v": "19",
        "m": "19456",
        "t": "2",
        "p": "1",
    }


def test_stored_hash_never_contains_the_password(editor):
    assert PASSWORD not in reload(editor).password_hash


def test_signing_in_upgrades_a_weaker_stored_hash(client, editor):
    editor.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.session.commit()
    assert argon2_parameters(reload(editor).password_hash)["m"] == "8192"

    assert redirect_path(login(client, editor)) == "/plans"

    upgraded = argon2_parameters(reload(editor).password_hash)
    assert (upgraded["variant"], upgraded["m"], upgraded["t"], upgraded["p"]) == ("id", "19456", "2", "1")


def test_upgraded_hash_still_accepts_the_same_password(new_client, editor):
    editor.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    db.session.commit()
    assert redirect_path(login(new_client(), editor)) == "/plans"
    assert redirect_path(login(new_client(), editor)) == "/plans"


def change_password(client, current: str, new: str):  # type: ignore[no-untyped-def]
    return client.post("/account/password", data={"current_password": current, "new_password": new})


@pytest.mark.parametrize(
    ("new_password", "advice"),
    [
        ("Sh0rt-pw", "Use at least 12 characters"),
        ("my-planwright-account-2027", "Avoid common words, the product's name"),
        ("Password-for-the-Budget-Office", "Avoid common words"),
    ],
)
def test_password_policy_refuses_weak_passwords_and_says_what_to_do(client, new_client, editor, new_password, advice):
    login(client, editor)
    response = change_password(client, PASSWORD, new_password)
    assert response.status_code == 422
    assert advice in text_of(response)
    assert login(new_client(), editor, new_password).status_code == 200  # refused: the old password stands
    assert redirect_path(login(new_client(), editor, PASSWORD)) == "/plans"


def test_password_policy_refuses_the_users_own_email_name(client, editor):
    login(client, editor)
    local_part = editor.email.split("@")[0]
    response = change_password(client, PASSWORD, f"Harbour-{local_part}-lantern-91")
    assert response.status_code == 422
    assert "your name or your email address" in text_of(response)


def test_128_character_unicode_passphrase_round_trips(new_client, client, editor):
    assert len(UNICODE_PASSPHRASE) == 128
    login(client, editor)
    assert redirect_path(change_password(client, PASSWORD, UNICODE_PASSPHRASE)) == "/plans"

    fresh = new_client()
    assert login(fresh, editor, PASSWORD).status_code == 200
    assert not is_signed_in(fresh)
    assert redirect_path(login(fresh, editor, UNICODE_PASSPHRASE)) == "/plans"
    assert is_signed_in(fresh)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=64, max_size=128))
def test_long_unicode_passwords_verify_after_hashing(password):
    ok, rehash = verify_password(hash_password(password), password)
    assert ok and rehash is None
    assert not verify_password(hash_password(password), password + "x")[0]
