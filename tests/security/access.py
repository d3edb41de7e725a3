"""Who may use each route: the declared table the route matrix checks every route of ``app.url_map`` against.

Each entry is "METHOD endpoint" → the roles that may use it in their own organization (and whether it needs no
sign-in at all). A route missing from the table fails tests/security/test_route_matrix.py, naming it: decide who
may use it and add it here. Roles are those of the tenants in tests/core/world/, where the reviewer sits on the
tenant's board and the administrator chairs it, so "board" routes name those two.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule

from app.auth.models import Role

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
METHODS = ("GET", *UNSAFE_METHODS)


@dataclass(frozen=True)
class Access:
    roles: frozenset[Role]  # roles that may use the route in their own organization
    anonymous: bool = False  # needs no sign-in (the page authenticates itself or shows nothing private)
    token: bool = False  # authenticates with an API token (blueprint "api"), never with the session cookie
    published_only: bool = False  # shows only published plans: the test tenants publish none, so 404 is right


A, E, R, V = Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.VIEWER
ANY = Access(frozenset(Role))
WRITERS = Access(frozenset({A, E}))
ADMINS = Access(frozenset({A}))
BOARD = Access(frozenset({A, R}))  # members of the tenant's board: the chair (admin) and a member (reviewer)
COMMENTERS = Access(frozenset({A, E, R}))  # plan-version comments: writers and board members, not viewers
PUBLIC = Access(frozenset(Role), anonymous=True)
PUBLISHED = Access(frozenset(Role), anonymous=True, published_only=True)
API_READ = Access(frozenset(Role), token=True)
API_WRITE = Access(frozenset({A, E}), token=True)


def _table(access: Access, *keys: str) -> dict[str, Access]:
    return dict.fromkeys(keys, access)


ROUTES: dict[str, Access] = {
    **_table(
        PUBLIC,
        "GET static",
        "GET auth.login",
        "POST auth.login",
        "GET auth.forgot_password",
        "POST auth.forgot_password",
        "GET auth.reset_password",
        "POST auth.reset_password",
        "GET auth.mfa_challenge",  # only a browser that passed the password step gets a code form
        "POST auth.mfa_challenge",
        "POST auth.sso_start",
        "GET auth.sso_callback",
        "GET auth.sso_second_factor",  # only a browser that passed single sign-on, for an account with a code
        "POST auth.sso_second_factor",
        "GET core.accessibility",
        "GET core.healthz",
        "GET core.readyz",
    ),
    **_table(
        ANY,
        # reading the organization's plan, objectives, portfolio, boards and decisions
        "GET core.index",
        "GET plans.list_plans",
        "GET plans.show_plan",
        "GET plans.show_section",
        "GET plans.section_history",
        "GET plans.compare_revisions",
        "GET plans.balance",
        "GET plans.gaps",
        "GET plans.traceability",
        "POST plans.preview_section",  # renders the Markdown it is sent, stores nothing
        "GET objectives.list_objectives",
        "GET objectives.show_objective",
        "GET objectives.show_kpi",
        "GET objectives.export_objectives",
        "GET objectives.export_kpis",
        "GET objectives.measurements_template",
        "GET portfolio.list_initiatives",
        "GET portfolio.show_initiative",
        "GET portfolio.export_initiatives",
        "GET portfolio.import_template",
        "GET architecture.list_principles",
        "GET architecture.list_services",
        "GET architecture.list_standards",
        "GET architecture.show_service",
        "GET architecture.export_services",
        "GET architecture.services_template",
        "GET workforce.show_workforce",
        "GET workforce.show_capacity",
        "GET workforce.show_role",
        "GET workforce.list_actions",
        "GET workforce.list_skills",
        "GET workforce.export_roles",
        "GET workforce.roles_template",
        "GET workforce.initiative_needs",
        "GET governance.list_boards",
        "GET governance.show_board",
        "GET governance.show_rubric",
        "GET governance.rubric_history",
        "GET governance.show_ranking",
        "GET governance.show_review",
        "GET governance.show_meeting",
        "GET governance.list_decisions",
        "GET governance.show_decision",
        "GET governance.export_decisions",
        "GET governance.my_board_work",
        "GET governance.inbox",
        "POST governance.read_all_notifications",  # one's own notices
        "GET governance.plan_versions",
        "GET governance.show_plan_version",
        "GET governance.compare_plan_versions",
        "GET exports.plan_exports",
        "GET exports.show_export",
        "GET exports.export_status",
        "GET exports.download_export",
        "POST exports.request_plan_pdf",  # executives download the plan's PDF
        # one's own account and session
        "GET auth.account_security",
        "GET auth.change_password",
        "POST auth.change_password",
        "GET auth.mfa_enrol",
        "POST auth.mfa_enrol",
        "POST auth.mfa_disable",
        "POST auth.mfa_regenerate_codes",
        "GET auth.reauth",
        "POST auth.reauth",
        "POST auth.switch_organization",  # only to an organization the user belongs to
        "POST auth.keepalive",
        "POST auth.logout",
    ),
    **_table(
        WRITERS,
        "GET plans.create_plan",
        "POST plans.create_plan",
        "POST plans.add_section",
        "GET plans.edit_section",
        "POST plans.edit_section",
        "POST plans.move_section",
        "POST plans.remove_section",
        "POST plans.restore_section",
        "POST plans.restore_revision",
        "GET plans.edit_scope",
        "POST plans.edit_scope",
        "GET objectives.new_objective",
        "POST objectives.new_objective",
        "GET objectives.edit_objective",
        "POST objectives.edit_objective",
        "POST objectives.delete_objective",
        "GET objectives.new_kpi",
        "POST objectives.new_kpi",
        "GET objectives.edit_kpi",
        "POST objectives.edit_kpi",
        "POST objectives.delete_kpi",
        "POST objectives.add_measurement",
        "GET objectives.import_measurements",
        "POST objectives.import_measurements",
        "GET portfolio.new_initiative",
        "POST portfolio.new_initiative",
        "GET portfolio.edit_initiative",
        "POST portfolio.edit_initiative",
        "POST portfolio.change_status",
        "POST portfolio.delete_initiative",
        "POST portfolio.add_milestone",
        "GET portfolio.edit_milestone",
        "POST portfolio.edit_milestone",
        "POST portfolio.remove_milestone",
        "POST portfolio.add_risk",
        "GET portfolio.edit_risk",
        "POST portfolio.edit_risk",
        "POST portfolio.remove_risk",
        "POST portfolio.add_cost",
        "GET portfolio.edit_cost",
        "POST portfolio.edit_cost",
        "POST portfolio.remove_cost",
        "POST portfolio.add_dependency",
        "POST portfolio.remove_dependency",
        "POST portfolio.link_objective",
        "POST portfolio.unlink_objective",
        "GET portfolio.import_initiatives",
        "POST portfolio.import_initiatives",
        "GET architecture.new_principle",
        "POST architecture.new_principle",
        "GET architecture.edit_principle",
        "POST architecture.edit_principle",
        "POST architecture.delete_principle",
        "GET architecture.new_service",
        "POST architecture.new_service",
        "GET architecture.edit_service",
        "POST architecture.edit_service",
        "POST architecture.delete_service",
        "POST architecture.list_standards",  # adds a standard
        "GET architecture.edit_standard",
        "POST architecture.edit_standard",
        "POST architecture.delete_standard",
        "GET architecture.import_services",
        "POST architecture.import_services",
        "POST architecture.tie_service",
        "POST architecture.untie_service",
        "GET architecture.answer_principle",
        "POST architecture.answer_principle",
        "POST architecture.clear_answer",
        "GET workforce.new_role",
        "POST workforce.new_role",
        "GET workforce.edit_role",
        "POST workforce.edit_role",
        "POST workforce.delete_role",
        "POST workforce.add_capacity",
        "GET workforce.edit_capacity",
        "POST workforce.edit_capacity",
        "POST workforce.remove_capacity",
        "POST workforce.add_gap",
        "GET workforce.edit_gap",
        "POST workforce.edit_gap",
        "POST workforce.remove_gap",
        "POST workforce.list_skills",  # adds a skill
        "GET workforce.edit_skill",
        "POST workforce.edit_skill",
        "POST workforce.delete_skill",
        "GET workforce.new_action",
        "POST workforce.new_action",
        "GET workforce.edit_action",
        "POST workforce.edit_action",
        "POST workforce.delete_action",
        "POST workforce.initiative_needs",
        "GET workforce.edit_need",
        "POST workforce.edit_need",
        "POST workforce.remove_need",
        "GET workforce.import_roles",
        "POST workforce.import_roles",
        # taking initiatives and plans to a board
        "GET governance.edit_business_case",
        "POST governance.edit_business_case",
        "GET governance.submit_initiative",
        "POST governance.submit_initiative",
        "POST governance.withdraw_review",
        "GET governance.submit_plan",
        "POST governance.submit_plan",
    ),
    **_table(
        ADMINS,
        "GET audit.list_events",
        "GET auth.list_users",
        "GET auth.create_user",
        "POST auth.create_user",
        "GET auth.edit_user",
        "POST auth.edit_user",
        "POST auth.admin_reset_mfa",
        "POST auth.remove_user",
        "GET auth.sign_in_settings",
        "POST auth.sign_in_settings",
        "GET exports.organization_settings",
        "POST exports.organization_settings",
        "POST governance.change_plan_status",
        "GET governance.new_board",
        "POST governance.new_board",
        "GET governance.edit_board",
        "POST governance.edit_board",
        "POST governance.archive_board",
        "POST governance.add_member",
        "POST governance.change_member_role",
        "POST governance.remove_member",
        "GET governance.edit_rubric",
        "POST governance.edit_rubric",
        "POST governance.set_envelope",
        # the board's chair (the tenant's admin) runs meetings and records decisions
        "GET governance.new_meeting",
        "POST governance.new_meeting",
        "GET governance.edit_meeting",
        "POST governance.edit_meeting",
        "POST governance.set_meeting_status",
        "POST governance.add_agenda_item",
        "POST governance.move_agenda_item",
        "POST governance.remove_agenda_item",
        "GET governance.record_decision",
        "POST governance.record_decision",
        "GET governance.correct_decision",
        "POST governance.correct_decision",
        "POST governance.read_notification",  # the tenant's decision notice is addressed to its admin
    ),
    **_table(
        BOARD,
        "GET exports.board_pack",
        "POST exports.request_board_pack",
        "POST governance.save_scores",
        "POST governance.recuse",
        "POST governance.mark_version_reviewed",
        "POST governance.recuse_from_version",
    ),
    **_table(COMMENTERS, "POST governance.add_section_comment", "POST governance.set_comment_resolution"),
    # Issue 7 (StratML, API tokens, the API's own description, publication).
    **_table(ANY, "GET stratml.download", "GET api_tokens.list_tokens", "POST api_tokens.create_token"),
    # Tokens are personal: the tenant's token is its administrator's, so anyone else's revoke answers 404.
    **_table(ADMINS, "POST api_tokens.revoke_token"),
    **_table(PUBLIC, "GET api.openapi_document_view", "GET api.reference"),
    **_table(WRITERS, "GET stratml.import_plan", "POST stratml.import_plan"),
    **_table(ADMINS, "POST public.manage.publish_plan", "POST public.manage.unpublish_plan"),
    **_table(
        API_WRITE,
        "POST api.create_initiative",
        "PATCH api.patch_initiative",
        "PATCH api.patch_section",
        "PUT api.put_section",
        "POST api.create_measurement",
    ),
    **_table(API_READ, "POST api.request_export"),  # as in the UI, every role may ask for the plan's PDF
    # Issue 16: undelivered e-mail of the office, and sending one again.
    **_table(ADMINS, "GET notifications.list_undelivered", "POST notifications.retry_mail"),
}


def route_methods(rule: Rule) -> list[str]:
    return [m for m in METHODS if m in (rule.methods or ())]


def classify(rule: Rule, method: str) -> Access | None:
    """The declared access of one route and method; ``None`` when nobody has decided it yet.

    Routes of the API blueprint authenticate with a token: reading is open to every role, and each write must be
    declared in ROUTES (as API_WRITE or narrower). Public pages (blueprint "public") show only published plans to
    anyone. Everything else must be in ROUTES.
    """
    key = f"{method} {rule.endpoint}"
    if key in ROUTES:
        return ROUTES[key]
    blueprint = rule.endpoint.rpartition(".")[0]  # "public.manage" (signed-in admin pages) is not "public"
    if blueprint == "api" and method == "GET":
        return API_READ
    if blueprint == "public" and method == "GET":
        return PUBLISHED
    return None


def all_routes(app: Flask) -> list[tuple[str, Rule]]:
    return [(method, rule) for rule in app.url_map.iter_rules() for method in route_methods(rule)]


def unclassified(app: Flask) -> list[str]:
    return sorted(
        f"{method} {rule.endpoint} ({rule.rule})" for method, rule in all_routes(app) if not classify(rule, method)
    )


def stale_entries(app: Flask) -> list[str]:
    present = {f"{method} {rule.endpoint}" for method, rule in all_routes(app)}
    return sorted(set(ROUTES) - present)
