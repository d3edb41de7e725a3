"""Pydantic models of what the API reads and returns. The OpenAPI document is generated from them, so the
reference, the validation and the responses cannot drift apart."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from app.objectives.models import Direction, Frequency, PolicySourceType
from app.plans.models import PlanStatus, SectionState
from app.plans.services import MAX_SECTION_CHARS
from app.portfolio.forms import CODE_PATTERN, MAX_TEXT
from app.portfolio.models import Category, InitiativeStatus, InitiativeType


def _no_control_characters(value: str) -> str:
    if any((ord(ch) < 32 and ch not in "\t\r\n") or ord(ch) == 127 for ch in value):
        raise ValueError("Remove the invisible control characters from this text (often pasted by mistake).")
    return value


def _stripped_required(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("Enter some text; this field cannot be blank.")
    return value


# The same rules as patterns in the published schema, so clients can check before sending.
NO_CONTROL_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"
NOT_BLANK_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*[^\s\x00-\x1F\x7F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$"

Text = Annotated[str, AfterValidator(_no_control_characters), Field(json_schema_extra={"pattern": NO_CONTROL_PATTERN})]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def text(max_length: int, **kwargs: object) -> object:
    return Field(max_length=max_length, **kwargs)  # type: ignore[call-overload]


class Output(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True, from_attributes=True)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=True)


# --- responses ---------------------------------------------------------------------------------------------


class OrganizationOut(Output):
    id: int
    slug: str
    name: str
    parent_id: int | None
    classification_label: str
    fiscal_year_start_month: int = Field(description="Month the fiscal year starts in (7 = July).")


class PlanOut(Output):
    id: int
    organization_id: int
    title: str
    status: PlanStatus
    first_fiscal_year: int
    last_fiscal_year: int
    template_key: str | None
    owner: str = Field(description="Name of the plan's owner.")
    created_at: datetime
    updated_at: datetime


class SectionOut(Output):
    id: int
    plan_id: int
    key: str
    title: str
    position: int
    state: SectionState
    ready: bool
    word_count: int
    version: int = Field(description="Rises by one with every saved change of the text; the ETag carries it.")
    updated_at: datetime | None
    updated_by: str | None
    etag: str = Field(description="The value to send in If-Match when updating this section.")


class SectionDetailOut(SectionOut):
    body: str = Field(description="The section's text, in Markdown.")
    guidance: str


class ObjectiveOut(Output):
    id: int
    organization_id: int
    parent_id: int | None
    depth: int = Field(description="1 goal, 2 objective, 3-4 sub-objective.")
    code: str
    title: str
    description: str
    policy_source_type: PolicySourceType
    policy_source: str
    owner: str
    active_from: date | None
    active_to: date | None


class KpiOut(Output):
    id: int
    organization_id: int
    objective_id: int | None
    initiative_id: int | None
    name: str
    description: str
    unit: str
    baseline_value: Decimal
    baseline_date: date
    target_value: Decimal
    target_date: date
    direction: Direction
    frequency: Frequency
    owner: str
    status: str = Field(description="on_track, at_risk, off_track or no_data, derived from the latest measurement.")
    stale: bool = Field(description="No measurement within the KPI's frequency.")
    latest_value: Decimal | None
    latest_measured_on: date | None


class MeasurementOut(Output):
    id: int
    kpi_id: int
    measured_on: date
    value: Decimal
    note: str
    entered_by: str
    created_at: datetime


class ObjectiveLinkOut(Output):
    objective_id: int
    role: str = Field(description="primary or supporting")


class InitiativeOut(Output):
    id: int
    organization_id: int
    code: str
    title: str
    summary: str
    problem: str
    citizen_outcome: str
    category: Category
    initiative_type: InitiativeType
    owner: str
    sponsor: str
    start_date: date | None
    end_date: date | None
    status: InitiativeStatus
    funding_source: str
    version: int
    etag: str = Field(description="The value to send in If-Match when updating this initiative.")
    objectives: list[ObjectiveLinkOut]
    created_at: datetime
    updated_at: datetime


class BoardOut(Output):
    id: int
    name: str
    reviews_plans: bool = Field(description="The board adopts the IT strategic plan.")
    archived: bool


class DecisionOut(Output):
    id: int
    board_id: int
    board: str
    review_id: int
    subject_kind: str = Field(description="initiative or plan")
    initiative_id: int | None
    initiative_code: str | None
    plan_id: int | None
    plan_version: int | None
    outcome: str
    rationale: str
    conditions: str
    weighted_score: Decimal | None = Field(description="Weighted score (1-5) when the decision was recorded.")
    scored_by: int
    decided_by: str
    decided_at: datetime
    supersedes_id: int | None
    superseded_by_id: int | None


class ExportOut(Output):
    id: int
    plan_id: int | None
    version_number: int | None = Field(description="The frozen plan version; null for the current draft.")
    kind: str
    status: str = Field(description="queued, rendering, ready or failed")
    error: str
    filename: str
    pages: int | None
    size_bytes: int | None
    sha256: str | None
    created_at: datetime
    finished_at: datetime | None
    status_url: str
    download_url: str | None = Field(description="Where to GET the PDF once status is ready.")


class Page(Output):
    page: int
    per_page: int
    total: int


class OrganizationPage(Page):
    items: list[OrganizationOut]


class PlanPage(Page):
    items: list[PlanOut]


class SectionPage(Page):
    items: list[SectionOut]


class ObjectivePage(Page):
    items: list[ObjectiveOut]


class KpiPage(Page):
    items: list[KpiOut]


class MeasurementPage(Page):
    items: list[MeasurementOut]


class InitiativePage(Page):
    items: list[InitiativeOut]


class BoardPage(Page):
    items: list[BoardOut]


class DecisionPage(Page):
    items: list[DecisionOut]


class FieldProblem(Output):
    field: str
    message: str


class Problem(Output):
    """An error, as RFC 9457 describes (``application/problem+json``)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = Field(default=None, description="Each invalid field (422 only).")
    correlation_id: str | None = Field(default=None, description="Quote it when reporting a 500.")
    current_etag: str | None = Field(default=None, description="The resource's ETag now (412 only).")


# --- query strings ---------------------------------------------------------------------------------------


class PageQuery(Input):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, use_enum_values=True)

    page: int = Field(default=1, ge=1, le=100_000, description="Page number, from 1.")
    per_page: int = Field(default=25, ge=1, le=100, description="Items per page, at most 100.")


class InitiativeQuery(PageQuery):
    status: InitiativeStatus | None = Field(default=None, description="Only initiatives in this lifecycle status.")
    category: Category | None = Field(default=None, description="Run, change or transform.")
    initiative_type: InitiativeType | None = Field(default=None, alias="type", description="Project, programme…")
    objective_id: Id | None = Field(default=None, description="Only initiatives serving this objective.")


class KpiQuery(PageQuery):
    objective_id: Id | None = Field(default=None, description="Only KPIs on this objective.")
    initiative_id: Id | None = Field(default=None, description="Only KPIs on this initiative.")


# --- request bodies --------------------------------------------------------------------------------------

Required = Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})
SectionTitle = Annotated[Text, Field(min_length=1, max_length=200), AfterValidator(_stripped_required), Required]
SectionBody = Annotated[Text, Field(max_length=MAX_SECTION_CHARS)]


class SectionPatch(Input):
    """Change some of a section's fields; those left out keep their value."""

    title: SectionTitle | None = None
    body: SectionBody | None = Field(default=None, description="The new text, in Markdown.")
    ready: bool | None = Field(default=None, description="Ready for review.")


class SectionPut(Input):
    """Replace a section's title, text and ready flag."""

    title: SectionTitle
    body: SectionBody
    ready: bool = False


Code = Annotated[str, Field(min_length=1, max_length=20, pattern=CODE_PATTERN)]
Markdown = Annotated[Text, Field(max_length=MAX_TEXT)]
Title = Annotated[Text, Field(min_length=1, max_length=200), AfterValidator(_stripped_required), Required]
Name = Annotated[Text, Field(max_length=120)]


class InitiativeCreate(Input):
    """A new initiative; it starts as proposed. Without a code, the next free INI-nnnn is used."""

    code: Code | None = None
    title: Title
    summary: Markdown = ""
    problem: Markdown = ""
    citizen_outcome: Markdown = ""
    category: Category = Category.CHANGE
    initiative_type: InitiativeType = InitiativeType.PROJECT
    owner: Name = ""
    sponsor: Name = ""
    start_date: date | None = None
    end_date: date | None = None
    funding_source: Annotated[Text, Field(max_length=200)] = ""


class InitiativePatch(Input):
    """Change some of an initiative's fields (send its ETag in If-Match). ``status`` moves it along one of the
    transitions an editor may make by hand (board decisions set the others)."""

    code: Code | None = None
    title: Title | None = None
    summary: Markdown | None = None
    problem: Markdown | None = None
    citizen_outcome: Markdown | None = None
    category: Category | None = None
    initiative_type: InitiativeType | None = None
    owner: Name | None = None
    sponsor: Name | None = None
    start_date: date | None = None
    end_date: date | None = None
    funding_source: Annotated[Text, Field(max_length=200)] | None = None
    status: InitiativeStatus | None = None


class MeasurementCreate(Input):
    """The KPI's value on a date: one per date, not before the baseline date, not in the future."""

    measured_on: date
    value: Annotated[
        Decimal,
        Field(max_digits=18, decimal_places=4, allow_inf_nan=False, description="At most 4 decimal places."),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "exclusiveMinimum": -1e14, "exclusiveMaximum": 1e14},
                    {"type": "string", "pattern": r"^-?[0-9]{1,14}(\.[0-9]{1,4})?$"},
                ],
                "description": 'A number, or a string such as "72.5"; at most 4 decimal places.',
            }
        ),
    ]
    note: Annotated[Text, Field(max_length=500)] = ""


class ExportCreate(Input):
    """Ask for a plan PDF: of the current draft (no version) or of a frozen version."""

    version: Id | None = Field(default=None, description="A frozen version number; omit for the current draft.")
    one_pagers: bool = Field(default=False, description="Add one page per initiative.")
