"""Text typed into an initiative while the session ran out comes back after signing in again."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from app.portfolio.models import Initiative
from config import TestingConfig
from tests.auth.conftest import hidden_field
from tests.conftest import new_client
from tests.factories import PASSWORD, login
from tests.portfolio.helpers import field_value, fresh, initiative_form, page_text

EXPIRED = timedelta(minutes=TestingConfig.IDLE_TIMEOUT_MINUTES, seconds=1)
TYPED = "Residents wait **eleven weeks** for a permit.\n\n- four counters\n- no status updates"


def test_typed_text_is_put_back_after_signing_in_again_and_saved_only_on_save(app, editor, initiative):
    client = new_client(app)
    url = f"/initiatives/{initiative.id}/edit"
    with freeze_time("2030-06-07 09:00:00") as clock:
        login(client, editor)
        version = field_value(client.get(url).get_data(as_text=True), "version")
        clock.tick(EXPIRED)
        expired = client.post(url, data=initiative_form(code="INI-0001", problem=TYPED, version=version))
    assert expired.status_code == 401
    page = expired.get_data(as_text=True)
    resume = {name: hidden_field(page, name) for name in ("next", "resume_path", "resume_data")}
    signed_in = client.post("/login", data={"email": editor.email, "password": PASSWORD, **resume})
    assert signed_in.headers["Location"] == url
    form_page = client.get(url).get_data(as_text=True)
    assert field_value(form_page, "problem") == TYPED
    assert "Your unsaved changes from before you signed in again have been put back." in page_text(form_page)
    assert fresh(Initiative, initiative.id).problem == ""
    data = initiative_form(code="INI-0001", problem=field_value(form_page, "problem"), version=version)
    assert client.post(url, data=data).status_code == 302
    assert fresh(Initiative, initiative.id).problem == TYPED
    assert "put back" not in page_text(client.get(url).get_data(as_text=True))  # the kept copy is discarded
