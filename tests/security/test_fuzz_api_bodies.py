"""API bodies (issue 9), the counterpart of the form-class layer in test_fuzz_forms.py: every request model of the
JSON API reads ``max_examples`` hostile or random JSON objects (200 with the ``ci`` profile). Reading never raises
anything but a validation error, and every refusal names a field and says what to do, which is what the API
answers as a 422 problem. (test_fuzz_forms.py also sends fewer bodies through every unsafe API route.)
"""

from __future__ import annotations

import inspect

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.api import schemas
from app.api.validation import field_errors
from tests.security import figures
from tests.security.test_fuzz_forms import NASTY

pytestmark = pytest.mark.security

MODELS = sorted(
    (
        model
        for _, model in inspect.getmembers(schemas, inspect.isclass)
        if issubclass(model, schemas.Input) and model is not schemas.Input and model.__module__ == schemas.__name__
    ),
    key=lambda model: model.__name__,
)
SCALARS = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=300),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates().map(str),
)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
)


def test_every_request_model_of_the_api_is_found():
    names = {model.__name__ for model in MODELS}
    assert {"SectionPatch", "InitiativeCreate", "InitiativePatch", "MeasurementCreate", "ExportCreate"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_reading_an_api_body_never_raises_and_every_refusal_names_a_field(app: Flask, model, fuzz_settings):
    bodies = st.fixed_dictionaries({}, optional={name: JSON_VALUES for name in [*model.model_fields, "unexpected"]})
    examples = 0

    @settings(fuzz_settings)
    @given(body=bodies)
    def read(body: dict[str, object]) -> None:
        nonlocal examples
        examples += 1
        try:
            model.model_validate(body)
        except ValidationError as exc:
            errors = field_errors(exc)
            assert errors, "refused without saying why"
            assert all(e["field"] and e["message"].strip() for e in errors), errors

    with app.test_request_context(method="POST"):
        read()
    figures.add("fuzz_api_models")
    figures.add("fuzz_api_model_examples", examples)
