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
