"""Figure, FigureSet and the key listing: the contract the report and the pages read."""

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SUPPRESSED = "<3"
NO_DATA = "—"
SMALL = 3  # counts 1 and 2 of a sensitive kind below the school level are not shown

SECTIONS = {
    "lectures": _("Lectures"),
    "activities": _("Group activities"),
    "publicity": _("Publicity"),
    "committee": _("Committee network"),
    "barometer": _("Barometer"),
    "suggestions": _("Course suggestions"),
    "feedback": _("Feedback"),
    "coverage": _("Coverage"),
    "consultations": _("Consultation room"),
}

U_ITEMS = pgettext_lazy("unit", "items")  # 个
U_SESSIONS = pgettext_lazy("unit", "sessions")  # 场
U_PERSON_TIMES = pgettext_lazy("unit", "person-times")  # 人次
U_PEOPLE = pgettext_lazy("unit", "people")  # 人
U_ISSUES = pgettext_lazy("unit", "issues")  # 期
U_LETTERS = pgettext_lazy("unit", "letters")  # 封
U_EVENTS = pgettext_lazy("unit", "events")  # 项
U_ENTRIES = pgettext_lazy("unit", "entries")  # 件
U_TIMES = pgettext_lazy("unit", "times")  # 次
U_COPIES = pgettext_lazy("unit", "copies")  # 份
U_RECORDS = pgettext_lazy("unit", "records")  # 条
U_DAYS = pgettext_lazy("unit", "days")  # 天
U_PERCENT = "%"

# key: (label, unit, sensitive). The section is the key's first part; the order here is
# the order of each section.
KEYS = {
    "lectures.lectures": (_("Lecture series"), U_ITEMS, False),
    "lectures.lectures_held": (_("Lectures held"), U_ITEMS, False),
    "lectures.sessions": (_("Lecture sessions held"), U_SESSIONS, False),
    "lectures.attendance": (_("Lecture attendance"), U_PERSON_TIMES, False),
    "lectures.classes_reached": (_("Classes reached by lectures"), U_ITEMS, False),
    "lectures.students_reached": (_("Students reached by lectures"), U_PEOPLE, False),
    "activities.designs": (_("Activity designs used"), U_ITEMS, False),
    "activities.sessions": (_("Group activity sessions held"), U_SESSIONS, False),
    "activities.participants": (_("Group activity participants"), U_PERSON_TIMES, False),
    "publicity.bulletin_issues": (_("Bulletin issues published"), U_ISSUES, False),
    "publicity.questions": (_("Student questions received"), U_ITEMS, False),
    "publicity.questions_answered": (_("Student questions answered"), U_ITEMS, False),
    "publicity.open_letters": (_("Open letters sent"), U_LETTERS, False),
    "publicity.letter_classes": (_("Classes that confirmed an open letter"), U_ITEMS, False),
    "publicity.theme_months": (_("Theme months"), U_ITEMS, False),
    "publicity.theme_events": (_("Theme-month events"), U_EVENTS, False),
    "publicity.contest_entries": (_("Contest entries"), U_ENTRIES, False),
    "publicity.awards": (_("Awards"), U_EVENTS, False),
    "committee.members": (_("Committee members"), U_PEOPLE, False),
    "committee.classes_covered": (_("Classes with a committee member"), U_ITEMS, False),
    "committee.meetings_planned": (_("Committee meetings planned"), U_TIMES, False),
    "committee.meetings_held": (_("Committee meetings held"), U_TIMES, False),
    "committee.trainings_planned": (_("Committee trainings planned"), U_TIMES, False),
    "committee.trainings_held": (_("Committee trainings held"), U_TIMES, False),
    "committee.attendance_rate": (_("Committee attendance rate"), U_PERCENT, False),
    "committee.modules_completed": (_("Training modules completed"), U_PERSON_TIMES, False),
    "barometer.filed": (_("Barometers filed"), U_COPIES, False),
    "barometer.expected": (_("Barometers expected"), U_COPIES, False),
    "barometer.completeness": (_("Barometer completeness"), U_PERCENT, False),
    "barometer.timeliness": (_("Barometer timeliness"), U_PERCENT, False),
    "barometer.average_weather": (_("Average weather"), "", False),
    "barometer.concerns": (_("Concerns reported"), U_PERSON_TIMES, True),
    "barometer.alerts_raised": (_("Alerts raised"), U_RECORDS, True),
    "barometer.alerts_escalated": (_("Red alerts"), U_RECORDS, True),
    "barometer.alerts_closed": (_("Alerts closed"), U_RECORDS, True),
    "barometer.alerts_open": (_("Alerts still open"), U_RECORDS, True),
    "barometer.immediate_reports": (_("Immediate reports"), U_TIMES, True),
    "suggestions.sent": (_("Course suggestions sent"), U_RECORDS, False),
    "suggestions.answered": (_("Course suggestions answered"), U_RECORDS, False),
    "suggestions.median_days": (_("Median days to answer"), U_DAYS, False),
    "feedback.answers": (_("Feedback answers"), U_COPIES, False),
    "feedback.average": (_("Average satisfaction"), "", False),
    "feedback.lecture_answers": (_("Feedback answers on lectures"), U_COPIES, False),
    "feedback.activity_answers": (_("Feedback answers on group activities"), U_COPIES, False),
    "coverage.classes": (_("Active classes"), U_ITEMS, False),
    "coverage.classes_reached": (_("Classes reached"), U_ITEMS, False),
    "coverage.classes_uncovered": (_("Classes reached by nothing"), U_ITEMS, False),
}

# The columns of department- or class-level tables that count a sensitive kind.
SENSITIVE_COLUMNS = {
    "barometer_by_department": ["concerns", "alerts"],
}

TABLE_NAMES = [
    "lectures",
    "activities",
    "publicity",
    "meetings",
    "committee_by_department",
    "barometer_by_department",
    "barometer_by_week",
    "concerns_by_kind",
    "feedback",
    "uncovered_classes",
]
CHART_NAMES = ["weather_by_week", "filing_by_week", "attendance_by_department"]


def format_number(value, unit=""):
    if value is None:
        return NO_DATA
    if isinstance(value, float):
        if unit == U_PERCENT or not value.is_integer():
            return f"{value:.1f}"
        return str(int(value))
    return str(value)


def is_small(value):
    return isinstance(value, int | float) and 0 < value < SMALL


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | None
    unit: str = ""
    section: str = ""
    sensitive: bool = False
    scope: str = "school"  # "school" | "department" | "class"
    url: str | None = None

    def suppressed(self, *, counselor):
        return self.sensitive and self.scope != "school" and not counselor and is_small(self.value)

    def display(self, *, counselor):
        """The number as this reader may see it: "<3" for a small sensitive count below
        the school level, outside the counselors; percentages with one decimal."""
        if self.suppressed(counselor=counselor):
            return SUPPRESSED
        return format_number(self.value, self.unit)

    def text(self, *, counselor):
        """The displayed number with its unit ("11场", "87.5%"); "—" alone for no data."""
        shown = self.display(counselor=counselor)
        if shown == NO_DATA:
            return shown
        return f"{shown}{self.unit}"


def cell_display(table, row, column, *, counselor):
    value = row.get(column)
    if column in SENSITIVE_COLUMNS.get(table, ()) and not counselor and is_small(value):
        return SUPPRESSED
    return format_number(value) if isinstance(value, int | float) or value is None else value


@dataclass
class FigureSet:
    school_id: int
    semester_id: int
    figures: dict = field(default_factory=dict)  # key: Figure, in KEYS order
    tables: dict = field(default_factory=dict)  # name: [row dict]
    charts: dict = field(default_factory=dict)  # name: data dict

    def __getitem__(self, key):
        return self.figures[key]

    def __contains__(self, key):
        return key in self.figures

    def __iter__(self):
        return iter(self.figures.values())

    def get(self, key, default=None):
        return self.figures.get(key, default)

    def section(self, name):
        return [f for f in self.figures.values() if f.section == name]

    def sections(self):
        """(key, label, [Figure]) for every section with figures, in SECTIONS order."""
        return [(k, label, self.section(k)) for k, label in SECTIONS.items() if self.section(k)]

    def display_cell(self, table, row, column, *, counselor):
        return cell_display(table, row, column, counselor=counselor)

    def display_rows(self, table, *, counselor):
        """The table's rows with every scalar cell as the reader may see it."""
        return [
            {
                column: (
                    self.display_cell(table, row, column, counselor=counselor)
                    if not isinstance(value, list | dict)
                    else value
                )
                for column, value in row.items()
            }
            for row in self.tables.get(table, [])
        ]

    def as_snapshot(self):
        return {
            "version": 1,
            "school_id": self.school_id,
            "semester_id": self.semester_id,
            "figures": [asdict(f) for f in self.figures.values()],
            "tables": self.tables,
            "charts": self.charts,
        }

    @classmethod
    def from_snapshot(cls, data):
        return cls(
            school_id=data["school_id"],
            semester_id=data["semester_id"],
            figures={f["key"]: Figure(**f) for f in data["figures"]},
            tables={k: [dict(r) for r in v] for k, v in data["tables"].items()},
            charts={k: dict(v) for k, v in data["charts"].items()},
        )


def make_figure(key, value, *, url=None, scope="school"):
    label, unit, sensitive = KEYS[key]
    return Figure(
        key=key,
        label=str(label),
        value=value,
        unit=str(unit),
        section=key.split(".", 1)[0],
        sensitive=sensitive,
        scope=scope,
        url=url,
    )
