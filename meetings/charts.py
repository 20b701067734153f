"""Charts drawn on the server as inline SVG: no JavaScript, and a text alternative built in.

The SVG is an image to assistive technology (``role="img"``) named by its ``<title>`` and
described by its ``<desc>``, which gives every figure; pages show the same figures in a table
as well. Colours keep at least 3:1 against white for the bars and 4.5:1 for the text.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_COLOUR = "#1d70b8"  # 5.2:1 against white
TEXT_COLOUR = "#0b0c0c"  # 19:1
AXIS_COLOUR = "#505a5f"  # 7:1

SLOT = 48  # horizontal room for one bar and its label
BAR = 32
PLOT_HEIGHT = 160
TOP = 24  # room for the value above the tallest bar
BOTTOM = 28  # room for the labels under the bars
SIDE = 8


def bar_chart(
    bars: list[tuple[str, int]], *, chart_id: str, title: str, description: str
) -> SafeString:
    """A vertical bar chart of ``(label, value)`` pairs, each bar labelled with its value.

    ``title`` and ``description`` become the chart's accessible name and description; they and
    the labels are escaped. ``chart_id`` must be unique on the page.
    """
    width = SIDE * 2 + SLOT * max(len(bars), 1)
    height = TOP + PLOT_HEIGHT + BOTTOM
    baseline = TOP + PLOT_HEIGHT
    highest = max((value for _, value in bars), default=0) or 1
    shapes = []
    for index, (label, value) in enumerate(bars):
        centre = SIDE + SLOT * index + SLOT // 2
        bar_height = round(PLOT_HEIGHT * value / highest)
        shapes.append((centre, label, value, bar_height))
    bar_marks = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
        (
            (centre - BAR // 2, baseline - bar_height, BAR, bar_height, BAR_COLOUR)
            for centre, _, _, bar_height in shapes
            if bar_height
        ),
    )
    value_labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{}">{}</text>',
        (
            (centre, baseline - bar_height - 6, TEXT_COLOUR, value)
            for centre, _, value, bar_height in shapes
        ),
    )
    axis_labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" font-size="12" fill="{}">{}</text>',
        ((centre, baseline + 18, TEXT_COLOUR, label) for centre, label, _, _ in shapes),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="ssp-chart" viewBox="0 0 {width} {height}"'
        ' width="{width}" height="{height}"'
        ' role="img" aria-labelledby="{id}-title {id}-desc" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{bars}"
        '<line x1="{side}" y1="{baseline}" x2="{end}" y2="{baseline}" stroke="{axis}"'
        ' stroke-width="1"></line>'
        "{values}{labels}</svg>",
        width=width,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        bars=bar_marks,
        side=SIDE,
        end=width - SIDE,
        baseline=baseline,
        axis=AXIS_COLOUR,
        values=value_labels,
        labels=axis_labels,
    )


def items_per_year_chart(subject: str, per_year, *, chart_id: str = "items-per-year"):
    """The bar chart of a topic page: agenda items on ``subject`` in each year.

    ``per_year`` holds ``YearCount`` objects for every year from the first to the last.
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
    if len(per_year) > sum(1 for entry in per_year if entry.count):
        description += " No items in the other years."
    return bar_chart(
        [(str(entry.year), entry.count) for entry in per_year],
        chart_id=chart_id,
        title=f"Agenda items on {subject} per year",
        description=description,
    )
