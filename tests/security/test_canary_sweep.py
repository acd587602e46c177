"""The canary sweep (issue 9): a unique canary in every tier-3 field, then every page, export,
PDF, e-mail, feed, log record, task argument and raw database row searched for it.

The world is tests/personas.py's school with a third counselor and the tier-3 data of one
semester, each value carrying its own canary (`Canaries`), written through the services
the portal itself uses, so that their e-mails, notifications, log lines and tasks are swept
too. Every persona then fetches every page the shared walker (tests/crawler.py) can fill
with this world's objects, and downloads every export. A canary may appear only to the
readers its tier names (DESIGN.md, "Data that must be protected"):

- committee tier 3 (students of concern, immediate reports, alerts and their notes, talks),
  letters to the room, requests to talk: the school's counselors;
- a case's content: its counselor and the head counselor, and a counselor with a live
  break-the-glass grant on it;
- a student's own booking and request: that student as well as the counselors; its online
  thread: the student, the counselor it wrote to and the head counselor.

Nobody else, on no page, in no file, e-mail, log record or task argument; and in the
database only encrypted, never in clear.
"""

import datetime
import io
import logging
import secrets
import zipfile

import pytest
from celery import signals
from celery.app.task import Task
from django.core import mail
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from committees.barometer import services as barometer_services
from committees.models import (
    Alert,
    BarometerSettings,
    CommitteeMember,
    ConcernKind,
    CourseSuggestion,
    TalkTask,
)
from consultations.booking import services as booking
from consultations.booking.models import TalkRequest
from consultations.cases import services as cases
from consultations.cases.models import ReferralService
from consultations.letters import services as letters
from consultations.online import services as online
from counseling import crypto
from counseling.models import Role
from counseling.notifications.models import Notification, NotificationPreference
from counseling.notifications.registry import kinds
from reports.models import CalendarToken
from reports.semester_report.services import start_report
from tests import crawler
from tests.exports.flow import download
from tests.personas import World

pytestmark = pytest.mark.django_db

COUNSELORS = {"counselor", "counselor2", "counselor3"}
HEAD = "counselor"


class Canaries:
    """One unique marker per tier-3 value, and who may read it."""

    def __init__(self):
        self.readers = {}  # canary -> the personas that may see it
        self.kept = set()  # canaries kept for the record, shown on no page

    def new(self, label, readers=COUNSELORS, *, shown=True):
        canary = f"zq{label}{secrets.token_hex(4)}"
        self.readers[canary] = set(readers)
        if not shown:
            self.kept.add(canary)
        return canary


def _canary_world():
    """The personas' school, a third counselor, and tier 3 in every field (see the module)."""
    world = World()
    world.counselor3 = world._person("counselor3", "钱老师", Role.Kind.COUNSELOR)
    # Every notice of every kind by e-mail too, so that the e-mails are swept.
    for name, person in {**world.people(), "counselor3": world.counselor3}.items():
        person.email = f"{name}@canary.example.org"
        person.save(update_fields=["email"])
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=person, kind=kind.key, email=True) for kind in kinds()
        )
    c = Canaries()
    s, cls = world.semester, world.cls
    member_row = CommitteeMember.objects.create(
        semester=s, school_class=cls, student=world.member_student
    )
    roster = [st for st in world.students[cls.pk] if st.pk != world.member_student.pk]
    concerned, reported = roster[0], roster[1]

    week = s.teaching_weeks()[0]
    deadline = BarometerSettings.for_school(world.school).deadline(s, week)
    barometer, _created = barometer_services.file_barometer(
        world.member,
        cls,
        s,
        week,
        barometer_services.Filing(
            weather=2,
            note="班级整体平稳",
            concerns={ConcernKind.FAMILY: 1},
            students=[(concerned, ConcernKind.FAMILY, "urgent", c.new("concernnote"))],
            suggestions=["专业课作业量可以少一点"],
        ),
        now=deadline - datetime.timedelta(days=2),
    )
    barometer_services.immediate_report(world.member, cls, s, reported, c.new("immediatenote"))
    immediate = Alert.objects.get(immediate_report__isnull=False, school=world.school)
    barometer_services.follow_up(immediate, world.counselor, c.new("alertnote"))
    urgent = Alert.objects.filter(school=world.school, rule=Alert.Rule.URGENT).first()
    task = TalkTask.objects.filter(alert=urgent).first() or TalkTask.objects.create(
        alert=urgent, member=member_row
    )
    barometer_services.complete_talk_task(task, world.member, c.new("talknote"))
    barometer_services.follow_up(
        urgent,
        world.counselor,
        c.new("closingnote"),
        status=Alert.Status.CLOSED,
        outcome=c.new("alertoutcome"),
    )

    # A case of the head counselor's: counselor2 and counselor3 may not read its content.
    own = {HEAD}
    case = cases.open_case(
        world.counselor,
        concerned,
        origin="self",
        concern="mood",
        risk="orange",
        rating=3,
        concerns=c.new("caseconcerns", own),
    )
    cases.set_risk(case, world.counselor, "yellow", c.new("riskreason", own))
    note = cases.add_note(case, world.counselor, c.new("sessionnote", own))
    cases.sign_note(note, world.counselor)
    note.refresh_from_db()
    cases.amend_note(note, world.counselor, c.new("amendment", own), c.new("amendwhy", own))
    cases.add_parent_contact(case, world.counselor, "母亲", c.new("parentcontact", own))
    service = ReferralService.objects.create(school=world.school, name="市精神卫生中心")
    referral = cases.refer(case, world.counselor, service, c.new("referralwhy", own))
    cases.follow_up(referral, world.counselor, c.new("referralfollowup", own))
    cases.save_plan(
        case,
        world.counselor,
        goals=c.new("plangoals", own),
        measures=c.new("planmeasures", own),
        responsibilities=c.new("planwho", own),
        review_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    cases.review_plan(case, world.counselor, c.new("planreview", own))
    # A second, closed case that counselor3 opened by breaking the glass.
    glass = {HEAD, "counselor3"}
    closed = cases.open_case(
        world.counselor,
        reported,
        origin="self",
        concern="mood",
        risk="yellow",
        rating=2,
        concerns=c.new("closedconcerns", glass),
    )
    cases.close_case(
        closed, world.counselor, outcome=c.new("caseoutcome", glass), rating=4, risk="none"
    )
    cases.break_glass(closed, world.counselor3, c.new("glassreason", glass, shown=False))

    letter, _code = letters.write_letter(world.school, c.new("letterbody"))
    letters.reply(letter, world.counselor, c.new("letterreply"))

    student = COUNSELORS | {"student"}
    # An online thread: the student, the counselor it wrote to and the head counselor.
    thread_readers = {HEAD, "counselor2", "student"}
    booking.request_talk(world.student, channel="phone", reason=c.new("talkreason", student))
    starts = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=2)
    booked = booking.book_on_behalf(
        world.counselor,
        world.student_record,
        starts_at=starts,
        channel="in_person",
        reason=c.new("bookingreason", student),
    )
    thread = online.start_thread(
        world.student,
        counselor_id=world.counselor2.pk,
        subject=c.new("threadsubject", thread_readers),
        body=c.new("threadbody", thread_readers),
    )
    online.post(world.counselor2, thread, c.new("threadreply", thread_readers))

    report = start_report(world.counselor, s).versions.get(status="draft")
    objects = {
        "school": world.school,
        "semester": s,
        "department": world.dept,
        "class": cls,
        "student": concerned,
        "role": Role.objects.get(user=world.member, kind=Role.Kind.COMMITTEE_MEMBER),
        "barometer": barometer,
        "alerts": [immediate, urgent],
        "suggestion": CourseSuggestion.objects.filter(barometer=barometer).first(),
        "member": member_row,
        "case": case,
        "cons_letter": letter,
        "c_booking": booked,
        "c_talk": TalkRequest.objects.get(student=world.student_record),
        "c_thread": thread,
        "report_version": report,
        "notification": Notification.objects.filter(recipient=world.counselor).first(),
    }
    return world, c, objects, [reverse("consultations:case-detail", args=[closed.pk])]


# --- Where to look -------------------------------------------------------------------------


def addresses(objects, more, user):
    """(url name, url) of every page the walker fills with this world's objects, and more."""
    kwargs = crawler.path_kwargs(objects)
    result = [("more", url) for url in more]
    for name, pattern in crawler.patterns():
        if user is not None and name in crawler.ANONYMOUS_ONLY:
            continue
        if name == "reports:calendar-feed":
            token = CalendarToken.for_user(user).token if user else "x" * 43
            result.append((name, reverse(name, kwargs={"token": token})))
        elif not getattr(pattern.pattern, "converters", None):
            result.append((name, reverse(name)))
            if name == "committees:alert-list":
                result.append((name, reverse(name) + "?status=all"))
        else:
            result += [(name, reverse(name, kwargs=kw)) for kw in kwargs.get(name, [])]
    return result


def exports(objects):
    """(label, url, params) of every export a person asks for (each made by a task)."""
    version = objects["report_version"].pk
    register = reverse("committees:barometer-export")
    return [
        ("register", register, {"semester": objects["semester"].pk}),
        ("register tier 3", register, {"semester": objects["semester"].pk, "sensitive": "1"}),
        *[
            (f"report {fmt}", reverse("reports:report-export", args=[version, fmt]), None)
            for fmt in ("pdf", "xlsx")
        ],
    ]


def raw_rows():
    """(table.column, value as text) of every column of every table, read with a plain
    cursor: what a stolen dump or a database session would show."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                col.name for col in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(col) for col in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for col, value in zip(columns, row, strict=True):
                    if value is None or isinstance(value, int | float | bool):
                        continue
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", errors="replace")
                    yield f"{table}.{col}", str(value)


def file_text(response):
    """A download's content as text, inside the .xlsx's zip and the PDF too."""
    body = getattr(response, "body", None) or response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    if body[:5] == b"%PDF-":
        return crawler.pdf_text(body)
    return body.decode("utf-8", errors="replace")


# --- The sweep -----------------------------------------------------------------------------


@pytest.fixture
def sent_tasks(monkeypatch):
    """The arguments of every Celery task sent (the tasks still run)."""
    sent = []
    original = Task.apply_async

    def recording(self, args=None, kwargs=None, *rest, **options):
        sent.append((self.name, repr(args), repr(kwargs)))
        return original(self, args, kwargs, *rest, **options)

    def published(sender=None, body=None, **_extra):
        sent.append((sender, repr(body), ""))

    monkeypatch.setattr(Task, "apply_async", recording)
    signals.before_task_publish.connect(published, weak=False)
    yield sent
    signals.before_task_publish.disconnect(published)


def test_tier3_canaries_appear_only_where_the_tiers_allow(caplog, sent_tasks, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    caplog.set_level(logging.DEBUG)
    with TestCase.captureOnCommitCallbacks(execute=True):
        world, c, objects, more = _canary_world()
    canaries = c.readers

    # Every encrypted field of every model holds a canary somewhere in this world (a new
    # tier-3 field without one fails here until the world writes one into it).
    uncovered = []
    for model, field in crypto.encrypted_fields():
        values = model.objects.values_list(field.name, flat=True)
        if field.name == "student_id_enc":
            continue  # a student's id: its name is covered by the pages' roster rule
        if not any(v and any(k in v for k in canaries) for v in values):
            uncovered.append(f"{model._meta.label}.{field.name}")
    assert not uncovered, f"tier-3 fields without a canary: {uncovered}"

    people = {**world.people(), "counselor3": world.counselor3}
    seen = []  # (who, where, canary)
    for who, user in [*people.items(), ("anonymous", None)]:
        client = Client()
        if user is not None:
            client.force_login(user)
        for name, url in addresses(objects, more, user):
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = client.get(url)
            assert response.status_code < 500 or name == "healthz", (who, url)
            if response.status_code != 200:
                continue
            text = crawler.text_of(response)
            seen += [(who, url, k) for k in canaries if k in text]
        if user is None:
            continue
        for label, url, params in exports(objects):
            response = download(client, url, params)
            if response.status_code == 200:
                text = file_text(response)
                seen += [(who, f"export {label}", k) for k in canaries if k in text]

    leaks = [f"{who} {where}: {k}" for who, where, k in seen if who not in canaries[k]]
    for message in mail.outbox:
        text = " ".join(
            [
                message.subject,
                message.body,
                *(str(a[0] if isinstance(a, tuple) else a) for a in message.alternatives),
            ]
        )
        leaks += [f"e-mail {message.subject!r}: {k}" for k in canaries if k in text]
    for record in caplog.records:
        text = f"{record.getMessage()} {record.__dict__}"
        leaks += [f"log {record.name}: {k}" for k in canaries if k in text]
    for task in sent_tasks:
        leaks += [f"task {task[0]}: {k}" for k in canaries if k in " ".join(task)]
    for where, value in raw_rows():
        leaks += [f"raw row {where}: {k}" for k in canaries if k in value]
    assert not leaks, "\n".join(sorted(set(leaks)))
    # A sweep over nothing proves nothing: each channel carried something.
    assert mail.outbox and sent_tasks and caplog.records
    assert len({who for who, _where, _k in seen}) >= 4

    # The canaries are real: each is read where its tier allows.
    readers = {k: {who for who, _where, seen_k in seen if seen_k == k} for k in canaries}
    unread = {k: canaries[k] for k, r in readers.items() if not r and k not in c.kept}
    assert not unread, f"canaries no allowed reader found: {unread}"
