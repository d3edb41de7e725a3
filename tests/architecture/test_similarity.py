"""Similar work: ranking, reasons, the family rule and what each user may see."""

from __future__ import annotations

from app.architecture import similarity
from app.auth.models import Role
from app.extensions import db
from app.portfolio import services as portfolio_services
from tests.architecture.factories import create_service, tie
from tests.factories import create_org, create_user
from tests.portfolio.factories import create_initiative
from tests.portfolio.helpers import page_text


def test_words_and_terms_drop_stop_words_and_plurals():
    assert similarity.words("The permits for Licensing portals") == ["permit", "licensing", "portal"]
    assert similarity.terms("online permit portal") == ["online", "permit", "portal", "online permit", "permit portal"]


def test_a_clearly_similar_initiative_ranks_above_an_unrelated_one_with_shared_terms(org, editor, initiative):
    similar = create_initiative(
        org=org,
        user=editor,
        code="INI-0002",
        title="Licensing portal for businesses",
        summary="Online business licensing with permit renewals in one portal.",
    )
    create_initiative(
        org=org,
        user=editor,
        code="INI-0003",
        title="Data centre network refresh",
        summary="Replace core switches in both data centres.",
    )
    matches = similarity.similar_work(initiative, editor)
    assert [m.code for m in matches] == ["INI-0002"]
    [match] = matches
    assert match.id == similar.id and match.full
    assert match.reasons[0].startswith("shared terms: ")
    assert {"licensing", "portal"} <= set(match.shared_terms)


def test_a_shared_service_makes_a_match_and_says_so(org, editor, initiative):
    hub = create_service(org=org, user=editor, name="Identity Hub")
    other = create_initiative(org=org, user=editor, code="INI-0002", title="Fishing and hunting licences", summary="")
    builder = create_initiative(org=org, user=editor, code="INI-0003", title="Identity Hub upgrade", summary="")
    tie(initiative, hub, user=editor)
    tie(other, hub, user=editor)
    tie(builder, hub, user=editor, relation="delivers")
    reasons = {m.code: m.reasons for m in similarity.similar_work(initiative, editor)}
    assert reasons["INI-0002"] == ["both reuse Identity Hub"]
    assert reasons["INI-0003"] == ["it delivers Identity Hub, which this initiative reuses"]


def test_family_initiatives_show_summary_only_and_unrelated_or_deleted_ones_never(signed_in, org, editor, initiative):
    agency = create_org(name="Department of Health Services IT", parent=org)
    sibling = create_org(name="Department of Revenue IT", parent=org)
    sibling_of_agency_user = create_user(org=sibling, role=Role.EDITOR)
    stranger = create_org(name="Unrelated County IT")
    stranger_editor = create_user(org=stranger, role=Role.EDITOR)
    agency_editor = create_user(org=agency, role=Role.EDITOR)
    text = {"title": "Business licensing portal", "summary": "One online portal for business licensing and permits."}
    create_initiative(org=agency, user=agency_editor, code="DHS-001", **text)
    create_initiative(org=sibling, user=sibling_of_agency_user, code="DOR-001", **text)
    create_initiative(org=stranger, user=stranger_editor, code="CTY-001", **text)
    gone = create_initiative(org=org, user=editor, code="INI-0005", **text)
    portfolio_services.delete_initiative(gone, user=editor)
    db.session.commit()

    agency_initiative = db.session.scalar(db.select(type(initiative)).where(type(initiative).code == "DHS-001"))
    # From the agency: its parent (the state) and its sibling are family; the county never is.
    matches = similarity.similar_work(agency_initiative, agency_editor)
    assert sorted(m.code for m in matches) == ["DOR-001", "INI-0001"]
    assert not any(m.full for m in matches)

    html = signed_in(agency_editor).get(f"/initiatives/{agency_initiative.id}").get_data(as_text=True)
    text_shown = page_text(html)
    assert "INI-0001 Business licensing portal — Office of the State CIO · Proposed" in text_shown
    assert f'href="/initiatives/{initiative.id}"' not in html
    assert "Summary only: you are not a member of Office of the State CIO." in text_shown
    assert "CTY-001" not in html and "INI-0005" not in html

    # From the state office: its children are family; the deleted one and the county never appear.
    state_matches = similarity.similar_work(initiative, editor)
    assert sorted(m.code for m in state_matches) == ["DHS-001", "DOR-001"]


def test_a_member_of_both_organizations_gets_the_link(signed_in, org, editor, initiative):
    agency = create_org(name="Department of Health Services IT", parent=org)
    agency_initiative = create_initiative(
        org=agency,
        user=create_user(org=agency, role=Role.EDITOR),
        code="DHS-001",
        title="Business licensing portal",
        summary="Licensing portal.",
    )
    from app.auth.models import Membership

    db.session.add(Membership(user_id=editor.id, organization_id=agency.id, role="viewer"))
    db.session.commit()
    html = signed_in(editor).get(f"/initiatives/{initiative.id}").get_data(as_text=True)
    assert f'href="/initiatives/{agency_initiative.id}"' in html


def test_the_index_follows_changes_to_titles_ties_and_deletions(org, editor, initiative):
    other = create_initiative(org=org, user=editor, code="INI-0002", title="Prison telephony", summary="")
    assert similarity.similar_work(initiative, editor) == []
    portfolio_services.update_initiative(
        other,
        user=editor,
        fields=portfolio_services.InitiativeFields(code="INI-0002", title="Business licensing portal renewal"),
        base_version=other.version,
    )
    db.session.commit()
    assert [m.code for m in similarity.similar_work(initiative, editor)] == ["INI-0002"]
    portfolio_services.delete_initiative(other, user=editor)
    db.session.commit()
    assert similarity.similar_work(initiative, editor) == []
