"""Every architecture page runs the same statements however much data there is."""

from __future__ import annotations

from app.architecture import services, similarity
from app.auth.models import Organization, Role, User
from app.extensions import db
from tests.architecture.factories import create_principle, create_service, create_standard, tie
from tests.factories import create_org, create_plan, create_user
from tests.portfolio.factories import create_initiative
from tests.sql import statements_for


def office(n: int) -> tuple[Organization, User, dict[str, int]]:
    org = create_org()
    agency = create_org(parent=org)
    editor = create_user(org=org, role=Role.EDITOR)
    standards = [create_standard(org=org, user=editor, name=f"Standard {i}") for i in range(n)]
    catalogue = [
        create_service(org=org, user=editor, name=f"Service {i}", standards=standards, users=[agency]) for i in range(n)
    ]
    principles = [create_principle(org=org, user=editor, title=f"Principle {i}", position=i + 1) for i in range(n)]
    initiatives = [
        create_initiative(org=org, user=editor, code=f"INI-{i:04d}", title=f"Licensing portal {i}", summary="Permits")
        for i in range(n)
    ]
    first = initiatives[0]
    for service in catalogue:
        tie(first, service, user=editor)
        for other in initiatives[1:]:
            services.tie_service(other, user=editor, service=service, relation="reuses")
    for principle in principles:
        services.answer_principle(first, user=editor, principle=principle, answer="exception", justification="Why")
    db.session.commit()
    section = create_plan(org=org, owner=editor).sections[0]
    section.body = "```planwright services\n```\n\n```planwright principles\n```"
    db.session.commit()
    return (
        org,
        editor,
        {
            "service": catalogue[0].id,
            "initiative": first.id,
            "principle": principles[0].id,
            "plan": section.plan_id,
            "section": section.id,
        },
    )


def urls(ids: dict[str, int]) -> list[str]:
    return [
        "/architecture/services",
        f"/architecture/services/{ids['service']}",
        f"/architecture/services/{ids['service']}/edit",
        "/architecture/standards",
        "/architecture/principles",
        f"/initiatives/{ids['initiative']}",
        f"/initiatives/{ids['initiative']}/principles/{ids['principle']}",
        f"/plans/{ids['plan']}/sections/{ids['section']}",
    ]


def test_statements_do_not_grow_with_data(signed_in):
    _, small_editor, small = office(2)
    _, large_editor, large = office(6)
    small_client, large_client = signed_in(small_editor), signed_in(large_editor)
    for small_url, large_url in zip(urls(small), urls(large), strict=True):
        similarity.clear_cache()
        small_count = len(statements_for(small_client, small_url))
        similarity.clear_cache()
        large_count = len(statements_for(large_client, large_url))
        assert small_count == large_count, (small_url, small_count, large_count)


def test_a_warm_similarity_index_saves_statements(signed_in):
    _, editor, ids = office(2)
    client = signed_in(editor)
    similarity.clear_cache()
    cold = len(statements_for(client, f"/initiatives/{ids['initiative']}"))
    warm = len(statements_for(client, f"/initiatives/{ids['initiative']}"))
    assert warm == cold - 2
