"""Template filters for the archive's pages."""

import re

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@register.filter
def paragraphs(text) -> SafeString:
    """Text as GOV.UK body paragraphs: blank lines part paragraphs, single newlines break lines.

    Like ``linebreaks``, but each ``<p>`` has the ``govuk-body`` class. The text is always
    escaped, even where autoescaping is off: it comes from the minutes.
    """
    text = str(text).replace("\r\n", "\n").strip()
    if not text:
        return SafeString("")
    return format_html_join(
        "\n",
        '<p class="govuk-body">{}</p>',
        (
            (SafeString("<br>".join(escape(line) for line in block.split("\n"))),)
            for block in _PARAGRAPH_BREAK.split(text)
        ),
    )


# What may end the sentence before a decision the minutes close with.
_SENTENCE_END = re.compile(r"(?:[.!?:;)\"”’]\s+|\n\s*)$")


@register.filter
def minutes_without_repeated_decision(item) -> str:
    """The item's shown minutes, less a last sentence that one of its decisions repeats.

    Minutes often end with the decision word for word ("Members noted the report."), which the
    page then lists again under Decisions. The decision is kept, as it is listed with its kind,
    and the sentence is left out of the minutes; whitespace is compared normalised. Returns ""
    when the minutes are nothing but that sentence.
    """
    text = str(item.minutes_text_shown or "")
    for decision in item.resolutions.all():
        words = decision.text.split()
        if not words:
            continue
        match = re.search(r"\s+".join(map(re.escape, words)) + r"\s*$", text)
        if match is None:
            continue
        before = text[: match.start()]
        if not before.strip() or _SENTENCE_END.search(before):
            return before.rstrip()
    return text
