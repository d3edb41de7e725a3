"""Server-side SVG charts: valid XML, named and described for screen readers, no inline styles, text escaped."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from app.core.charts import bar_chart, format_number, line_chart, nice_ticks

SVG = ""  # inline SVG in HTML needs no namespace
POINTS = [(date(2025, 3, 31), Decimal("42.5")), (date(2025, 6, 30), Decimal("47")), (date(2025, 9, 30), 55)]
HOSTILE = "Permits <script>alert('x')</script> & \"fees\""


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG)


def chart(**overrides: object) -> ET.Element:
    options: dict[str, object] = {
        "title": "Share of permits applied for online",
        "description": "Rising from 42.5% to 55% over three quarters.",
        "unit": "%",
        "target": Decimal("80"),
        "baseline": Decimal("40"),
        **overrides,
    }
    points = options.pop("points", POINTS)
    return parse(line_chart(points, **options))  # type: ignore[arg-type]


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def assert_no_inline_styles_or_scripts(root: ET.Element) -> None:
    for element in root.iter():
        assert "style" not in element.attrib, f"<{tag(element)}> has a style attribute"
        assert tag(element) not in ("style", "script", "foreignObject"), tag(element)
        assert not any(name.startswith("on") for name in element.attrib), f"<{tag(element)}> has an event handler"


def test_line_chart_is_an_accessible_image_with_title_and_description_first():
    root = chart()
    assert tag(root) == "svg" and root.get("role") == "img"
    first, second = list(root)[:2]
    assert (tag(first), first.text) == ("title", "Share of permits applied for online")
    assert (tag(second), second.text) == ("desc", "Rising from 42.5% to 55% over three quarters.")
    assert root.get("aria-labelledby") == first.get("id")
    assert root.get("aria-describedby") == second.get("id")


def test_line_chart_draws_one_marker_per_point_joined_by_one_line():
    root = chart()
    markers = list(root.iter(f"{SVG}circle"))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(markers) == 3 and len(lines) == 1
    assert len(lines[0].get("points", "").split()) == 3
    assert [m.find(f"{SVG}title").text for m in markers] == [
        "31 Mar 2025: 42.5%",
        "30 Jun 2025: 47%",
        "30 Sep 2025: 55%",
    ]


def test_points_are_drawn_in_date_order_and_higher_values_higher_up():
    root = chart(points=list(reversed(POINTS)))
    xs = [float(c.get("cx", 0)) for c in root.iter(f"{SVG}circle")]
    ys = [float(c.get("cy", 0)) for c in root.iter(f"{SVG}circle")]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True), "a larger value must sit higher (smaller y)"


def test_target_is_a_labelled_dashed_line_above_the_points():
    root = chart()
    dashed = [el for el in root.iter(f"{SVG}line") if el.get("stroke-dasharray")]
    target = next(el for el in dashed if el.find(f"{SVG}title").text == "Target 80%")
    highest_point = min(float(c.get("cy", 0)) for c in root.iter(f"{SVG}circle"))
    assert float(target.get("y1", 0)) < highest_point
    assert "Target 80%" in texts(root) and "Baseline 40%" in texts(root)


def test_axes_have_tick_labels_with_the_unit_and_the_dates():
    labels = texts(chart())
    assert {"40%", "50%", "60%", "70%", "80%"} <= set(labels)
    assert "31 Mar 2025" in labels and "30 Sep 2025" in labels


def test_line_chart_uses_presentation_attributes_only():
    root = chart()
    assert_no_inline_styles_or_scripts(root)
    assert root.find(f"{SVG}polyline").get("stroke")
    assert all(t.get("font-size") and t.get("fill") for t in root.iter(f"{SVG}text"))


def test_every_text_is_escaped():
    markup = line_chart(POINTS, title=HOSTILE, description=HOSTILE, unit="<b>", target=80)
    assert "<script>" not in markup and "<b>" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert root.find(f"{SVG}desc").text == HOSTILE
    assert "80 <b>" in " ".join(texts(root))
    assert_no_inline_styles_or_scripts(root)


def test_chart_without_points_says_so():
    root = chart(points=[])
    assert not list(root.iter(f"{SVG}circle")) and not list(root.iter(f"{SVG}polyline"))
    assert "No measurements yet" in texts(root)


@pytest.mark.parametrize(
    "points",
    [
        pytest.param([(date(2025, 1, 1), Decimal("5"))], id="one point"),
        pytest.param([(date(2025, 1, 1), 5), (date(2025, 2, 1), 5)], id="flat line"),
        pytest.param([(date(2025, 1, 1), 0), (date(2025, 1, 1), 0)], id="all zero on one day"),
    ],
)
def test_degenerate_series_still_draw(points):
    root = chart(points=points, target=None, baseline=None)
    assert len(list(root.iter(f"{SVG}circle"))) == len(points)
    coordinates = [float(c.get(a, "nan")) for c in root.iter(f"{SVG}circle") for a in ("cx", "cy")]
    assert all(0 <= value <= 640 for value in coordinates)


def test_two_charts_with_different_titles_get_different_ids():
    one, two = chart(), chart(title="Days to decide a permit")
    assert one.get("aria-labelledby") != two.get("aria-labelledby")
    assert chart(chart_id="kpi-7").get("aria-labelledby") == "kpi-7-title"


# --- bar charts --------------------------------------------------------------------------------------

BUDGET = [("Capital", [Decimal("1200000"), Decimal("800000"), 0]), ("Operating", [400000, 450000, 500000])]
YEARS = ["FY2027", "FY2028", "FY2029"]


def bars(root: ET.Element) -> list[ET.Element]:
    """Data bars carry a <title>; legend swatches do not."""
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def budget_chart(*, stacked: bool) -> ET.Element:
    return parse(
        bar_chart(
            YEARS,
            BUDGET,
            title="Budget by fiscal year",
            description="Capital and operating.",
            unit="USD",
            stacked=stacked,
        )
    )


@pytest.mark.parametrize("stacked", [False, True], ids=["grouped", "stacked"])
def test_bar_chart_has_a_bar_per_category_and_series_with_its_value(stacked):
    root = budget_chart(stacked=stacked)
    assert tag(root) == "svg" and root.get("role") == "img"
    assert [tag(el) for el in list(root)[:2]] == ["title", "desc"]
    assert len(bars(root)) == 6
    assert bars(root)[0].find(f"{SVG}title").text == "FY2027, Capital: 1,200,000 USD"
    assert {"FY2027", "FY2028", "FY2029", "Capital", "Operating"} <= set(texts(root))
    assert_no_inline_styles_or_scripts(root)


def test_stacked_bars_sit_on_top_of_each_other():
    capital, operating = bars(budget_chart(stacked=True))[:2]
    assert float(operating.get("y", 0)) + float(operating.get("height", 0)) == pytest.approx(
        float(capital.get("y", 0)), abs=0.2
    )
    assert capital.get("x") == operating.get("x")


def test_grouped_bars_stand_side_by_side_from_the_same_axis():
    capital, operating = bars(budget_chart(stacked=False))[:2]
    assert float(capital.get("x", 0)) < float(operating.get("x", 0))
    bottom = float(capital.get("y", 0)) + float(capital.get("height", 0))
    assert float(operating.get("y", 0)) + float(operating.get("height", 0)) == pytest.approx(bottom, abs=0.2)


def test_grouped_bars_may_go_below_zero():
    root = parse(bar_chart(["2026", "2027"], [("Change", [-5, 10])], title="Net change", description="d", unit=""))
    negative, positive = bars(root)
    assert float(negative.get("y", 0)) == pytest.approx(
        float(positive.get("y", 0)) + float(positive.get("height", 0)), abs=0.2
    )


def test_bar_chart_escapes_names_and_categories():
    markup = bar_chart([HOSTILE], [(HOSTILE, [1])], title=HOSTILE, description=HOSTILE, unit="")
    assert "<script>" not in markup
    assert parse(markup).find(f"{SVG}title").text == HOSTILE


@pytest.mark.parametrize(
    ("series", "stacked", "message"),
    [
        ([("Capital", [1, 2])], False, "has 2 values for 3 categories"),
        ([("Capital", [1, -2, 3])], True, "need values of zero or more"),
    ],
)
def test_bar_chart_refuses_inconsistent_input(series, stacked, message):
    with pytest.raises(ValueError, match=message):
        bar_chart(YEARS, series, title="t", description="d", unit="", stacked=stacked)


# --- numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1250.5000"), "1,250.5"), (Decimal("1E+3"), "1,000"), (Decimal("0.0000"), "0"), (-3, "-3")],
)
def test_numbers_are_shown_plainly(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(("low", "high"), [(0, 1), (42.5, 80), (-7, 3), (5, 5), (0.001, 0.004), (10, 1_250_000)])
def test_ticks_are_round_and_cover_the_range(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= Decimal(str(low)) and ticks[-1] >= Decimal(str(high))
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert step / Decimal(10) ** step.adjusted() in (1, 2, 5)
    assert 2 <= len(ticks) <= 8
