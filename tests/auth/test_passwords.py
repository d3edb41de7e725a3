"""R01/R02: how passwords are stored, upgraded and what the policy accepts."""

from __future__ import annotations

import logging
import re

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.models import Role, User
from app.auth.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, password_problems, verify_password
from app.extensions import db
from tests.auth.conftest import is_signed_in, redirect_path, text_of
from tests.factories import PASSWORD, create_org, create_user, login

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


# --- R02: common and breached-pattern passwords (zxcvbn, offline) ------------------------------------------------

BETTER = "Use a longer passphrase of four or more unrelated words"


def common_passwords(count: int = 3000) -> list[str]:
    """The most common leaked passwords, from zxcvbn's own frequency list (read from the installed package at test
    time, never copied into the repository), each repeated up to the 12-character minimum the way people pad them
    ("monkeymonkey"), so the length rule alone cannot be what refuses them."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    stretched: dict[str, None] = {}
    for word in FREQUENCY_LISTS["passwords"]:
        padded = word
        while len(padded) < MIN_LENGTH:
            padded += word
        stretched[padded] = None
        if len(stretched) == count:
            break
    return list(stretched)


def test_three_thousand_common_passwords_are_all_refused():
    candidates = common_passwords()
    assert len(candidates) == len(set(candidates)) == 3000
    accepted = [p for p in candidates if not password_problems(p, email="pat@agency.example", name="Pat Doe")]
    assert accepted == []  # R02: 100% of the list refused


def test_the_long_common_passwords_of_the_list_are_refused_as_they_are():
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    long_ones = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH]
    assert len(long_ones) > 100
    assert [p for p in long_ones if not password_problems(p)] == []


@pytest.mark.parametrize(
    ("new_password", "hint"),
    [
        ("dragondragon", "Repeats like"),
        ("jennifer19841984", "Common names and surnames are easy to guess."),
        ("zxcvbnmasdfgh", "This is similar to a commonly used password."),
        ("basketball2020", "Add another word or two."),
    ],
)
def test_changing_to_a_common_pattern_is_refused_with_advice(client, new_client, editor, new_password, hint):
    login(client, editor)
    response = change_password(client, PASSWORD, new_password)
    assert response.status_code == 422
    text = text_of(response)
    assert BETTER in text and hint in text
    assert new_password not in response.get_data(as_text=True)
    assert login(new_client(), editor, new_password).status_code == 200  # refused: the old password stands


def test_the_organizations_name_counts_as_a_guessable_word(client, new_client):
    office = create_org(slug="riverbend-county", name="Riverbend County IT")
    person = create_user(org=office, role=Role.EDITOR)
    weak_here = "Riverbend-County-2027"
    assert password_problems(weak_here) == []  # strong for zxcvbn alone; weak for an attacker aiming at this office
    login(client, person)
    response = change_password(client, PASSWORD, weak_here)
    assert response.status_code == 422
    assert BETTER in text_of(response)


def test_a_reset_link_refuses_a_common_pattern(client, editor, caplog):
    caplog.set_level(logging.WARNING)
    client.post("/forgot-password", data={"email": editor.email})
    token = re.findall(r"/reset-password\?token=([\w-]+)", caplog.text)[-1]
    response = client.post("/reset-password", data={"token": token, "new_password": "monkeymonkey12"})
    assert response.status_code == 422
    assert BETTER in text_of(response)


def test_an_admin_cannot_give_a_new_person_a_common_password(client, admin):
    login(client, admin)
    response = client.post(
        "/admin/users/new",
        data={"name": "Grace Hopper", "email": "grace@agency.example", "role": "editor", "password": "football1234"},
    )
    assert response.status_code == 422
    assert BETTER in text_of(response)
    assert db.session.scalar(db.select(User).where(User.email == "grace@agency.example")) is None


def test_the_shared_test_password_and_every_demo_password_pass_the_policy():
    from app.demo.seed import all_demo_logins

    assert password_problems(PASSWORD, email="editor1@agency.example", name="Tester 1") == []
    for _role, email, password, who in all_demo_logins():
        assert password_problems(password, email=email, name=who, organization_words=["demo-state"]) == [], email


def test_long_passphrases_in_any_script_pass_and_only_their_start_is_scored():
    assert password_problems(UNICODE_PASSPHRASE) == []
    assert password_problems("granite owl forgets the tuesday ferry " * 6) == []  # 228 characters
    assert password_problems("password" * 20)  # a weak start is still refused
    assert password_problems("x" * (MAX_LENGTH + 1)) == [f"Use at most {MAX_LENGTH} characters."]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=64, max_size=256))
def test_the_policy_never_fails_on_long_unicode_input(password):
    problems = password_problems(password)  # must answer (zxcvbn refuses input over 72 characters by itself)
    assert all(isinstance(p, str) and p for p in problems)
