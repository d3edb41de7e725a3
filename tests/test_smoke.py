from app.auth.models import Role
from tests.factories import create_org, create_plan, create_user, login


def test_editor_sees_plan_overview_with_template_sections(client):
    org = create_org()
    editor = create_user(org=org, role=Role.EDITOR)
    plan = create_plan(org=org, owner=editor)
    assert login(client, editor).status_code == 302
    page = client.get(f"/plans/{plan.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for title in ("Vision and priorities", "Staffing and skills", "Action plan and budget"):
        assert title in html
