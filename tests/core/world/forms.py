"""Plausible form bodies: what a browser would send to each POST endpoint, naming only one tenant's objects."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.objectives.models import Kpi, PolicyObjective
from app.plans.models import PlanSection
from app.portfolio.models import Initiative
from tests.architecture.world import ARCHITECTURE_VERSIONED, architecture_bodies
from tests.core.world.tenant import Tenant
from tests.factories import PASSWORD
from tests.workforce.world import WORKFORCE_VERSIONED, workforce_bodies

FormBody = dict[str, str | list[str] | tuple[io.BytesIO, str]]


# The object whose saved version an edit form sends back, and the route parameter naming it.
VERSIONED = {
    "plans.edit_section": (PlanSection, "section_id"),
    "plans.restore_revision": (PlanSection, "section_id"),
    "objectives.edit_objective": (PolicyObjective, "objective_id"),
    "objectives.edit_kpi": (Kpi, "kpi_id"),
    "portfolio.edit_initiative": (Initiative, "initiative_id"),
    **WORKFORCE_VERSIONED,
    **ARCHITECTURE_VERSIONED,
}


def _version(endpoint: str, ids: dict[str, int]) -> str:
    if endpoint not in VERSIONED:
        return "1"
    model, param = VERSIONED[endpoint]
    version = db.session.scalar(select(model.version).where(model.id == ids[param]))  # type: ignore[attr-defined]
    return str(version or 1)


def _kpi_body(name: str) -> FormBody:
    return {
        "name": name,
        "description": "Injected description",
        "unit": "%",
        "baseline_value": "40",
        "baseline_date": "2025-01-01",
        "target_value": "90",
        "target_date": "2029-06-30",
        "direction": "higher",
        "frequency": "monthly",
        "owner": "Injected owner",
    }


def _upload(name: str, *lines: str) -> tuple[io.BytesIO, str]:
    """A CSV file as the browser uploads it (a fresh stream for every request)."""
    return io.BytesIO("\r\n".join(lines).encode()), name


def form_data(endpoint: str, tenant: Tenant, ids: dict[str, int] | None = None) -> FormBody:
    """What a browser would plausibly send to each POST endpoint (without the CSRF token).

    Posted by ``tenant``'s administrator to the URL built from ``ids`` (default ``tenant.ids()``), each body is
    accepted and changes data, except where tests/core/test_csrf.NO_DATA_CHANGE says why not; so a refused
    request that changes nothing was refused by the check under test, not by the form. Bodies name only
    ``tenant``'s objects (an objective to link, an initiative to depend on, its own organization).
    """
    ids = tenant.ids() if ids is None else ids
    version = _version(endpoint, ids)
    bodies: dict[str, FormBody] = {
        "plans.add_section": {"title": "Injected section", "guidance": "Injected guidance"},
        "stratml.import_plan": {
            "file": _upload(
                "plan.xml",
                '<StrategicPlan xmlns="urn:ISO:std:iso:17469:tech:xsd:stratml_core"><Name>Injected plan</Name>',
                "<StrategicPlanCore><Goal><Name>Injected goal</Name><Description/></Goal></StrategicPlanCore>"
                "</StrategicPlan>",
            ),
        },
        "api_tokens.create_token": {
            "name": "Injected feed",
            "scope": "read",
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        },
        "api_tokens.revoke_token": {},
        "public.manage.publish_plan": {},  # tests/publication publishes adopted plans
        "public.manage.unpublish_plan": {},
        "plans.create_plan": {
            "title": "Injected plan",
            "template": "compact-five-section",
            "first_fiscal_year": "2027",
            "last_fiscal_year": "2030",
        },
        "plans.edit_section": {
            "title": "Overwritten title",
            "body": "Overwritten text",
            "version": version,
            "ready": "y",
            "save": "1",
        },
        "plans.move_section": {"direction": "down"},
        "plans.preview_section": {"body": "**Preview** text"},
        "plans.remove_section": {},
        "plans.restore_section": {},
        "exports.request_plan_pdf": {"version": "draft"},
        "exports.request_board_pack": {},
        "exports.organization_settings": {"classification_label": "INJECTED LABEL"},
        "governance.submit_plan": {"board": str(tenant.adoption["boards"][1].id), "note": "Injected note"},
        "governance.add_section_comment": {
            "section": str(tenant.adoption["version"].sections[0].id),
            "body": "Injected comment",
        },
        "governance.set_comment_resolution": {"resolved": "1"},
        "governance.mark_version_reviewed": {},
        "governance.recuse_from_version": {"reason": "Injected conflict of interest"},
        "governance.change_plan_status": {"action": "archive"},
        "plans.restore_revision": {"version": version},
        "plans.edit_scope": {
            "objectives": [str(tenant.objective.id), str(tenant.spare_objective.id)],
            "initiatives": [str(tenant.initiative.id)],
        },
        "objectives.new_objective": {
            "code": "G9",
            "title": "Injected goal",
            "description": "Injected description",
            "policy_source_type": "statute",
            "policy_source": "Injected Act",
            "owner": "Injected owner",
        },
        "objectives.edit_objective": {
            "code": tenant.objective.code,
            "title": "Overwritten objective",
            "description": "Overwritten description",
            "policy_source_type": "other",
            "version": version,
        },
        "objectives.delete_objective": {},
        "objectives.new_kpi": _kpi_body("Injected KPI"),
        "objectives.edit_kpi": {**_kpi_body("Overwritten KPI"), "version": version},
        "objectives.delete_kpi": {},
        "objectives.add_measurement": {"measured_on": "2025-06-30", "value": "99", "note": "Injected"},
        "portfolio.new_initiative": {
            "code": "INI-0900",
            "title": "Injected initiative",
            "summary": "Injected summary",
            "category": "change",
            "initiative_type": "project",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
        },
        "portfolio.edit_initiative": {
            "code": tenant.initiative.code,
            "title": "Overwritten initiative",
            "summary": "Overwritten summary",
            "category": "run",
            "initiative_type": "project",
            "version": version,
        },
        "portfolio.change_status": {"status": "cancelled"},
        "portfolio.delete_initiative": {},
        "portfolio.add_milestone": {"milestone-title": "Injected milestone", "milestone-due_date": "2028-01-31"},
        "portfolio.edit_milestone": {"milestone-title": "Overwritten milestone", "milestone-due_date": "2028-02-29"},
        "portfolio.remove_milestone": {},
        "portfolio.add_risk": {
            "risk-title": "Injected risk",
            "risk-likelihood": "5",
            "risk-impact": "5",
            "risk-status": "open",
        },
        "portfolio.edit_risk": {
            "risk-title": "Overwritten risk",
            "risk-likelihood": "1",
            "risk-impact": "2",
            "risk-status": "mitigating",
        },
        "portfolio.remove_risk": {},
        "portfolio.add_cost": {"cost-fiscal_year": "2031", "cost-capital": "1000", "cost-operating": "10"},
        "portfolio.edit_cost": {"cost-fiscal_year": "2027", "cost-capital": "999", "cost-operating": "0"},
        "portfolio.remove_cost": {},
        "portfolio.add_dependency": {"dependency-depends_on": tenant.spare_initiative.code},
        "portfolio.remove_dependency": {},
        "portfolio.link_objective": {
            "link-objective": str(tenant.spare_objective.id),
            "link-role": "supporting",
            "link-rationale": "Injected rationale",
        },
        "portfolio.unlink_objective": {},
        "portfolio.import_initiatives": {
            "file": _upload("initiatives.csv", "Code,Title,Category", "INI-0950,Imported initiative,change"),
        },
        "objectives.import_measurements": {
            "file": _upload("measurements.csv", "KPI id,Date,Value,Note", f"{tenant.kpi.id},2025-09-30,50,Imported"),
        },
        **_governance_bodies(tenant),
        "auth.edit_user": {"role": "admin", "active": "y"},
        "auth.create_user": {
            "name": "Injected Person",
            "email": "new.colleague@agency.example",  # the password must not contain it
            "role": "admin",
            "password": "Injected-Long-Passphrase-7",
        },
        "auth.change_password": {"current_password": PASSWORD, "new_password": "Another-Long-Passphrase-8"},
        "auth.switch_organization": {"organization_id": str(tenant.org.id)},
        "auth.login": {"email": "nobody@agency.example", "password": PASSWORD},
        "auth.mfa_challenge": {"code": "123456"},
        "auth.sso_second_factor": {"code": "123456"},
        "auth.mfa_enrol": {"code": "123456"},
        "auth.mfa_regenerate_codes": {},
        "auth.mfa_disable": {},
        "auth.admin_reset_mfa": {},
        "auth.remove_user": {},
        "auth.reauth": {"password": PASSWORD},
        "auth.forgot_password": {"email": tenant.users[Role.VIEWER].email},
        "auth.reset_password": {"token": "made-up-reset-token", "new_password": "Another-Long-Passphrase-8"},
        "auth.sso_start": {"sso_email": "someone@agency.example"},
        "auth.sign_in_settings": {"mfa_policy": "admins_and_board", "group_claim": "groups", "break_glass_user_id": ""},
        "auth.logout": {},
        "auth.keepalive": {},
        "notifications.retry_mail": {"mail_id": "1"},  # an undelivered e-mail (the tenants have none)
        **workforce_bodies(tenant.workforce, version),
        **architecture_bodies(tenant.architecture, version),
    }
    assert endpoint in bodies, (
        f"no form body for POST {endpoint}: add a plausible one to form_data in tests/core/world/forms.py"
    )
    return dict(bodies[endpoint])


def _governance_bodies(tenant: Tenant) -> dict[str, FormBody]:
    gov = tenant.governance
    assert gov is not None
    levels = {f"criteria-0-level_{n}": f"Injected level {n}" for n in range(1, 6)}
    case = ("problem", "options_considered", "recommended_option", "benefits", "alignment_rationale")
    return {
        "governance.new_board": {"name": "Injected board", "quorum_kind": "percent", "quorum_value": "50"},
        "governance.edit_board": {"name": "Overwritten board", "quorum_kind": "count", "quorum_value": "2"},
        "governance.archive_board": {},
        "governance.add_member": {"user": str(tenant.users[Role.VIEWER].id), "board_role": "member"},
        "governance.change_member_role": {"board_role": "secretary"},
        "governance.remove_member": {},
        "governance.edit_rubric": {
            "criteria-0-name": "Injected criterion",
            "criteria-0-weight": "100",
            **levels,
            "note": "Injected version",
        },
        "governance.edit_business_case": {name: f"Overwritten {name}" for name in case},
        "governance.submit_initiative": {"board": str(gov.board.id)},
        "governance.withdraw_review": {},
        "governance.save_scores": {"action": "submit", **{f"score-{c.id}": "4" for c in gov.review.rubric.criteria}},
        "governance.recuse": {"reason": "Injected conflict of interest"},
        "governance.new_meeting": {"title": "Injected meeting", "day": "2027-05-04", "start_time": "10:00"},
        "governance.edit_meeting": {"title": "Overwritten meeting", "day": "2027-05-05", "start_time": "11:30"},
        "governance.set_meeting_status": {"status": "held"},
        "governance.add_agenda_item": {"review": str(gov.candidate_review.id)},
        "governance.move_agenda_item": {"direction": "down"},
        "governance.remove_agenda_item": {},
        "governance.record_decision": {"outcome": "approve", "rationale": "Injected rationale"},
        "governance.correct_decision": {"outcome": "defer", "rationale": "Injected correction"},
        "governance.set_envelope": {"fiscal_year": "2027", "amount": "1000000", "seen": ""},
        "governance.read_notification": {},
        "governance.read_all_notifications": {},
    }
