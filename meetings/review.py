"""Why a meeting needs a person to look at it: each reason declared once, here.

A reason is found from four facts, which a stored meeting and a document just imported (an
import's outcome) both have: the date, the body, the warnings met when reading the document,
and whether some corrections made by hand could not be placed on the items read again. The
needs-review flag (``Meeting.set_needs_review``), the reasons an import reports and the admin's
"review reason" filter and meeting page all come from ``REASONS``.

The reader's warnings are recognised by their texts, defined once in ``meetings.constants``,
where the reader (``ingest.parsers``) takes them from.
"""

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from .constants import GUESSED_LAYOUT_WARNING, RESTRICTED_IN_DOUBT_WARNING

# Characters of a value cut to its column quoted in the warning that says so.
CUT_QUOTE_LENGTH = 40
_CUT = re.compile(r"\S.* cut to \d+ characters: “")


def cut_warning(what: str, limit: int, value: str) -> str:
    """The warning for a value cut to its column: 'Attendee name cut to 200 characters: “…”'."""
    start = " ".join(value[:CUT_QUOTE_LENGTH].split())
    return f"{what} cut to {limit} characters: “{start}…”"


@dataclass
class Facts:
    """What the reasons are found from, for a stored meeting or an import's outcome."""

    date: datetime.date | None
    body: str
    warnings: Sequence[str]
    # Whether corrections made by hand could not be placed; for a stored meeting, a function
    # asking the database, called only when the other facts do not settle the question.
    unplaced: bool | Callable[[], bool]
    # Whether an item is still restricted in doubt; for a stored meeting, a function asking
    # the database (lifting such a restriction by hand settles the doubt); None: the warnings
    # say, as for an import's outcome.
    in_doubt: bool | Callable[[], bool] | None = None

    def has_unplaced(self) -> bool:
        if callable(self.unplaced):
            self.unplaced = self.unplaced()
        return self.unplaced

    def has_doubt(self) -> bool:
        if not any(_is_in_doubt(text) for text in self.warnings):
            return False
        if callable(self.in_doubt):
            self.in_doubt = self.in_doubt()
        return True if self.in_doubt is None else self.in_doubt


@dataclass(frozen=True)
class Reason:
    code: str  # in the admin filter's query string: ?review=<code>
    label: str  # as shown to administrators
    # A reason found in the warnings says which warnings are its own; the others say when they
    # apply (``applies``) and which stored meetings they apply to (``condition``).
    warning: Callable[[str], bool] | None = None
    applies: Callable[[Facts], bool] | None = None
    condition: Callable[[], Q] | None = None

    def found_in(self, facts: Facts) -> bool:
        if self.warning is not None:
            return any(self.warning(text) for text in facts.warnings)
        return self.applies(facts)


def _unplaced() -> Exists:
    # Looked up by name: the models use this module.
    override = apps.get_model("meetings", "Override")
    return Exists(override.objects.filter(meeting=OuterRef("pk"), unmatched__isnull=False))


def _unplaced_condition() -> Q:
    return Q(_unplaced())


_LAYOUT_GUESSED = Reason(
    "layout", "Layout guessed", warning=lambda text: text.startswith(GUESSED_LAYOUT_WARNING)
)


def _is_in_doubt(text: str) -> bool:
    return text.startswith(RESTRICTED_IN_DOUBT_WARNING)


def _in_doubt() -> Exists:
    item = apps.get_model("meetings", "AgendaItem")
    still = item.objects.filter(
        meeting=OuterRef("pk"),
        restricted=True,
        restricted_reason__startswith=RESTRICTED_IN_DOUBT_WARNING,
    )
    return Exists(still)


def _in_doubt_condition() -> Q:
    return Q(_in_doubt())


_RESTRICTED_IN_DOUBT = Reason(
    "restricted",
    "Restricted in doubt",
    applies=lambda facts: facts.has_doubt(),
    condition=_in_doubt_condition,
)
_CUT_TO_LENGTH = Reason(
    "cut", "Fields cut to length", warning=lambda text: _CUT.match(text) is not None
)
_NAMED_WARNINGS = (_LAYOUT_GUESSED, _RESTRICTED_IN_DOUBT, _CUT_TO_LENGTH)


def _other_warning(text: str) -> bool:
    return not _is_in_doubt(text) and not any(
        reason.warning(text) for reason in _NAMED_WARNINGS if reason.warning is not None
    )


REASONS: tuple[Reason, ...] = (
    Reason(
        "date",
        "Date unknown",
        applies=lambda facts: facts.date is None,
        condition=lambda: Q(date__isnull=True),
    ),
    Reason(
        "body",
        "Body unknown",
        applies=lambda facts: not facts.body,
        condition=lambda: Q(body=""),
    ),
    *_NAMED_WARNINGS,
    Reason("warnings", "Other parse warnings", warning=_other_warning),
    Reason(
        "unplaced",
        "Hand corrections to place",
        applies=lambda facts: facts.has_unplaced(),
        condition=_unplaced_condition,
    ),
)
BY_CODE = {reason.code: reason for reason in REASONS}


def reasons(facts: Facts) -> list[Reason]:
    """The reasons that apply, in the order of ``REASONS``."""
    return [reason for reason in REASONS if reason.found_in(facts)]


def needs_review(facts: Facts) -> bool:
    """Whether any reason applies; the database is asked only when nothing else does."""
    return any(reason.found_in(facts) for reason in REASONS)


def meeting_facts(meeting) -> Facts:
    """The facts of a stored (or about to be stored) meeting."""

    def unplaced():
        # A meeting not stored yet has no overrides: no query (the batch import numbers new
        # meetings before storing them).
        if meeting._state.adding:
            return False
        return meeting.overrides.filter(unmatched__isnull=False).exists()

    def in_doubt():
        if meeting._state.adding:
            return True
        return meeting.items.filter(
            restricted=True, restricted_reason__startswith=RESTRICTED_IN_DOUBT_WARNING
        ).exists()

    return Facts(meeting.date, meeting.body, meeting.warnings or [], unplaced, in_doubt)


def with_review_facts(queryset):
    """``queryset`` with what ``listed_reasons`` needs of each meeting besides its fields: a
    list of meetings says why each needs review without a query for each."""
    return queryset.annotate(review_unplaced=_unplaced(), review_in_doubt=_in_doubt())


def listed_reasons(meeting) -> list[Reason]:
    """Why a meeting of ``with_review_facts`` needs review; none when it is not flagged."""
    if not meeting.needs_review:
        return []
    facts = Facts(
        meeting.date,
        meeting.body,
        meeting.warnings or [],
        meeting.review_unplaced,
        meeting.review_in_doubt,
    )
    return reasons(facts)


def meeting_reasons(meeting) -> list[Reason]:
    """Why ``meeting``, as it is now, needs review."""
    return reasons(meeting_facts(meeting))


def filter_meetings(queryset, code: str):
    """The meetings of ``queryset`` that need review for the reason ``code``.

    Reasons found in the warnings are matched in Python on the flagged meetings' warnings:
    SQLite cannot look inside a JSON list, and few meetings are flagged.
    """
    reason = BY_CODE[code]
    if reason.condition is not None:
        return queryset.filter(reason.condition())
    flagged = queryset.filter(needs_review=True).exclude(warnings=[])
    found = [
        pk
        for pk, warnings in flagged.order_by().values_list("pk", "warnings")
        if any(reason.warning(text) for text in warnings or [])
    ]
    return queryset.filter(pk__in=found)
