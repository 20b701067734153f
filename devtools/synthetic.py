"""Synthetic minutes for measuring the archive at scale: ``generate_archive``, the benchmark.

Everything is drawn from a seeded ``random.Random``, so the same seed gives the same archive.
The shape follows the partnership's real minutes and the committees of neighbouring councils:

- bodies: ten councils' committees and partnerships, each meeting on its own dates between
  2005 and 2025 (never two meetings of a body on one day), with the previous and next meeting
  dates printed as in the minutes;
- items: 10 to 30 a meeting (unless another range is asked for), numbered ``SSP 14/22`` style,
  with a title, a short agenda text and 100 to 400 words of minutes, mostly procedural or
  about one of the partnership's topics;
- words: English words drawn by their real frequency (``data/english_words.tsv``) mixed with
  the vocabulary of community-safety minutes ("council", "police", "anti-social behaviour");
- topics: a long tail, a few themes on tens of thousands of items and hundreds of operations on
  a handful each ("iQuanta" is on about one item in 2,500), each named where the link says;
- about 5% of items restricted, some with "Restricted -" in the title;
- attendees from a pool of people per body, and 0 to 3 decisions per item.

``ArchiveGenerator.meetings()`` yields plain ``SyntheticMeeting`` objects; writing them to the
database is ``generate_archive``'s business. ``minutes_document`` prints one as a text file, for
measuring the import, in one of the layouts real minutes come in (``LAYOUTS``): the formal
minutes, the ModernGov page with item references or without item numbers, and the decision
record of the partnership's 2008–2018 "egenda" system. Each meeting's layout is drawn from the
seed by a random source of its own, so the meetings and items are the same whatever the layouts.
"""

import datetime
import itertools
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "data" / "english_words.tsv"
FIRST_YEAR, LAST_YEAR = 2005, 2025
ITEMS_PER_MEETING = (10, 30)  # the fewest and the most

COUNCILS = [
    ("Stockton-on-Tees", "SBC"),
    ("Middlesbrough", "MBC"),
    ("Hartlepool", "HBC"),
    ("Redcar and Cleveland", "RCBC"),
    ("Darlington", "DBC"),
    ("Durham", "DCC"),
    ("Sunderland", "SCC"),
    ("Gateshead", "GC"),
    ("North Tyneside", "NTC"),
    ("South Tyneside", "STC"),
]
# (name, item prefix, relative number of meetings)
COMMITTEES = [
    ("Safer {place} Partnership", "SSP", 3),
    ("{place} Community Safety Committee", "CSC", 2),
    ("{place} Cabinet", "CAB", 3),
    ("{place} Licensing Committee", "LIC", 2),
    ("{place} Health and Wellbeing Board", "HWB", 1),
    ("{place} Crime and Disorder Select Committee", "CDS", 1),
    ("{place} Youth Offending Management Board", "YOB", 1),
    ("{place} Place Select Committee", "PSC", 1),
    ("{place} Children and Young People Select Committee", "CYP", 1),
    ("{place} Audit and Governance Committee", "AUD", 1),
    ("{place} Planning Committee", "PLN", 2),
    ("{place} Housing and Communities Panel", "HCP", 1),
]

# Words of community-safety minutes, by how often they are written. About one word in twelve
# of the minutes comes from here, so that "council" is in nearly half the items and "police" in
# over a third.
DOMAIN_TERMS = {
    "council": 4.2, "police": 2, "partnership": 7, "community": 9, "safety": 7, "crime": 9,
    "anti-social behaviour": 0.5, "residents": 5, "officers": 6, "report": 8, "members": 7,
    "funding": 3, "patrols": 3, "victims": 3, "domestic abuse": 0.6, "youth": 2, "offending": 2,
    "reoffending": 1.5, "neighbourhood": 4, "enforcement": 3, "licensing": 1.5, "CCTV": 1.5,
    "drugs": 2, "alcohol": 2, "burglary": 1.2, "shoplifting": 1, "vulnerable": 2,
    "safeguarding": 2, "Cleveland Police": 0.5, "ward": 3, "agenda": 1.5, "budget": 2,
    "priorities": 2, "performance": 3, "figures": 2, "quarter": 2, "update": 3, "strategy": 2,
    "action plan": 1.5, "scrutiny": 1, "Police and Crime Commissioner": 0.3, "PCSO": 1,
    "hotspot": 0.8, "town centre": 1.5, "probation": 0.8, "Cleveland Fire Brigade": 0.6,
    "housing": 2, "tenants": 1, "noise nuisance": 0.5, "fly-tipping": 0.6, "graffiti": 0.5,
    "hate crime": 0.8, "knife crime": 0.7, "exploitation": 0.7, "partners": 3,
    "behaviour": 1.5, "incidents": 2.5, "reduction": 1.5, "recorded": 1.5, "borough": 2,
    "Cllr": 1.5, "the Chair": 1.2, "Democratic Services": 0.6, "trading standards": 0.4,
    "operation": 1.2, "multi-agency": 0.8, "prevention": 1.2, "intervention": 1,
    "commissioning": 0.6, "referrals": 1, "detections": 0.4, "arrests": 0.8,
}  # fmt: skip
DOMAIN_SHARE = 0.08

# Topics by how many items are about them: the first ones on tens of thousands of items, then
# a long tail of operations. The seeded topics (migration 0002) keep their names.
THEMES = [
    "Anti-Social Behaviour", "Recorded Crime & Disorder", "Domestic Abuse", "Knife Crime",
    "Youth Offending", "Town Centre", "CCTV", "Hate Crime", "Drug Related Deaths",
    "Alcohol Harm", "Selective Licensing", "Serious and Organised Crime", "Road Safety",
    "Fly-tipping", "Burglary", "Shoplifting", "Deliberate Fires", "Reducing Reoffending",
    "Street Pastors", "Off-road bikes", "Modern Slavery", "Child Exploitation",
    "Domestic Homicide Reviews", "Night-Time Economy", "Scams and Fraud", "Cuckooing",
    "Neighbourhood Watch", "Operation Harmony", "Operation Nightfall", "Prevent",
    "Operation Shield", "Cyber Crime", "Water Safety", "Fireworks", "Hoarding",
]  # fmt: skip
OPERATION_COUNT = 460
IQUANTA_RANK = 420  # iQuanta, the crime-statistics tool: a rare word
TOPIC_EXPONENT = 1.1
TOPICAL_SHARE = 0.75  # items about a topic; the rest are procedural
CASE_SENSITIVE_TOPICS = {"Prevent"}

PROCEDURAL_TITLES = [
    "Evacuation Procedure", "Introductions/Apologies", "Declarations of Interest",
    "Minutes of the Last Meeting", "Matters Arising", "Any Other Business",
    "Date and Time of Next Meeting", "Forward Plan", "Chair's Update", "Work Programme",
    "Partnership Performance Report", "Budget Monitoring", "Council Plan Update",
    "Police and Crime Commissioner Update", "Community Safety Plan", "Risk Register",
]  # fmt: skip
TOPIC_TITLES = [
    "{topic}",
    "{topic} Update",
    "{topic}: Performance Report",
    "Update on {topic}",
    "{topic} – Quarterly Figures",
    "{topic} Action Plan",
    "Presentation: {topic}",
]
RESTRICTED_REASONS = [
    "Schedule 12A, paragraph 1: information relating to an individual",
    "Schedule 12A, paragraph 3: financial or business affairs",
    "Schedule 12A, paragraph 7: prevention or detection of crime",
]
DECISIONS = [
    ("noted", "The report be noted."),
    ("noted", "Members noted the update on {subject}."),
    ("approved", "The {subject} action plan be approved."),
    ("approved", "The recommendations of the report be approved."),
    ("action", "Officers report back on {subject} at the next meeting."),
    ("action", "A briefing on {subject} be circulated to all members."),
    ("deferred", "Consideration of {subject} be deferred to the next meeting."),
    ("other", "The Partnership's thanks be recorded."),
]
STATUSES = [("heard", 0.88), ("deferred", 0.05), ("not_heard", 0.03), ("no_minutes", 0.04)]
RESTRICTED_SHARE = 0.05
# How a meeting is printed by ``minutes_document``; each is drawn equally often.
FORMAL = "formal"
MODERNGOV = "moderngov"
MODERNGOV_UNNUMBERED = "moderngov_unnumbered"
EGENDA = "egenda"
LAYOUTS = (FORMAL, MODERNGOV, MODERNGOV_UNNUMBERED, EGENDA)
FIRST_NAMES = [
    "Steve", "Norma", "Ann", "Marc", "Lisa", "Sharon", "Jon", "Angela", "Mandy", "Gary",
    "Leanne", "Dave", "Jill", "Sarah", "Peter", "John", "Alex", "Sean", "Karen", "Paul",
    "Helen", "Mark", "Claire", "Andrew", "Julie", "David", "Susan", "Ian", "Joanne", "Michael",
    "Emma", "Robert", "Nicola", "Chris", "Rachel", "Graham", "Louise", "Stuart", "Dawn", "Tony",
]  # fmt: skip
SURNAMES = [
    "Nelson", "Stephenson", "McCoy", "Allinson", "Anderson", "Barnett", "Carling", "Corner",
    "MacKinnon", "Graham", "Knight", "Maloney", "Willingham", "Lax", "Willoughby", "Wilson",
    "Rowlands", "Bell", "Devine", "Sinclair", "Ormerod", "Hall", "Robson", "Dixon", "Walker",
    "Thompson", "Wright", "Harrison", "Wood", "Scott", "Atkinson", "Bainbridge", "Hutchinson",
    "Dobson", "Pearson", "Metcalfe", "Armstrong", "Charlton", "Lambert", "Teasdale", "Nixon",
    "Fenwick", "Hodgson", "Brown", "Moore", "Coulson", "Elliott", "Forster", "Gibson",
]  # fmt: skip
ORGANISATIONS = [
    "Cleveland Police",
    "Cleveland Fire Brigade",
    "Probation Service",
    "Thirteen",
    "Catalyst",
    "NHS",
    "Office of the Police and Crime Commissioner",
    "Youth Offending Service",
]
ROLES = ["Chair", "Vice Chair"]


@dataclass
class SyntheticItem:
    number: str
    title: str
    agenda_text: str
    minutes_text: str
    restricted: bool
    restricted_reason: str
    status: str
    decisions: list[tuple[str, str]]  # (kind, text)
    topics: dict[str, bool]  # topic name: named in the title


@dataclass
class SyntheticAttendee:
    name: str
    printed: str
    title: str
    role: str
    organisation: str
    attendance: str


@dataclass
class SyntheticMeeting:
    body: str
    date: datetime.date
    previous_meeting: datetime.date | None
    next_meeting: datetime.date | None
    venue: str
    items: list[SyntheticItem] = field(default_factory=list)
    attendees: list[SyntheticAttendee] = field(default_factory=list)
    layout: str = FORMAL  # how ``minutes_document`` prints it


def load_words(path: Path = WORDS_FILE) -> list[tuple[str, float]]:
    """The English words and their Zipf frequencies, most frequent first."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            word, zipf = line.split("\t")
            words.append((word, float(zipf)))
    return words


def topic_names(words: list[tuple[str, float]]) -> list[str]:
    """Every topic, the most discussed first: themes, then operations named after words."""
    names = list(THEMES)
    taken = {name.casefold() for name in names}
    candidates = [word for word, _ in words if 5 <= len(word) <= 10][300:]
    random.Random(20250122).shuffle(candidates)
    for word in candidates:
        if len(names) >= len(THEMES) + OPERATION_COUNT:
            break
        name = f"Operation {word.capitalize()}"
        if name.casefold() not in taken:
            taken.add(name.casefold())
            names.append(name)
    names.insert(IQUANTA_RANK, "iQuanta")
    return names


def body_names() -> list[tuple[str, str, int]]:
    """(body, item prefix, relative number of meetings) of every body."""
    return [
        (template.format(place=place), prefix, weight)
        for place, _ in COUNCILS
        for template, prefix, weight in COMMITTEES
    ]


class ArchiveGenerator:
    """Meetings of many bodies, with items, decisions, topics and attendees; see the module."""

    def __init__(self, seed: int = 1, *, taken_dates=frozenset()):
        self.rng = random.Random(seed)
        # Apart from ``rng``, so that the meetings are the same as before layouts were drawn.
        self.layout_rng = random.Random(f"{seed}:layouts")
        words = load_words()
        vocabulary = [word for word, _ in words]
        weights = [10**zipf for _, zipf in words]
        general_total = sum(weights)
        domain_total = sum(DOMAIN_TERMS.values())
        scale = general_total * DOMAIN_SHARE / (1 - DOMAIN_SHARE) / domain_total
        vocabulary += list(DOMAIN_TERMS)
        weights += [weight * scale for weight in DOMAIN_TERMS.values()]
        self.vocabulary = vocabulary
        self.cumulative = list(itertools.accumulate(weights))
        self.topics = topic_names(words)
        topic_weights = [rank**-TOPIC_EXPONENT for rank in range(1, len(self.topics) + 1)]
        self.topic_cumulative = list(itertools.accumulate(topic_weights))
        self.bodies = body_names()
        self.taken_dates = taken_dates  # (body, date) pairs already in the database
        self.people = self._people()

    # Pieces

    def _words(self, count: int) -> list[str]:
        return self.rng.choices(self.vocabulary, cum_weights=self.cumulative, k=count)

    def _topic(self) -> str:
        cumulative = self.topic_cumulative
        position = bisect_right(cumulative, self.rng.random() * cumulative[-1])
        return self.topics[min(position, len(self.topics) - 1)]

    def text(self, count: int, mentions=()) -> str:
        """About ``count`` words in sentences, naming each of ``mentions`` once."""
        rng = self.rng
        words = self._words(count)
        sentences, start = [], 0
        while start < len(words):
            length = rng.randint(8, 22)
            sentence = words[start : start + length]
            sentence[0] = sentence[0][:1].upper() + sentence[0][1:]
            sentences.append(" ".join(sentence) + ".")
            start += length
        for name in mentions:
            sentence = rng.choice(
                [
                    f"Members discussed {name}.",
                    f"An update on {name} was given by officers.",
                    f"The report on {name} showed progress this quarter.",
                    f"Partners highlighted {name} as a priority.",
                ]
            )
            sentences.insert(rng.randint(0, len(sentences)), sentence)
        paragraphs, start = [], 0
        while start < len(sentences):
            length = rng.randint(2, 6)
            paragraphs.append(" ".join(sentences[start : start + length]))
            start += length
        return "\n\n".join(paragraphs)

    def _people(self) -> dict[str, list[tuple[str, str, str]]]:
        """Forty people for each body: (name, title, organisation)."""
        people = {}
        for body, _, _ in self.bodies:
            pool = []
            for _ in range(40):
                name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(SURNAMES)}"
                if self.rng.random() < 0.5:
                    pool.append((name, "Cllr", ""))
                else:
                    pool.append((name, "", self.rng.choice(ORGANISATIONS)))
            people[body] = pool
        return people

    def _attendees(self, body: str) -> list[SyntheticAttendee]:
        rng = self.rng
        chosen = rng.sample(self.people[body], rng.randint(6, 14))
        attendees, seen = [], set()
        for index, (name, title, organisation) in enumerate(chosen):
            if name in seen:
                continue
            seen.add(name)
            role = ROLES[index] if index < len(ROLES) and title else ""
            kind = "present" if index < len(chosen) - 2 else rng.choice(["apologies", "officer"])
            printed = " ".join(part for part in (title, name) if part)
            if role:
                printed += f" ({role})"
            elif organisation:
                printed += f" ({organisation})"
            attendees.append(SyntheticAttendee(name, printed, title, role, organisation, kind))
        return attendees

    def _item(self, prefix: str, number: int, year: int) -> SyntheticItem:
        rng = self.rng
        topics: dict[str, bool] = {}
        if rng.random() < TOPICAL_SHARE:
            topic = self._topic()
            in_title = rng.random() < 0.6
            topics[topic] = in_title
            title = rng.choice(TOPIC_TITLES).format(topic=topic) if in_title else None
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                topics.setdefault(self._topic(), False)
        else:
            title = None
        if title is None:
            title = rng.choice(PROCEDURAL_TITLES)
        restricted = rng.random() < RESTRICTED_SHARE
        if restricted and rng.random() < 0.5:
            title = f"Restricted - {title}"
        status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
        mentions = [name for name, in_title in topics.items() if not in_title]
        agenda = self.text(rng.randint(15, 50))
        minutes = "" if status == "no_minutes" else self.text(rng.randint(100, 400), mentions)
        if status == "no_minutes" and mentions:
            agenda = self.text(rng.randint(15, 50), mentions)
        if restricted and rng.random() < 0.5:
            agenda += "\n\nThis item was restricted: it contains exempt information."
        subject = next(iter(topics), "the item")
        decisions = []
        if status == "heard":
            for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
                kind, template = rng.choice(DECISIONS)
                decisions.append((kind, template.format(subject=subject)))
        return SyntheticItem(
            number=f"{prefix} {number}/{year % 100:02d}",
            title=title,
            agenda_text=agenda,
            minutes_text=minutes,
            restricted=restricted,
            restricted_reason=rng.choice(RESTRICTED_REASONS) if restricted else "",
            status=status,
            decisions=decisions,
            topics=topics,
        )

    # Meetings

    def schedule(self, count: int) -> list[tuple[str, str, datetime.date]]:
        """``count`` (body, prefix, date) of meetings, in a shuffled order, none on a taken day."""
        rng = self.rng
        first = datetime.date(FIRST_YEAR, 1, 1).toordinal()
        last = datetime.date(LAST_YEAR, 12, 31).toordinal()
        weights = [weight for _, _, weight in self.bodies]
        chosen: set[tuple[str, datetime.date]] = set()
        meetings = []
        attempts = 0
        while len(meetings) < count:
            attempts += 1
            if attempts > count * 20:
                raise ValueError("No free dates left for more meetings of these bodies.")
            body, prefix, _ = rng.choices(self.bodies, weights=weights)[0]
            day = datetime.date.fromordinal(rng.randint(first, last))
            if day.weekday() >= 5:
                continue
            key = (body, day)
            if key in chosen or key in self.taken_dates:
                continue
            chosen.add(key)
            meetings.append((body, prefix, day))
        return meetings

    def meetings(self, count: int, items: tuple[int, int] = ITEMS_PER_MEETING):
        """Yield ``count`` meetings with their items (between the two numbers of ``items``)
        and attendees."""
        planned = self.schedule(count)
        dates: dict[str, list[datetime.date]] = {}
        for body, _, day in planned:
            dates.setdefault(body, []).append(day)
        for days in dates.values():
            days.sort()
        counters: dict[tuple[str, int], int] = {}
        for body, prefix, day in planned:
            days = dates[body]
            index = days.index(day)
            meeting = SyntheticMeeting(
                body=body,
                date=day,
                previous_meeting=days[index - 1] if index else None,
                next_meeting=days[index + 1] if index + 1 < len(days) else None,
                venue=f"Committee Room {self.rng.randint(1, 4)}, Municipal Buildings",
            )
            first_number = counters.get((body, day.year), 1)
            size = self.rng.randint(*items)
            counters[(body, day.year)] = first_number + size
            meeting.items = [
                self._item(prefix, first_number + offset, day.year) for offset in range(size)
            ]
            meeting.attendees = self._attendees(body)
            meeting.layout = self.layout_rng.choice(LAYOUTS)
            yield meeting


# A meeting as a minutes file


def minutes_document(meeting: SyntheticMeeting, layout: str | None = None) -> str:
    """The meeting as a text file in ``layout`` (by default the meeting's own).

    Restricted items come last, under a heading that says they are confidential, as councils
    print them; the public items keep their order.
    """
    return _WRITERS[layout or meeting.layout](meeting)


def items_in_document_order(meeting: SyntheticMeeting) -> list[SyntheticItem]:
    """The items as ``minutes_document`` prints them: the public ones, then the restricted."""
    return [item for item in meeting.items if not item.restricted] + [
        item for item in meeting.items if item.restricted
    ]


def _formal(meeting: SyntheticMeeting) -> str:
    """The formal minutes: "A meeting of … was held on …", the attendance, then items headed
    ``SSP 14/22 Title``."""
    day = meeting.date
    lines = [
        meeting.body,
        "",
        f"A meeting of {meeting.body} was held on {day:%A}, {_ordinal(day.day)} {day:%B}, "
        f"{day.year}.",
        "",
    ]
    kinds = {"present": "Present", "officer": "Officers", "apologies": "Apologies"}
    for kind, label in kinds.items():
        lines += [f"{label}: {', '.join(_names(meeting, kind))}", ""]
    for item in _with_section(meeting, "Part 2 - Confidential items"):
        if isinstance(item, str):
            lines += [item, ""]
            continue
        lines += [f"{item.number} {item.title}", ""]
        text = item.minutes_text or item.agenda_text
        lines += [text, ""]
        if item.decisions:
            lines.append("AGREED that:")
            lines += [f"{n}. {text}" for n, (_, text) in enumerate(item.decisions, start=1)]
            lines.append("")
    return "\n".join(lines)


def _moderngov(meeting: SyntheticMeeting) -> str:
    """The "Agenda and minutes" page: ``SSP/14/22``, the title, the agenda text, "Minutes:"."""
    lines = _moderngov_header(meeting) + ["Items", "No. Item", ""]
    for item in _with_section(meeting, "Part B - Exempt items"):
        if isinstance(item, str):
            lines += [item, ""]
            continue
        lines += [item.number.replace(" ", "/"), "", item.title, ""]
        if item.agenda_text:
            lines += [item.agenda_text, ""]
        lines += ["Minutes:", ""]
        if item.minutes_text:
            lines += [item.minutes_text, ""]
        if item.decisions:
            lines += [_resolved(item.decisions, "RESOLVED"), ""]
    return "\n".join(lines)


def _moderngov_unnumbered(meeting: SyntheticMeeting) -> str:
    """The ModernGov page without item numbers or "Minutes:" labels: a title, then its text,
    each after two blank lines."""
    lines = _moderngov_header(meeting)
    if meeting.date.day % 2:  # some pages keep the table's heading, some do not
        lines += ["No. Item", ""]
    for item in _with_section(meeting, "Confidential items"):
        if isinstance(item, str):  # the heading closes the text above it
            lines += [item, ""]
            continue
        lines += ["", item.title, "", ""]
        paragraphs = [item.minutes_text or item.agenda_text]
        if item.decisions:
            paragraphs.append(_resolved(item.decisions, "RESOLVED"))
        lines += ["\n\n".join(paragraphs), ""]
    return "\n".join(lines)


def _moderngov_header(meeting: SyntheticMeeting) -> list[str]:
    day = meeting.date
    officers = [a.name for a in meeting.attendees if a.attendance == "officer"]
    officers = officers or ["Democratic Services"]
    return [
        "Agenda and minutes",
        "",
        f"{meeting.body} - {day:%A} {_ordinal(day.day)} {day:%B}, {day.year} {_time(meeting)}",
        "",
        f"Venue: {meeting.venue}",
        "",
        f"Contact: Democratic Services Officer - {officers[0]}",
        "",
    ]


def _egenda(meeting: SyntheticMeeting) -> str:
    """The decision record: the date, time and place each under its label, the attendance
    under "Attendance Details", then a row per item (prefix, number, title in capitals,
    decision) under "Public" or "Confidential", and last a "Preamble" that repeats the public
    items' numbers with their minutes."""
    day = meeting.date
    lines = [
        f"{meeting.body} Minutes",
        "",
        "Date:",
        f"{day:%A}, {_ordinal(day.day)} {day:%B}, {day.year}",
        "Time:",
        _time(meeting).replace("am", "a.m.").replace("pm", "p.m."),
        "Place:",
        meeting.venue,
        " ",
        "These minutes are to be approved at the next meeting",
        "",
        "Attendance Details",
        "",
    ]
    kinds = {"present": "Present:", "officer": "Officers:", "apologies": "Apologies for absence:"}
    for kind, label in kinds.items():
        lines += [label, ", ".join(_names(meeting, kind)) or "None"]
    lines += ["Item Description Decision", "Public"]
    preamble = []
    for item in _with_section(meeting, "Confidential"):
        if isinstance(item, str):
            lines.append(item)
            continue
        prefix, number = item.number.split(" ", 1)
        lines += [prefix, number, item.title.upper()]
        lines.append(_resolved(item.decisions, "RESOLVED", "AGREED that:-\n") or " ")
        if not item.restricted and item.minutes_text:
            preamble += [prefix, number, item.minutes_text]
    lines += [_time(meeting).replace(" ", ""), "", "Preamble", "", "ItemPreamble", *preamble]
    return "\n".join(lines)


def _with_section(meeting: SyntheticMeeting, heading: str) -> list[SyntheticItem | str]:
    """The items in document order, with ``heading`` before the restricted ones."""
    ordered = items_in_document_order(meeting)
    public = [item for item in ordered if not item.restricted]
    restricted = ordered[len(public) :]
    return [*public, heading, *restricted] if restricted else public


def _resolved(decisions: list[tuple[str, str]], word: str, list_opening: str = "") -> str:
    """ "RESOLVED that the report be noted.", or the decisions numbered after "… that:"."""
    if not decisions:
        return ""
    if len(decisions) == 1:
        text = decisions[0][1]
        return f"{word} that {text[:1].lower()}{text[1:]}"
    opening = list_opening or f"{word} that:\n"
    return opening + "\n".join(f"{n}. {text}" for n, (_, text) in enumerate(decisions, start=1))


def _names(meeting: SyntheticMeeting, attendance: str) -> list[str]:
    return [a.printed for a in meeting.attendees if a.attendance == attendance]


def _time(meeting: SyntheticMeeting) -> str:
    return "9.30 am" if meeting.date.toordinal() % 3 else "2.00 pm"


_WRITERS = {
    FORMAL: _formal,
    MODERNGOV: _moderngov,
    MODERNGOV_UNNUMBERED: _moderngov_unnumbered,
    EGENDA: _egenda,
}


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"
