"""What a layout reader returns: the header as printed and the items still as printed.

Kept apart from the readers (``layouts``, ``scheme``, ``egenda``) so that each of them can
build these without importing another.
"""

from dataclasses import dataclass, field


@dataclass
class RawItem:
    number: str = ""
    title: str = ""
    agenda_text: str = ""
    minutes_text: str = ""
    # True where the layout prints a "Minutes:" label, so an empty label means no minutes.
    labelled: bool = False
    # Why the layout cannot tell whether some of this item's text is its own (text it could
    # not place, kept here rather than lost): the item is restricted for review.
    doubt: str = ""


@dataclass
class Layout:
    shape: str
    header: str
    items: list[RawItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was inferred, for the reading note
