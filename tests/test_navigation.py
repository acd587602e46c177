"""The menu: each app registers its entries (counseling.nav); every role sees what it saw
when the template named every feature URL itself, in the same order."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from committees.models import Alert


class _Menu(HTMLParser):
    """The main menu as [(label, href)] for links and [(label, [(label, href) | "---"])]
    for dropdowns, read from `<ul class="navbar-nav me-auto">`."""

    def __init__(self):
        super().__init__()
        self.entries = []
        self.depth = 0  # <ul> nesting inside the menu; 0: outside it
        self.link = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ul":
            if self.depth or "me-auto" in (attrs.get("class") or ""):
                self.depth += 1
                if self.depth == 2:
                    label, _href = self.entries.pop()
                    self.entries.append((label, []))
        elif self.depth and tag == "a":
            self.link = attrs.get("href")
            self.text = []
        elif self.depth == 2 and tag == "hr":
            self.entries[-1][1].append("---")

    def handle_data(self, data):
        if self.link is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "ul" and self.depth:
            self.depth -= 1
        elif tag == "a" and self.link is not None:
            item = (" ".join("".join(self.text).split()), self.link)
            if self.depth == 2:
                self.entries[-1][1].append(item)
            else:
                self.entries.append(item)
            self.link = None


def menu_of(client):
    parser = _Menu()
    parser.feed(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    return parser.entries


BAROMETER_STAFF = [("Week board", "/committees/board/")]
COMMITTEES_ALL = [
    ("Meetings and trainings", "/committees/schedule/"),
    ("Committee association", "/committees/association/"),
    ("Training curriculum", "/committees/curriculum/"),
]
COMMITTEES_STAFF = [
    ("Meetings and trainings", "/committees/schedule/"),
    ("Members by class", "/committees/members/"),
    ("Committee association", "/committees/association/"),
    ("Training curriculum", "/committees/curriculum/"),
    ("Attendance rates", "/committees/attendance-rates/"),
]
EVENTS = [("Lectures", "/lectures/"), ("Group activities", "/lectures/activities/")]
PUBLICITY = [
    ("Bulletin board", "/lectures/bulletin/"),
    ("Open letters", "/lectures/letters/"),
    ("Theme months", "/lectures/theme-months/"),
]
ASK = [("Ask a question", "/lectures/questions/ask/")]
NETWORK = [
    ("Network", "/network/"),
    ("Classes", "/network/classes/"),
    ("Students", "/network/students/"),
]
HOME = ("Home", "/")
CALENDAR = ("Calendar", "/reports/calendar/")
REPORT = ("Semester report", "/reports/report/")
ROOM = ("Consultation room", "/consultations/")
COUNSELOR = [
    HOME,
    (
        "Barometer",
        [
            ("Week board", "/committees/board/"),
            ("Alerts", "/committees/alerts/"),
            ("Course suggestions", "/committees/suggestions/"),
            ("Scorecards", "/committees/board/scorecards/"),
            "---",
            ("Class absences", "/committees/absences/"),
            ("Barometer settings", "/committees/barometer/settings/"),
        ],
    ),
    ("Committee members", COMMITTEES_STAFF),
    (
        "Activities",
        [
            *EVENTS,
            ("Coverage", "/lectures/coverage/"),
            ("Venues", "/lectures/venues/"),
            "---",
            *PUBLICITY,
            *ASK,
            ("Students' questions", "/lectures/questions/"),
        ],
    ),
    ROOM,
    CALENDAR,
    REPORT,
]
SEMESTERS = [("Semesters", "/semesters/")]
ROLES = [("Roles", "/roles/")]
AUDIT = [("Audit trail", "/audit/")]

# Each role's menu as it was when the template named every feature URL itself.
EXPECTED = {
    "admin": [
        HOME,
        ("Committee members", COMMITTEES_ALL),
        ("Activities", [*EVENTS, "---", *PUBLICITY]),
        CALENDAR,
        ("School", [*NETWORK, *SEMESTERS, *ROLES, *AUDIT]),
    ],
    "principal": [
        HOME,
        ("Barometer", BAROMETER_STAFF),
        ("Committee members", COMMITTEES_STAFF),
        ("Activities", [*EVENTS, ("Coverage", "/lectures/coverage/"), "---", *PUBLICITY, *ASK]),
        CALENDAR,
        REPORT,
        ("School", [*NETWORK, *SEMESTERS, *ROLES]),
    ],
    "counselor": [*COUNSELOR, ("School", [*NETWORK, *SEMESTERS, *ROLES, *AUDIT])],
    "counselor2": [*COUNSELOR, ("School", [*NETWORK, *SEMESTERS])],
    "liaison": [
        HOME,
        ("Barometer", [*BAROMETER_STAFF, ("Course suggestions", "/committees/suggestions/")]),
        ("Committee members", COMMITTEES_STAFF),
        ("Activities", [*EVENTS, "---", *PUBLICITY, *ASK]),
        CALENDAR,
        ("School", NETWORK),
    ],
    "teacher": [
        HOME,
        ("Barometer", BAROMETER_STAFF),
        ("Committee members", COMMITTEES_STAFF),
        ("Activities", [*EVENTS, "---", *PUBLICITY, *ASK]),
        CALENDAR,
        ("School", NETWORK),
    ],
    "member": [
        HOME,
        (
            "Barometer",
            [
                ("File the barometer", "/committees/barometer/"),
                ("Immediate report", "/committees/barometer/immediate/"),
                ("Talk tasks", "/committees/talk-tasks/"),
                ("Course suggestions", "/committees/suggestions/"),
            ],
        ),
        ("Committee members", [("My record", "/committees/members/me/"), *COMMITTEES_ALL]),
        (
            "Activities",
            [
                *EVENTS,
                "---",
                *PUBLICITY,
                ("Confirm letters read out", "/lectures/letters/to-read/"),
                *ASK,
            ],
        ),
        CALENDAR,
    ],
    "student": [
        HOME,
        ("Committee members", COMMITTEES_ALL),
        ("Activities", [*PUBLICITY, *ASK]),
        ROOM,
        CALENDAR,
    ],
}


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_its_menu(world, client, english, who):
    client.force_login(world.people()[who])
    assert menu_of(client) == EXPECTED[who]


def test_the_counselor_has_home_and_seven_entries(world, client, english):
    client.force_login(world.counselor)
    assert len(menu_of(client)) == 1 + 7


def test_anonymous_visitors_get_no_menu(client):
    assert "navbar-nav me-auto" not in client.get(reverse("login")).content.decode()


def test_the_page_s_entry_is_marked_active(world, client, english):
    client.force_login(world.counselor)
    html = client.get(reverse("committees:alert-list")).content.decode()
    active = re.findall(r'class="nav-link[^"]* active"[^>]*>([^<]+)<', html)
    assert active == ["Barometer"]


def test_open_red_alerts_are_counted_on_the_menu_for_counselors(world, client, english):
    Alert.objects.create(
        school=world.school,
        semester=world.semester,
        school_class=world.cls,
        rule=Alert.Rule.URGENT,
        grade=Alert.Grade.RED,
        key="nav-test",
    )
    client.force_login(world.counselor)
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-barometer">Barometer <span class="badge rounded-pill text-bg-danger">1<' in html
    assert 'title="Open red alerts">1</span>' in html
    client.force_login(world.teacher)
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-barometer">Barometer</a>' in html


def test_the_core_templates_name_no_feature_url():
    templates = Path(__file__).resolve().parent.parent / "templates"
    for name in ("base.html", "includes/nav_items.html"):
        text = (templates / name).read_text()
        named = re.findall(r"""{%\s*url\s+['"]([\w-]+):""", text)
        assert not set(named) & {"committees", "lectures", "consultations", "reports"}, name
        assert "barometer_tags" not in text
