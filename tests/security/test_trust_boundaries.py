"""The trust boundaries of a Planwright server and the tests that hold each one (SECURITY.md §8).

An office admin is trusted with their own office and nothing else; each boundary below names what must stay
impossible and the tests, written as that admin would attack, that prove it. ``make security`` runs these tests
(the Makefile reads ``node_ids()``) and its summary (tests/security/results/latest.json, "trust_boundaries")
lists every boundary with the outcome of each of its tests. The test in this file fails when a listed test no
longer exists, so a renamed or deleted test cannot silently leave a boundary unguarded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]
SSO = "tests/auth/test_sso_trust.py::"
ADMIN = "tests/auth/test_admin_boundary.py::"
SIGN_IN = "tests/auth/test_multi_step_sign_in.py::"

BOUNDARIES: dict[str, dict[str, object]] = {
    "office ↔ office": {
        "impossible": "reaching another office's data or people through any setting (sign-on issuer or domains, "
        "group mappings) or any object id",
        "tests": [
            SSO + "test_office_b_cannot_claim_office_a_domain_through_its_settings",
            SSO + "test_the_settings_page_shows_the_claims_read_only",
            SSO + "test_b_provider_asserting_a_admins_email_signs_nobody_in",
            SSO + "test_b_provider_cannot_reach_an_a_only_account_even_in_b_domain",
            SSO + "test_b_provider_cannot_resolve_an_identity_a_created",
            SSO + "test_the_authorization_response_must_come_from_b_issuer",
            "tests/core/test_isolation.py::test_other_organizations_objects_are_not_found_for_every_role_route_and_method",
            "tests/security/test_route_matrix.py::"
            "test_each_role_gets_exactly_its_declared_routes_and_nothing_of_the_other_organization",
            "tests/core/test_mail_outbox.py::test_other_offices_and_other_roles_cannot_see_or_retry",
        ],
    },
    "person in two offices": {
        "impossible": "one office's admin or sign-on changing the person's access, second factor or name in the other",
        "tests": [
            SSO + "test_a_person_in_both_offices_lands_only_in_b_and_still_needs_their_second_factor",
            SSO + "test_the_operator_may_trust_b_provider_for_the_second_factor",
            SSO + "test_directory_removal_in_b_removes_only_the_b_membership",
            "tests/auth/test_sso_csrf.py::test_the_code_after_single_sign_on_works_on_the_first_submit",
            ADMIN + "test_deactivated_in_b_pat_still_signs_in_and_works_in_a",
            ADMIN + "test_a_token_for_b_stays_dead_when_b_reactivates_pat",
            ADMIN + "test_role_change_in_b_leaves_the_role_in_a",
            ADMIN + "test_removing_pat_from_b_leaves_the_membership_in_a",
            ADMIN + "test_b_cannot_reset_the_second_factor_pat_uses_for_a",
            ADMIN + "test_the_instance_operator_resets_the_shared_second_factor_from_the_command_line",
            ADMIN + "test_adding_an_e_mail_with_an_account_in_a_looks_exactly_like_adding_an_unknown_one",
            ADMIN + "test_adding_a_person_of_a_does_not_let_b_set_their_name_or_password",
            "tests/auth/test_membership_migration.py::test_downgrading_0012_gives_no_deactivated_member_access_back",
            SIGN_IN + "test_the_session_cookie_changes_at_each_step_and_older_ones_do_not_sign_in",
            SIGN_IN + "test_a_code_page_from_another_browser_does_not_work_here",
        ],
    },
    "office ↔ server secrets": {
        "impossible": "reading or sending a server secret, variable or file through a setting an office controls",
        "tests": [
            SSO + "test_no_setting_makes_the_server_send_one_of_its_secrets",
            SSO + "test_a_variable_named_after_another_office_is_never_read",
            SSO + "test_the_secret_is_encrypted_at_rest_and_never_shown",
            SSO + "test_an_http_issuer_is_refused_outside_testing_and_debug",
            SSO + "test_a_redirect_to_another_host_is_not_followed",
            SSO + "test_an_oversized_answer_is_refused",
            "tests/exports/test_ssrf.py::test_vectors_in_every_user_field_of_a_plan",
            "tests/exports/test_ssrf.py::test_vectors_in_the_logo_svg_reach_nothing",
            "tests/api/test_rate_limit.py::"
            "test_a_token_over_its_limit_gets_429_with_retry_after_while_another_token_carries_on",
        ],
    },
    "agency ↔ parent": {
        "impossible": "a child office seeing a sibling, or the parent seeing more than the child shares",
        "tests": [
            "tests/objectives/test_access.py::test_a_parent_office_does_not_see_its_agencies_objectives",
            "tests/objectives/test_access.py::"
            "test_an_agency_reads_its_parents_objectives_and_kpis_but_cannot_change_them",
            "tests/portfolio/test_parts.py::test_an_objective_of_an_unrelated_or_sibling_organization_is_not_found",
            "tests/spreadsheets/test_exports.py::test_an_agency_downloads_its_own_objectives_not_its_parents",
            "tests/architecture/test_views.py::test_an_agency_reads_a_service_its_parent_shares_but_cannot_edit_it",
            # Consolidated views of agencies for their parent come with the federation work (issue "One state,
            # many agencies"); their canary tests join this list then.
        ],
    },
}


def node_ids() -> list[str]:
    return [str(node) for boundary in BOUNDARIES.values() for node in boundary["tests"]]  # type: ignore[attr-defined]


def test_every_boundary_names_tests_and_each_of_them_exists() -> None:
    assert all(boundary["tests"] for boundary in BOUNDARIES.values())
    ids = node_ids()
    assert len(ids) == len(set(ids)), "a test is listed twice"
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *ids],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found = {line.strip().split("[")[0] for line in collected.stdout.splitlines() if "::" in line}
    missing = [node for node in ids if node not in found]
    assert not missing, f"listed but not collected: {missing}\n{collected.stdout[-2000:]}{collected.stderr[-2000:]}"


if __name__ == "__main__":  # the Makefile: the node ids `make security` runs with the security sweep
    print(" ".join(node_ids()))
