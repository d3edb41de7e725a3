"""Roadmap geometry: bars by date over the fiscal quarters, clipped to the period; valid SVG whatever the text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from flask import render_template

from app.portfolio.roadmap import MilestoneItem, RoadmapItem, build_roadmap

SVG = ""  # inline SVG in HTML needs no namespace


def item(code: str, start: date | None, end: date | None, **fields: object) -> RoadmapItem:
    values: dict[str, object] = {"title": f"Initiative {code}", "category": "change", "status": "approved"}
    values.update(fields)
    return RoadmapItem(1, code, start=start, end=end, **values)  # type: ignore[arg-type]


def layout(*items: RoadmapItem, today: date = date(2026, 1, 1)):  # type: ignore[no-untyped-def]
    return build_roadmap(list(items), first_year=2027, last_year=2028, start_month=7, today=today)


def test_columns_are_the_fiscal_quarters_of_the_period():
    roadmap = layout()
    assert [c.quarter.label for c in roadmap.columns] == [f"FY{y} Q{q}" for y in (2027, 2028) for q in range(1, 5)]
    assert [(band.year, band.x) for band in roadmap.years] == [
        (2027, roadmap.label_width),
        (2028, roadmap.columns[4].x),
    ]
    assert roadmap.columns[0].x == roadmap.label_width
    assert abs(roadmap.columns[-1].x + roadmap.columns[-1].width - roadmap.width) < 0.2


def test_a_bar_runs_from_its_start_quarter_to_its_end_quarter():
    (row,) = layout(item("A", date(2026, 10, 1), date(2027, 3, 31))).rows
    roadmap = layout()
    q2, q3 = roadmap.columns[1], roadmap.columns[2]
    assert abs(row.bar.x - q2.x) < 0.2 and abs(row.bar.x + row.bar.width - (q3.x + q3.width)) < 0.2
    assert (row.start_quarter, row.end_quarter) == ("FY2027 Q2", "FY2027 Q3")


def test_bars_are_clipped_to_the_period_and_undated_or_outside_initiatives_are_left_out():
    roadmap = layout(
        item("EARLY", date(2020, 1, 1), date(2026, 9, 30)),
        item("LONG", date(2020, 1, 1), date(2035, 1, 1)),
        item("UNDATED", None, None),
        item("AFTER", date(2029, 1, 1), date(2029, 6, 1)),
    )
    (early, long) = roadmap.rows
    assert early.item.code == "EARLY" and early.bar.x == roadmap.label_width
    assert long.bar.x == roadmap.label_width and long.bar.x + long.bar.width == roadmap.width


def test_not_yet_approved_initiatives_are_outlined_and_milestones_outside_the_period_are_dropped():
    milestones = (
        MilestoneItem("Inside", date(2027, 1, 1), date(2027, 1, 2)),
        MilestoneItem("Later", date(2031, 1, 1), None),
    )
    (row,) = layout(item("P", date(2026, 8, 1), date(2027, 8, 1), status="proposed", milestones=milestones)).rows
    assert row.bar.fill == "#ffffff" and row.bar.stroke != "#ffffff"
    assert [d.title for d in row.diamonds] == ["Inside (done 2 Jan 2027)"]


def test_today_is_marked_only_inside_the_period():
    assert layout(today=date(2026, 1, 1)).today_x is None
    assert layout(today=date(2027, 7, 1)).today_x == layout().columns[4].x


def test_the_svg_is_well_formed_and_escapes_every_text(app):
    tricky = item("R&D-1", date(2026, 8, 1), date(2027, 8, 1), title='<script>alert("x")</script> & “quotes”')
    with app.test_request_context():
        svg = render_template(
            "traceability/blocks/roadmap_svg.svg",
            roadmap=layout(tricky),
            block_id="b1",
            plan=type("P", (), {"title": "Plan <b>&</b>", "period_label": "FY2027–FY2028"})(),
        )
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.find(f"{SVG}title").text == "Roadmap of Plan <b>&</b>, FY2027–FY2028"  # type: ignore[union-attr]
    labels = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert any(label.startswith("R&D-1 <script>") for label in labels)
    assert "<script>" not in svg
