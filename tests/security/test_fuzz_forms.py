"""Form and API-body fuzzing (issue 9): hostile and random input never causes a server error, and input the app
refuses never writes anything.

Two layers, because 200 examples × ~110 POST routes through full requests (each with a database snapshot) would
take most of an hour on two cores:

* every WTForms class in ``app`` (found by walking the ``*forms*`` modules, so new forms are included) validates
  ``max_examples`` bodies of the ``ci`` profile (200) directly: ``validate()`` never raises and every refusal
  carries a message;
* every POST route, and every unsafe API route, is sent a smaller number of bodies through the real view, signed
  in as the organization's administrator (who may use nearly every route): no answer is a 5xx, and an answer of
  4xx leaves every table except the audit trail unchanged.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.routing import Rule
from wtforms import Field, FieldList, FormField, SelectFieldBase
from wtforms.form import BaseForm

import app as app_package
from app.auth.models import Role
from app.extensions import db
from tests.core.test_csrf import csrf_tenant, ids_for
from tests.core.world import FormBody, build_url, changed_tables, form_data, new_client, signed_in
from tests.security import figures
from tests.security.access import UNSAFE_METHODS, all_routes, classify
from tests.security.conftest import fuzz_profile
from tests.security.test_route_matrix import api_token, business_digest, read_and_close, request_order

pytestmark = pytest.mark.security

# Examples per route through the view (each is a full request plus a snapshot of every table).
ROUTE_EXAMPLES = {"ci": 20, "dev": 3}
NASTY = [
    "",
    " ",
    "0",
    "-1",
    "-0.0",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "2027-02-30",
    "0000-00-00",
    "9999-12-31",
    "\x00",
    "a\x00b",
    "\r\n",
    "=1+1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../../etc/passwd",
    "x" * 5000,
    "\u202e\u200b",
    "😀",
    "%s%n{0}",
    "{{ 7 * 7 }}",
]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def form_classes() -> list[type[FlaskForm]]:
    found: dict[str, type[FlaskForm]] = {}
    for module_info in pkgutil.walk_packages(app_package.__path__, "app."):
        if "forms" not in module_info.name.split("."):
            continue
        module = importlib.import_module(module_info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, FlaskForm) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


def leaf_fields(fields) -> Iterator[Field]:  # type: ignore[no-untyped-def]
    for field in fields:
        if isinstance(field, FieldList | FormField):
            yield from leaf_fields(field)
        else:
            yield field


def give_choices(form: BaseForm) -> None:
    """Select fields whose choices the view fills in (from the database) get none, as for an empty organization."""
    for field in leaf_fields(form):
        if isinstance(field, SelectFieldBase) and getattr(field, "choices", ()) is None:
            field.choices = []  # type: ignore[attr-defined]


def messages(errors) -> Iterator[object]:  # type: ignore[no-untyped-def]
    items = errors.values() if isinstance(errors, dict) else errors
    for item in items:
        if isinstance(item, dict | list | tuple):
            yield from messages(item)
        else:
            yield item


def formdata_for(names: list[str], file_names: set[str], values: dict[str, str], payload: bytes) -> MultiDict:
    data: MultiDict = MultiDict()
    for name, value in values.items():
        if name in file_names:
            data.add(name, FileStorage(stream=io.BytesIO(payload), filename=value[:50] or "upload.csv"))
        else:
            data.add(name, value)
    return data


# Written on purpose when input is refused: a wrong password is counted towards the sign-in throttle (R03).
REFUSAL_BOOKKEEPING = frozenset({"login_attempt"})


def stored_data() -> dict[str, str]:
    return {name: value for name, value in business_digest().items() if name not in REFUSAL_BOOKKEEPING}


def fresh_uploads(body: FormBody) -> FormBody:
    """The body with a new stream for each uploaded file (a stream is read once per request)."""
    return {k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for k, v in body.items()}


FORMS = form_classes()


def test_every_form_class_of_the_app_is_found():
    names = {form.__name__ for form in FORMS}
    assert {"SectionForm", "InitiativeForm", "KpiForm", "ScoreForm", "NewUserForm", "ImportForm"} <= names
    assert len(FORMS) >= 50


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f"{f.__module__.removeprefix('app.')}.{f.__name__}")
def test_form_validation_never_raises_and_every_refusal_says_why(app: Flask, form_class, fuzz_settings):
    with app.test_request_context(method="POST"):
        blank = form_class(formdata=MultiDict(), meta={"csrf": False})
        leaves = list(leaf_fields(blank))
        names = [f.name for f in leaves]
        files = {f.name for f in leaves if f.type in ("FileField", "MultipleFileField")}
    bodies = st.fixed_dictionaries({}, optional={name: VALUES for name in [*names, "unexpected_field"]})
    examples = 0

    @settings(fuzz_settings)
    @given(values=bodies, payload=st.binary(max_size=2000))
    def validate(values: dict[str, str], payload: bytes) -> None:
        nonlocal examples
        examples += 1
        form = form_class(formdata=formdata_for(names, files, values, payload), meta={"csrf": False})
        give_choices(form)
        valid = form.validate()
        problems = [m for m in messages(form.errors) if not (isinstance(m, str) and m.strip())]
        assert valid or form.errors, "refused without saying why"
        assert not problems, f"refusal messages that say nothing: {problems!r}"

    with app.test_request_context(method="POST"):  # one request context: forms read only what they are given
        validate()
    figures.add("fuzz_form_classes")
    figures.add("fuzz_form_examples", examples)


def fuzzed_post_routes(app: Flask) -> list[Rule]:
    """Session POST routes, account routes last (a fuzzed sign-in setting could require a second factor)."""
    routes = sorted(all_routes(app), key=request_order)
    rules = [r for m, r in routes if m == "POST" and not r.endpoint.startswith("api.") and classify(r, m)]
    return sorted(rules, key=lambda r: (r.endpoint == "auth.logout", r.endpoint.startswith("auth.")))


def fuzz_requests(send: Callable[[Any], Any], bodies: st.SearchStrategy, where: str, profile: str) -> list[str]:  # type: ignore[type-arg]
    """Send ``ROUTE_EXAMPLES[profile]`` bodies drawn from ``bodies``; the problems seen (5xx, writes when refused)."""
    problems: list[str] = []

    @settings(settings.get_profile(profile), max_examples=ROUTE_EXAMPLES[profile])
    @given(body=bodies)
    def run(body: Any) -> None:
        figures.add("fuzz_route_examples" if where.startswith("POST") else "fuzz_api_examples")
        before = stored_data()
        response = read_and_close(send(body))
        db.session.expire_all()
        if response.status_code >= 500:
            figures.add("fuzz_server_errors")
            problems.append(f"{where} {body!r}: {response.status_code}")
        elif response.status_code >= 400 and (changed := changed_tables(before, stored_data())):
            figures.add("fuzz_invalid_writes")
            problems.append(f"{where} {body!r}: refused with {response.status_code} but wrote {changed}")

    run()
    return problems


def post_form(client: FlaskClient, url: str, plausible: FormBody, changes: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, data={**fresh_uploads(plausible), **changes})


def send_json(client: FlaskClient, method: str, url: str, headers: dict[str, str], body: object):  # type: ignore[no-untyped-def]
    return client.open(url, method=method, json=body, headers=headers)


def test_hostile_form_bodies_through_every_post_route_cause_no_server_error_and_no_write_when_refused(app):
    profile = fuzz_profile()
    figures.note("fuzz_profile", profile)
    tenant = csrf_tenant()
    client = signed_in(app, tenant.users[Role.ADMIN])
    # URLs and bodies are made before any request: the fuzzed requests delete objects that later ones name.
    targets = []
    for rule in fuzzed_post_routes(app):
        ids = ids_for(tenant, rule.endpoint)
        targets.append((rule, build_url(app, rule, ids), form_data(rule.endpoint, tenant, ids)))
    problems: list[str] = []
    for rule, url, plausible in targets:
        keys = [k for k, v in plausible.items() if not isinstance(v, tuple)] + ["unexpected_field"]
        changes = st.fixed_dictionaries({}, optional=dict.fromkeys(keys, VALUES))
        send = partial(post_form, client, url, plausible)
        problems += fuzz_requests(send, changes, f"POST {url} ({rule.endpoint})", profile)
        figures.add("fuzz_routes")
    assert not problems, "\n".join(problems)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | VALUES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)
API_KEYS = ["title", "body", "name", "code", "summary", "status", "category", "value", "measured_on", "note", "version"]


def test_hostile_json_bodies_to_every_unsafe_api_route_cause_no_server_error_and_no_write_when_refused(app):
    rules = [(m, r) for m, r in all_routes(app) if r.endpoint.startswith("api.") and m in UNSAFE_METHODS]
    if not rules:
        pytest.skip("the app has no unsafe API routes yet")
    profile = fuzz_profile()
    tenant = csrf_tenant()
    headers = {"Authorization": f"Bearer {api_token(tenant.users[Role.ADMIN], tenant.org)}"}
    client = new_client(app)
    keys = st.sampled_from(API_KEYS) | st.text(max_size=12)
    bodies = st.dictionaries(keys, JSON_VALUES, max_size=8) | JSON_VALUES
    problems: list[str] = []
    for method, rule in rules:
        url = build_url(app, rule, tenant.ids())
        send = partial(send_json, client, method, url, headers)
        problems += fuzz_requests(send, bodies, f"{method} {url} ({rule.endpoint})", profile)
        figures.add("fuzz_api_routes")
    assert not problems, "\n".join(problems)
