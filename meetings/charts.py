"""Charts drawn on the server as inline SVG: no JavaScript, and a text alternative built in.

The SVG is an image to assistive technology (``role="img"``) named by its ``<title>`` and
described by its ``<desc>``, which gives every figure; pages show the same figures in a table
as well. Colours keep at least 3:1 against white for the bars and 4.5:1 for the text.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_COLOUR = "#005a70"  # the partnership's colour (frontend/scss/main.scss), 7.8:1 on white
TEXT_COLOUR = "#0b0c0c"  # 19:1
AXIS_COLOUR = "#505a5f"  # 7:1
GAP_COLOUR = "#484949"  # the secondary text colour, 9:1
FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"  # the page's own font stack

MIN_WIDTH = 600  # the chart is drawn at least this wide and scales down to its container
SLOT = 48  # the least horizontal room for one bar and its label
MAX_BAR = 64
PLOT_HEIGHT = 180
TOP = 28  # room for the value above the tallest bar
BOTTOM = 32  # room for the labels under the bars
SIDE = 8
GAP_TEXT = "no minutes in the archive"


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """The ``(first, last)`` indexes of each run of true flags."""
    runs: list[tuple[int, int]] = []
    for index, flag in enumerate(flags):
        if not flag:
            continue
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def bar_chart(
    bars: list[tuple[str, int | None]], *, chart_id: str, title: str, description: str
) -> SafeString:
    """A vertical bar chart of ``(label, value)`` pairs, each bar labelled with its value.

    A value of ``None`` is a gap: nothing to count there (no minutes that year), drawn as a
    dashed, labelled space with the axis broken under it rather than as a bar of 0.

    ``title`` and ``description`` become the chart's accessible name and description; they and
    the labels are escaped. ``chart_id`` must be unique on the page.
    """
    count = max(len(bars), 1)
    slot = max(SLOT, (MIN_WIDTH - SIDE * 2) / count)
    bar = min(MAX_BAR, round(slot * 2 / 3))
    width = round(SIDE * 2 + slot * count)
    height = TOP + PLOT_HEIGHT + BOTTOM
    baseline = TOP + PLOT_HEIGHT
    highest = max((value or 0 for _, value in bars), default=0) or 1
    shapes = []
    for index, (label, value) in enumerate(bars):
        centre = round(SIDE + slot * index + slot / 2)
        bar_height = round(PLOT_HEIGHT * (value or 0) / highest)
        shapes.append((centre, label, value, bar_height))
    bar_marks = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
        (
            (centre - bar // 2, baseline - bar_height, bar, bar_height, BAR_COLOUR)
            for centre, _, value, bar_height in shapes
            if bar_height
        ),
    )
    value_labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="16" fill="{}">{}</text>',
        (
            (centre, baseline - bar_height - 6, TEXT_COLOUR, value)
            for centre, _, value, bar_height in shapes
            if value is not None
        ),
    )
    axis_labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{}">{}</text>',
        (
            (centre, baseline + 20, GAP_COLOUR if value is None else TEXT_COLOUR, label)
            for centre, label, value, _ in shapes
        ),
    )
    gaps = _runs([value is None for _, value in bars])
    gap_marks = []
    for first, last in gaps:
        left = round(SIDE + slot * first) + 2
        right = round(SIDE + slot * (last + 1)) - 2
        middle = (left + right) // 2
        years = bars[first][0] if first == last else f"{bars[first][0]} to {bars[last][0]}"
        if right - left >= 200:  # room to write the words across the gap
            words = format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{}">{}</text>',
                middle,
                TOP + PLOT_HEIGHT // 2,
                GAP_COLOUR,
                GAP_TEXT,
            )
        else:  # written upwards, in the gap's own column
            words = format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" font-size="14" fill="{fill}"'
                ' transform="rotate(-90 {x} {y})">{text}</text>',
                x=middle + 5,
                y=TOP + PLOT_HEIGHT // 2,
                fill=GAP_COLOUR,
                text=GAP_TEXT,
            )
        gap_marks.append(
            format_html(
                '<g class="ssp-chart__gap" data-years="{}">'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}"'
                ' stroke-dasharray="4 4"></rect>{}</g>',
                years,
                left,
                TOP,
                right - left,
                PLOT_HEIGHT,
                GAP_COLOUR,
                words,
            )
        )
    # The axis, broken under the gaps.
    segments, start = [], SIDE
    for first, last in gaps:
        stop = round(SIDE + slot * first)
        if stop > start:
            segments.append((start, stop))
        start = round(SIDE + slot * (last + 1))
    if width - SIDE > start:
        segments.append((start, width - SIDE))
    axis = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"></line>',
        ((x1, baseline, x2, baseline, AXIS_COLOUR) for x1, x2 in segments),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="ssp-chart" viewBox="0 0 {width} {height}"'
        ' width="{width}" height="{height}" font-family="{font}"'
        ' role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{gaps}{bars}{axis}{values}{labels}</svg>",
        width=width,
        height=height,
        font=FONT,
        id=chart_id,
        title=title,
        description=description,
        gaps=SafeString("".join(gap_marks)),
        bars=bar_marks,
        axis=axis,
        values=value_labels,
        labels=axis_labels,
    )


def _years_text(years: list[int]) -> str:
    """``[2012, 2013, 2014, 2016]`` as "2012 to 2014 and 2016"."""
    runs = _runs([year in years for year in range(years[0], years[-1] + 1)])
    parts = [str(years[0] + a) if a == b else f"{years[0] + a} to {years[0] + b}" for a, b in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def items_per_year_chart(subject: str, per_year, *, chart_id: str = "items-per-year"):
    """The bar chart of a topic page: agenda items on ``subject`` in each year.

    ``per_year`` holds ``YearCount`` objects for every year from the first to the last; a year
    whose ``has_minutes`` is false is drawn as a gap, not as 0.
    """
    if not per_year:
        return ""
    first, last = per_year[0].year, per_year[-1].year
    span = str(first) if first == last else f"{first} to {last}"
    figures = "; ".join(
        f"{entry.year}: {entry.count} item{'' if entry.count == 1 else 's'}"
        for entry in per_year
        if entry.count
    )
    description = f"Bar chart. Agenda items on {subject} each year, {span}. {figures}."
    missing = [entry.year for entry in per_year if not entry.has_minutes]
    if len(per_year) > sum(1 for entry in per_year if entry.count) + len(missing):
        description += " No items in the other years"
        description += " that have minutes." if missing else "."
    if missing:
        description += f" No minutes in the archive for {_years_text(missing)}."
    return bar_chart(
        [(str(entry.year), entry.count if entry.has_minutes else None) for entry in per_year],
        chart_id=chart_id,
        title=f"Agenda items on {subject} per year",
        description=description,
    )
