"""Visual reference for the demo plan's cover: page 1 rendered at low resolution with pypdfium2.

The comparison is loose on purpose (mean absolute difference of grey levels, 0–255): it catches a cover that
lost its layout, fonts or colours, not a changed date. After a deliberate change of the cover, regenerate the
reference and commit the PNG:

    .venv/bin/python -m tests.exports.visual              # renders the demo draft and writes demo-cover.png
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops, ImageStat

REFERENCE = Path(__file__).with_name("reference") / "demo-cover.png"
SCALE = 0.5  # 36 dpi: 306 × 396 pixels for a Letter page


def first_page_image(pdf: bytes) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=SCALE)
        return bitmap.to_pil().convert("L")
    finally:
        document.close()


def compare_first_page(pdf: bytes, reference: Path = REFERENCE) -> float:
    """Mean absolute grey-level difference between page 1 and the reference (255: everything differs)."""
    image = first_page_image(pdf)
    expected = Image.open(reference).convert("L")
    if image.size != expected.size:
        return 255.0
    return float(ImageStat.Stat(ImageChops.difference(image, expected)).mean[0])


def write_reference(pdf: bytes, reference: Path = REFERENCE) -> None:
    buffer = io.BytesIO()
    first_page_image(pdf).save(buffer, format="PNG", optimize=True)
    reference.write_bytes(buffer.getvalue())


def _main() -> None:  # pragma: no cover - a developer's helper
    import tempfile

    from flask_migrate import upgrade

    from app import create_app
    from app.demo.seed import STATE_SLUG, load_demo
    from app.exports.pdf.documents import plan_document
    from app.exports.pdf.render import render_pdf
    from app.extensions import db
    from app.plans.models import Plan
    from tests.conftest import make_config

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(make_config(f"sqlite:///{folder}/demo.db", EXPORT_DIR=folder))
        with app.app_context():
            upgrade()
            load_demo(app.config["PLAN_TEMPLATE_DIR"])
            db.session.commit()
            plan = db.session.scalar(db.select(Plan).where(Plan.organization.has(slug=STATE_SLUG)))
            assert plan is not None
            write_reference(render_pdf(plan_document(plan).html).pdf)
            db.engine.dispose()
    print(f"Wrote {REFERENCE}")


if __name__ == "__main__":
    _main()
