"""The load mix of ``python -m bench.load``: people of the scale data set's offices using Planwright at once.

Run by bench/load.py (``locust -f bench/locustfile.py --headless ...``) against gunicorn on loopback. Each
simulated person signs in once (on_start, with the form's CSRF token) as one of the board members of one
office of ``flask seed scale`` (``member01@scale-1.example``, ...: editors who sit on the office's board), then
repeats, with a pause of LOAD_WAIT_MIN to LOAD_WAIT_MAX seconds between tasks, a task drawn by weight:

    browse      40  the plans list, then the plan's page
    portfolio   25  the initiatives list: plain, searched and filtered, sorted by cost, or a later page
    initiative  10  one initiative's page (ids picked up from the lists)
    edit        10  a section's editor, then saving it (CSRF token and version read from the form)
    score       10  a review's page, then saving draft scores for every criterion
    export       5  asking for the PDF of the plan's version 1 (rendered once in the server's process pool,
                    then reused: the answer must be a redirect, never a 5xx)
    edit_export  0  editing a section, then asking for the draft's PDF (a new render every time); on only in
                    the "edit then export" mix (bench/load.py ``run_edit_export``)

Request names starting with ``[setup]`` are the sign-in and the look-ups of ids; the figures start from zero
once everyone has signed in, and bench/load.py leaves ``[setup]`` out. GET requests are pages, POST requests
are actions. Settings (environment): LOAD_ORGS, LOAD_MEMBERS, LOAD_PASSWORD, LOAD_WAIT_MIN, LOAD_WAIT_MAX,
LOAD_WEIGHTS (e.g. ``browse=40,export=0``), LOAD_IN_TURN=1 (every task in turn: the smoke test) and
LOAD_MEASURE_SECONDS (set by bench/load.py).
"""

from __future__ import annotations

import html
import itertools
import os
import random
import re
from collections import defaultdict
from typing import Any

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from locust import HttpUser, between, task
from locust.exception import StopUser

ORGS = int(os.environ.get("LOAD_ORGS", "2"))
MEMBERS = int(os.environ.get("LOAD_MEMBERS", "12"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "Scale-Benchmark-2027")
MEASURE_SECONDS = float(os.environ.get("LOAD_MEASURE_SECONDS", "0"))  # 0: Locust's --run-time alone decides
PLAN_TITLE = "Scale plan"
DEFAULT_WEIGHTS = {
    "browse": 40,
    "portfolio": 25,
    "initiative": 10,
    "edit": 10,
    "score": 10,
    "export": 5,
    "edit_export": 0,  # the "edit then export" mix of bench/load.py switches it on
}
PORTFOLIO_QUERIES = (
    ("portfolio list", ""),
    ("portfolio list (search + status)", "?q=platform&status=in_progress"),
    ("portfolio list (category)", "?category=transform"),
    ("portfolio list (sorted by cost)", "?sort=cost&order=desc"),
    ("portfolio list (page 3)", "?page=3"),
)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
_TITLE = re.compile(r'name="title"[^>]*value="([^"]*)"')
_BODY = re.compile(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', re.S)
_SCORE = re.compile(r'name="score-(\d+)"')
_NOTE = re.compile(r"\n*Checked under load: \d+\s*$")
_counter = itertools.count()
_edits = itertools.count(1)
_arrived = itertools.count(1)
_everyone_signed_in = Event()
_setup_failures: list[str] = []  # reported again after the figures are reset, so none is lost


def weights() -> dict[str, int]:
    """DEFAULT_WEIGHTS, or LOAD_WEIGHTS (``name=weight,...``) for the names it gives."""
    chosen = dict(DEFAULT_WEIGHTS)
    for part in filter(None, os.environ.get("LOAD_WEIGHTS", "").split(",")):
        name, _, value = part.partition("=")
        if name.strip() not in chosen:
            raise ValueError(f"LOAD_WEIGHTS: unknown task {name!r}; use {', '.join(chosen)}")
        chosen[name.strip()] = int(value)
    return chosen


class _Office:
    """What the people of one office share: ids read once, and one lock per section so two simulated
    people never edit the same section at once (a real conflict page would be right, but it is not load)."""

    def __init__(self) -> None:
        self.lock = Semaphore()
        self.ready = False
        self.plan = 0
        self.sections: list[int] = []
        self.reviews: list[int] = []
        self.initiatives: set[int] = set()
        self.section_locks: dict[int, Semaphore] = defaultdict(Semaphore)
        self.portfolio_queries = itertools.cycle(PORTFOLIO_QUERIES)  # each list view in turn, evenly


_offices: dict[int, _Office] = defaultdict(_Office)
WEIGHTS = weights()


class StaffMember(HttpUser):
    wait_time = between(float(os.environ.get("LOAD_WAIT_MIN", "0.5")), float(os.environ.get("LOAD_WAIT_MAX", "1.5")))

    def on_start(self) -> None:
        number = next(_counter)
        self.org = number % ORGS + 1
        self.slot = number // ORGS  # this person's place in the office: picks the account, section and review
        self.office = _offices[self.org]
        member = self.slot % MEMBERS + 1
        try:
            self._sign_in(f"member{member:02d}@scale-{self.org}.example")
            self.csrf = _token(self.client.get("/", name="[setup] home").text)  # signing in starts a new session
            with self.office.lock:
                if not self.office.ready:
                    self._look_up_ids()
        except RuntimeError as exc:  # counted as an error of the run, then this person stops
            _setup_failures.append(str(exc))
            raise StopUser() from exc
        finally:
            self._arrive()
        _everyone_signed_in.wait()

    def _arrive(self) -> None:
        """When the last person has signed in, the figures start from zero (sign-in bursts are not load) and,
        with LOAD_MEASURE_SECONDS, the run ends that many seconds later."""
        runner = self.environment.runner
        assert runner is not None
        if next(_arrived) >= runner.target_user_count and not _everyone_signed_in.is_set():
            runner.stats.reset_all()
            for message in _setup_failures:
                self._failed("setup failed", message)
            _everyone_signed_in.set()
            if MEASURE_SECONDS > 0:
                gevent.spawn_later(MEASURE_SECONDS, runner.quit)

    # --- setup -----------------------------------------------------------------------------------

    def _sign_in(self, email: str) -> None:
        page = self.client.get("/login", name="[setup] sign-in page")
        with self.client.post(
            "/login",
            data={"csrf_token": _token(page.text), "email": email, "password": PASSWORD, "next": ""},
            name="[setup] sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (302, 303):
                response.failure(f"{email} could not sign in (status {response.status_code})")
                raise RuntimeError(f"{email} could not sign in")

    def _look_up_ids(self) -> None:
        office = self.office
        plans = self.client.get("/plans", name="[setup] plans").text
        found = re.search(r'href="/plans/(\d+)"[^>]*>\s*' + re.escape(PLAN_TITLE) + r"\s*<", plans)
        if found is None:
            raise RuntimeError(f"No plan called {PLAN_TITLE!r} on /plans: run flask seed scale first")
        office.plan = int(found.group(1))
        plan_page = self.client.get(f"/plans/{office.plan}", name="[setup] plan").text
        office.sections = sorted({int(s) for s in re.findall(rf"/plans/{office.plan}/sections/(\d+)", plan_page)})
        work = self.client.get("/boards/my-work", name="[setup] my board work").text
        # initiative reviews (scored); the plan's own review (read and commented, not scored) is left out
        office.reviews = sorted({int(r) for r in re.findall(r'href="/reviews/(\d+)[^"]*">INI-', work)})
        office.initiatives |= _initiative_ids(self.client.get("/initiatives", name="[setup] initiatives").text)
        if not (office.sections and office.reviews and office.initiatives):
            raise RuntimeError("The scale data set has no sections, open reviews or initiatives to use")
        office.ready = True

    # --- the mix ---------------------------------------------------------------------------------

    @task(WEIGHTS["browse"])
    def browse(self) -> None:
        self._page("/plans", "plans list")
        self._page(f"/plans/{self.office.plan}", "plan page")

    @task(WEIGHTS["portfolio"])
    def portfolio(self) -> None:
        name, query = next(self.office.portfolio_queries)
        text = self._page(f"/initiatives{query}", name)
        self.office.initiatives |= _initiative_ids(text)

    @task(WEIGHTS["initiative"])
    def initiative(self) -> None:
        initiative = random.choice(sorted(self.office.initiatives))
        self._page(f"/initiatives/{initiative}", "initiative page")

    @task(WEIGHTS["edit"])
    def edit(self) -> None:
        sections = self.office.sections
        section = sections[self.slot % len(sections)]
        url = f"/plans/{self.office.plan}/sections/{section}/edit"
        with self.office.section_locks[section]:
            form = self._page(url, "section editor")
            version, title, body = _VERSION.search(form), _TITLE.search(form), _BODY.search(form)
            if not (version and title and body):
                return
            text = _NOTE.sub("", html.unescape(body.group(1)).lstrip("\n"))
            self._action(
                url,
                "save section",
                {
                    "csrf_token": self.csrf,
                    "title": html.unescape(title.group(1)),
                    "body": f"{text}\n\nChecked under load: {next(_edits)}",
                    "version": version.group(1),
                    "ready": "y",
                },
            )

    @task(WEIGHTS["score"])
    def score(self) -> None:
        reviews = self.office.reviews
        review = reviews[(self.slot + random.randrange(3)) % len(reviews)]
        page = self._page(f"/reviews/{review}", "review page")
        criteria = sorted(set(_SCORE.findall(page)))
        if not criteria:
            self._failed("review page", f"/reviews/{review} has no score fields for this member")
            return
        data = {"csrf_token": self.csrf, "action": "draft"}
        for criterion in criteria:
            data[f"score-{criterion}"] = str(random.randint(1, 5))
            data[f"comment-{criterion}"] = ""
        self._action(f"/reviews/{review}/scores", "save draft scores", data)

    @task(WEIGHTS["edit_export"])
    def edit_export(self) -> None:
        """Edit a section of the plan, then ask for the draft's PDF: the content changed, so it is rendered."""
        self.edit()
        plan = self.office.plan
        data = {"csrf_token": self.csrf, "version": "draft"}
        self._action(f"/plans/{plan}/exports", "export request (edited draft)", data)

    @task(WEIGHTS["export"])
    def export(self) -> None:
        plan = self.office.plan
        self._action(f"/plans/{plan}/exports", "export request", {"csrf_token": self.csrf, "version": "1"})

    def in_turn(self) -> None:
        """LOAD_IN_TURN=1 (the smoke test): every task in turn instead of drawn by weight; each person starts two
        tasks further on than the one before, so three people cover the six tasks within their first two."""
        if not hasattr(self, "turns"):
            names = [name for name, weight in DEFAULT_WEIGHTS.items() if weight]
            start = 2 * (self.org - 1 + self.slot * ORGS) % len(names)
            self.turns = itertools.cycle(names[start:] + names[:start])
        getattr(self, next(self.turns))()

    # --- requests --------------------------------------------------------------------------------

    def _page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            text = str(response.text)
        self.csrf = _token(text) or self.csrf  # the session's token, as a browser has it on every page
        return text

    def _action(self, url: str, name: str, data: dict[str, Any]) -> None:
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code not in (202, 302, 303):
                response.failure(f"status {response.status_code}: {_flash(response.text)}")

    def _failed(self, name: str, message: str) -> None:
        self.environment.events.request.fire(
            request_type="GET", name=name, response_time=0, response_length=0, exception=RuntimeError(message)
        )


def _token(page: str) -> str:
    found = _CSRF.search(page)
    return found.group(1) if found else ""


def _initiative_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/initiatives/(\d+)"', page)}


def _flash(page: str) -> str:
    """The first error message of a refused form, for the failure report."""
    found = re.search(r'class="usa-alert__text"[^>]*>(.*?)<', page or "", re.S)
    return html.unescape(found.group(1)).strip()[:200] if found else ""


if os.environ.get("LOAD_IN_TURN") == "1":
    StaffMember.tasks = [StaffMember.in_turn]
