"""The main pages, as each role opens them, are in Chinese: no English word left untranslated.

For every (user, page) pair: the page answers 200, says <html lang="zh-hans">, and its visible
text (what is between tags, outside <script>, <style> and <noscript>, leaving out the English
choice of the footer's language menu) contains none of a few English words that a missing
{% translate %} typically leaves behind.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from reports.semester_report.exports import pdf_job
from reports.semester_report.models import ReportVersion
from tests.portal.rich_world import RichWorld

# Whole text nodes that are English UI words left untranslated (or Python values leaking).
DENIED_WORDS = {
    "Save",
    "Cancel",
    "Edit",
    "Back",
    "Delete",
    "Remove",
    "Submit",
    "Search",
    "Close",
    "Add",
    "New",
    "Next",
    "Previous",
    "Home",
    "Yes",
    "No",
    "Sign out",
    "Sign in",
    "Change password",
    "None",
    "True",
    "False",
}
# English phrases that may sit inside a longer text node.
DENIED_PATTERNS = [
    re.compile(r"\bWeek \d"),
    re.compile(r"\bPage \d"),
    re.compile(r"\bSession \d"),
    re.compile(r"\b\d+ (?:classes|students|entries|sessions)\b"),
    re.compile(r"\bof \d+\b"),
]
SKIPPED_TAGS = {"script", "style", "noscript", "template"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class VisibleText(HTMLParser):
    """The text nodes a reader sees, without scripts, styles and the footer's language menu."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.texts = []

    def _skipping(self):
        return any(
            tag in SKIPPED_TAGS or (tag == "select" and attrs.get("id") == "language")
            for tag, attrs in self.stack
        )

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.stack.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skipping():
            self.texts.append(text)


def visible_texts(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def leftover_english(html):
    found = []
    for text in visible_texts(html):
        if text in DENIED_WORDS:
            found.append(text)
        found.extend(m.group(0) for p in DENIED_PATTERNS for m in p.finditer(text))
    return found


def test_the_checker_finds_english_and_ignores_scripts_and_the_language_menu():
    html = """<html lang="zh-hans"><body><p>保存</p><button> Save </button>
    <span>第3周</span><span>Week 3</span><script>var x = "Cancel";</script>
    <style>.Edit{}</style><noscript><button>Go</button></noscript>
    <a title="Edit" href="#">编辑</a>
    <select id="language"><option value="zh-hans">简体中文</option><option value="en">English</option>
    </select></body></html>"""
    assert leftover_english(html) == ["Save", "Week 3"]
    assert "English" not in visible_texts(html)
    assert "简体中文" not in visible_texts(html)


def _pages(rw):
    """(username, path) of the pages each role uses, with the objects of the rich world."""
    member, cls, department = rw.member_row, rw.cls, rw.dept
    barometer, meeting, alert = rw.barometer, rw.meetings[0], rw.alerts[0]
    lecture, session, design, activity = rw.lecture, rw.session, rw.design, rw.activity
    issue, letter, month, event = rw.issue, rw.letter, rw.month, rw.event
    contest, draft = rw.contest, rw.report_version
    submitted = ReportVersion.objects.get(report__school=rw.school, status="submitted")
    pdf = pdf_job(submitted)
    r = reverse
    return [
        ("counselor", r("home")),
        ("counselor", r("counseling:department-list")),
        ("counselor", r("counseling:department-detail", args=[department.pk])),
        ("counselor", r("counseling:class-list")),
        ("counselor", r("counseling:class-detail", args=[cls.pk])),
        ("counselor", r("counseling:student-list")),
        ("counselor", r("counseling:student-new")),
        ("counselor", r("counseling:semester-list")),
        ("counselor", r("counseling:role-list")),
        ("counselor", r("counseling:audit-list")),
        ("counselor", r("committees:schedule")),
        ("counselor", r("committees:meeting-detail", args=[meeting.pk])),
        ("counselor", r("committees:attendance", args=[meeting.pk])),
        ("counselor", r("committees:member-list")),
        ("counselor", r("committees:member-detail", args=[member.pk])),
        ("counselor", r("committees:association")),
        ("counselor", r("committees:module-list")),
        ("counselor", r("committees:rates")),
        ("counselor", r("committees:barometer-detail", args=[barometer.pk])),
        ("counselor", r("committees:alert-list")),
        ("counselor", r("committees:alert-detail", args=[alert.pk])),
        ("counselor", r("committees:suggestion-list")),
        ("counselor", r("committees:absence-list")),
        ("counselor", r("committees:barometer-settings")),
        ("counselor", r("committees:week-board")),
        ("counselor", r("committees:class-trend", args=[cls.pk])),
        ("counselor", r("committees:department-trend", args=[department.pk])),
        ("counselor", r("committees:school-trend")),
        ("counselor", r("committees:scorecards")),
        ("counselor", r("lectures:lecture-list")),
        ("counselor", r("lectures:lecture-detail", args=[lecture.pk])),
        ("counselor", r("lectures:series-new", args=[lecture.pk])),
        ("counselor", r("lectures:session-detail", args=[session.pk])),
        ("counselor", r("lectures:session-record", args=[session.pk])),
        ("counselor", r("lectures:venue-list")),
        ("counselor", r("lectures:activity-design-list")),
        ("counselor", r("lectures:activity-design-detail", args=[design.pk])),
        ("counselor", r("lectures:activity-session-detail", args=[activity.pk])),
        ("counselor", r("lectures:coverage")),
        ("counselor", r("lectures:feedback-results", args=["lecture", lecture.pk])),
        ("counselor", r("lectures:feedback-results", args=["session", session.pk])),
        ("counselor", r("lectures:feedback-qr", args=["session", session.pk])),
        ("counselor", r("lectures:bulletin-list")),
        ("counselor", r("lectures:bulletin-detail", args=[issue.pk])),
        ("counselor", r("lectures:question-list")),
        ("counselor", r("lectures:letter-list")),
        ("counselor", r("lectures:letter-detail", args=[letter.pk])),
        ("counselor", r("lectures:theme-month-list")),
        ("counselor", r("lectures:theme-month-detail", args=[month.pk])),
        ("counselor", r("lectures:event-detail", args=[event.pk])),
        ("counselor", r("lectures:contest-detail", args=[contest.pk])),
        ("counselor", r("lectures:contest-results", args=[contest.pk])),
        ("counselor", r("reports:calendar")),
        ("counselor", r("reports:calendar-week")),
        ("counselor", r("reports:calendar-link")),
        ("counselor", r("reports:report")),
        ("counselor", r("reports:report-version", args=[draft.pk])),
        ("counselor", r("reports:report-section", args=[draft.pk, 0])),
        ("counselor", r("reports:report-preview", args=[draft.pk])),
        ("counselor", r("committees:barometer-export")),
        ("counselor", r("exports:job", args=[pdf.pk])),
        ("principal", r("reports:report") + f"?semester={submitted.report.semester_id}"),
        ("principal", r("reports:report-version", args=[submitted.pk])),
        ("principal", r("reports:report-preview", args=[submitted.pk])),
        ("counselor", r("notifications:inbox")),
        ("counselor", r("notifications:preferences")),
        ("counselor", r("notifications:webhook")),
        ("counselor", r("password_change")),
        ("counselor2", r("lectures:contest-judge-home")),
        ("principal", r("home")),
        ("principal", r("committees:week-board")),
        ("principal", r("committees:school-trend")),
        ("liaison", r("home")),
        ("liaison", r("committees:suggestion-list")),
        ("liaison", r("committees:department-trend", args=[department.pk])),
        ("teacher", r("home")),
        ("teacher", r("committees:class-trend", args=[cls.pk])),
        ("teacher", r("committees:barometer-detail", args=[barometer.pk])),
        ("member", r("home")),
        ("member", r("committees:barometer-file")),
        ("member", r("committees:immediate-report")),
        ("member", r("committees:talk-tasks")),
        ("member", r("committees:member-detail", args=[member.pk])),
        ("member", r("committees:schedule")),
        ("member", r("lectures:letter-mine")),
        ("member", r("lectures:question-ask")),
        ("student", r("home")),
        ("student", r("lectures:bulletin-list")),
        ("admin", r("home")),
        ("admin", r("counseling:audit-list")),
        ("admin", r("notifications:deliveries")),
        (None, r("login")),
        (None, r("lectures:feedback-form", args=[session.feedback_token])),
    ]


def test_the_main_pages_are_chinese_with_no_english_left(db, client):
    problems = []
    rw = RichWorld()
    pages = _pages(rw)
    people = rw.people()
    for username, path in pages:
        client.logout()
        if username:
            client.force_login(people[username])
        response = client.get(path)
        where = f"{username or 'anonymous'} {path}"
        if response.status_code != 200:
            problems.append(f"{where}: status {response.status_code}")
            continue
        html = response.content.decode()
        if '<html lang="zh-hans">' not in html:
            problems.append(f'{where}: not <html lang="zh-hans">')
        english = leftover_english(html)
        if english:
            problems.append(f"{where}: English left: {english}")
    assert len(pages) > 80
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en"])
def test_the_checker_would_catch_an_english_page(world, client, language):
    """Sanity check of the check: the same pages in English do trip it."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.counselor)
    html = client.get(reverse("counseling:semester-list")).content.decode()
    assert '<html lang="en">' in html
    assert leftover_english(html)
