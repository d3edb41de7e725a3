from tests.exports.test_fingerprint import *  # noqa
from tests.exports.test_fingerprint import _edit_section

def test_dbg(app, world):
    plan = world["plan"]
    with app.test_request_context("/"):
        a = documents.plan_document(plan)
        print("S0", repr(plan.sections[0].body[:80]), plan.sections[0].is_deleted)
        _edit_section(world)
        db.session.commit()
        print("S0", repr(plan.sections[0].body[:80]))
        b = documents.plan_document(plan)
        print(a.snapshot_hash == b.snapshot_hash, len(a.html), len(b.html))
        first = services.request_plan_pdf(plan, user=None)
        print(first.reused, first.export.id)
