"""Security review: tier 3 (DESIGN.md, "Data that must be protected") never reaches anyone
but counselors, objects of another school are out of reach, ids changed in a POST act on
nothing of another class, notifications leave names out, tier-3 reads are logged.

The crawl walks every URL pattern of the portal (django.urls.get_resolver) as each demo
role, its path arguments filled with real objects of each kind (of the demo school and of a
second school made here), and reads every answer the way its reader would: HTML, the
.xlsx's shared strings and sheets, the iCalendar feed unfolded, JSON decoded.

Tier-3 students are renamed to markers no page could show by accident, so a marker in a
page is a leak. A roster legitimately lists every student of a class (the filing form's
picker, the student list, the admin's students): a page that shows a tier-3 student among
five or more of its classmates is a roster and may show the name, never a note.
"""

import datetime
import json
import logging

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committees import barometer as rules
from committees.models import (
    Alert,
    AlertNote,
    AssociationOfficer,
    Barometer,
    BarometerSettings,
    CommitteeMember,
    ConcernKind,
    CourseSuggestion,
    ImmediateReport,
    Material,
    Meeting,
    StudentOfConcern,
    TalkTask,
    TrainingModule,
)
from counseling.audit import AuditEntry
from counseling.crypto import keyed_hash
from counseling.exports.services import request_export
from counseling.exports.services import run as run_export
from counseling.models import Role, SchoolClass, Semester, Student
from counseling.notifications import notify
from counseling.notifications.models import Delivery, Notification, WebhookChannel
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Award,
    BulletinIssue,
    BulletinPanel,
    ContestEntry,
    ContestJudge,
    Feedback,
    LectureSession,
    OpenLetter,
    SessionFile,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from reports.models import CalendarToken
from reports.semester_report.services import start_report
from tests import crawler
from tests.consultations import crawl as consultations_crawl
from tests.crawler import ANONYMOUS_ONLY, patterns, text_of
from tests.exports.flow import ask, download
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

Action = AuditEntry.Action

# Tier-3 text, written by the test into immediate reports, follow-up logs and talk tasks.
NOTE_IMMEDIATE = "即时报告密文甲：在天台边徘徊"
NOTE_FOLLOW_UP = "跟进记录密文乙：已联系家长"
NOTE_TALK = "谈话记录密文丙：说起父母离异"
NOTE_OTHER_SCHOOL = "外校关注密文丁：夜里失眠"
# The demo's own note on its student of concern (committees/demo.py).
NOTE_DEMO = "想家，常一个人待在宿舍，吃饭少。"
# Not tier 3, but read by counselors only: a student's comment in lecture feedback.
NOTE_FEEDBACK = "反馈评论密文戊：同桌最近总说不想活了"
# A consultation case's concerns and note, and a letter to the room (consultations).
NOTE_CASE = "个案密文己：面谈中谈到自伤"
NOTE_LETTER = "来信密文庚：晚上一个人在天台"
NOTES = [NOTE_IMMEDIATE, NOTE_FOLLOW_UP, NOTE_TALK, NOTE_OTHER_SCHOOL, NOTE_DEMO, NOTE_FEEDBACK]
NOTES += [NOTE_CASE, NOTE_LETTER]

# Every name of the second school carries this; no page of the demo school may show it.
OTHER_SCHOOL = "外校"
NON_COUNSELORS = ["admin", "principal", "liaison", "teacher", "member", "member02", "student"]
COUNSELORS = ["counselor", "counselor2", "counselor3"]
# counselor3 holds the same role as counselor2: the crawl takes the head and one other.
CRAWLED = NON_COUNSELORS + ["counselor", "counselor2", "anonymous"]

# Pages that show a tier-3 name to one non-counselor by design: the member named the
# classmate itself and is asked to talk with them (committees/views/barometer.py).
BY_DESIGN = {("member", "committees:talk-tasks")}
# The feedback form is public: the token from the QR code opens it, signed in or not.
OPEN_BY_TOKEN = {"lectures:feedback-form", "lectures:feedback-thanks"}


# --- The world: the demo school's tier 3, and a second school -----------------------------


def clone(obj, **changes):
    """A copy of a row with its unique defaults drawn again and `changes` applied."""
    model = type(obj)
    data = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        data[f.attname] = (
            f.get_default() if f.unique and f.has_default() else getattr(obj, f.attname)
        )
    for name, value in changes.items():
        field = model._meta.get_field(name)
        if field.is_relation and (value is None or hasattr(value, "pk")):
            data[field.attname] = value.pk if value is not None else None
        else:
            data[field.attname] = value
    return model.objects.create(**data)


def register_job(counselor, semester):
    """The register with its students of concern, made for a counselor (tier 3 in a file)."""
    job = request_export(
        counselor, "committees.register", {"semester": semester.pk, "sensitive": True}
    )
    run_export(job.pk)
    return job


class World:
    """What the tests reach for, by kind: `home` (the demo school) and `other` (a second)."""

    def __init__(self, demo, user_named):
        self.school = demo
        self.user = user_named
        self.semester = Semester.objects.current(demo)
        self.counselor = user_named("counselor")
        self.member = user_named("member")
        self.teacher = user_named("teacher")
        self.focus = SchoolClass.objects.get(class_teacher=self.teacher)
        self.member_row = CommitteeMember.objects.get(
            semester=self.semester, student__user=self.member
        )
        self._tier3_of_demo()
        self.home = self._home_objects()
        self.other = self._other_school()
        self.names = {pk: Student.objects.get(pk=pk).name for pk in self.tier3_pks}
        self.classmates = {
            pk: list(
                Student.objects.filter(school_class_id=Student.objects.get(pk=pk).school_class_id)
                .exclude(pk__in=self.tier3_pks)
                .values_list("name", flat=True)
            )
            for pk in self.tier3_pks
        }

    def _tier3_of_demo(self):
        """Add an immediate report, a follow-up note and a recorded talk to the demo's
        tier 3; collect its students the way a counselor reads them (decrypted), and rename
        each to a marker."""
        concerns = StudentOfConcern.objects.filter(
            barometer__semester__school=self.school
        ).select_related("barometer")
        self.concern_barometer = concerns.order_by("-barometer__week").first().barometer
        named = {c.student_pk for c in concerns}
        roster = Student.objects.filter(school_class=self.focus, user__isnull=True).exclude(
            pk__in=named
        )
        self.control = roster.order_by("student_number").first()
        self.report = rules.immediate_report(
            self.member,
            self.focus,
            self.semester,
            roster.order_by("student_number").last(),
            NOTE_IMMEDIATE,
        )
        self.immediate_alert = Alert.objects.get(immediate_report=self.report)
        rules.follow_up(self.immediate_alert, self.counselor, NOTE_FOLLOW_UP)
        self.named_alert = (
            Alert.objects.filter(school=self.school)
            .exclude(student_ref="")
            .exclude(pk=self.immediate_alert.pk)
        ).first()
        # A recorded talk (its note is tier 3), kept apart from the demo's open talk task.
        TalkTask.objects.create(
            alert=self.immediate_alert,
            member=self.member_row,
            done_at=timezone.now(),
            note=NOTE_TALK,
        )
        AlertNote.objects.create(alert=self.immediate_alert, author=self.member, text=NOTE_TALK)
        pks = {c.student_pk for c in concerns}
        pks |= {a.student_pk for a in Alert.objects.filter(school=self.school) if a.student_pk}
        pks |= {
            r.student_pk
            for r in ImmediateReport.objects.filter(school_class__department__school=self.school)
        }
        assert len(pks) >= 2, "the demo names no student of concern"
        for n, pk in enumerate(sorted(pks)):
            Student.objects.filter(pk=pk).update(name=f"蔻密名{'甲乙丙丁戊己庚辛'[n]}")
        self.tier3_pks = pks

    def _home_objects(self):
        s = self.semester
        meeting = Meeting.objects.filter(semester=s).order_by("date").first()
        entry = ContestEntry.objects.filter(contest__event__month__school=self.school).first()
        session = LectureSession.objects.filter(lecture__school=self.school).first()
        material = Material.objects.create(
            meeting=meeting, title="会议材料", file=entry.file.name, uploaded_by=self.counselor
        )
        session_file = SessionFile.objects.create(
            session=session,
            kind=SessionFile.Kind.values[0],
            title="讲座课件",
            file=entry.file.name,
            uploaded_by=self.counselor,
        )
        notify([self.counselor], "counseling.notice", "给辅导老师的通知", "正文")
        # Students' comments are free text and may name someone: counselors read them.
        Feedback.objects.create(
            lecture_session=session, satisfaction=2, wish=NOTE_FEEDBACK, device="0" * 64
        )
        issue = BulletinIssue.objects.filter(school=self.school).first()
        reported = Student.objects.get(pk=self.report.student_pk)
        case, cons_letter = _consultation(self.school, reported, self.counselor)
        return {
            "case": case,
            "cons_letter": cons_letter,
            "school": self.school,
            "semester": s,
            "department": self.focus.department,
            "class": self.focus,
            # The student edit page shows the student it edits: a classmate stands in.
            "student": self.control,
            "role": Role.objects.get(user=self.member, kind=Role.Kind.COMMITTEE_MEMBER),
            "barometer": self.concern_barometer,
            "alerts": [self.immediate_alert, self.named_alert],
            "suggestion": CourseSuggestion.objects.filter(barometer__semester=s).first(),
            "member": self.member_row,
            "officer": AssociationOfficer.objects.filter(school=self.school).first(),
            "module": TrainingModule.objects.filter(school=self.school).first(),
            "meeting": meeting,
            "material": material,
            "venue": Venue.objects.filter(school=self.school).first(),
            "lecture": session.lecture,
            "session": session,
            "session_file": session_file,
            "design": ActivityDesign.objects.filter(school=self.school).first(),
            "activity": ActivitySession.objects.filter(design__school=self.school).first(),
            "issue": issue,
            "panel": BulletinPanel.objects.filter(issue=issue).first(),
            "question": StudentQuestion.objects.filter(school=self.school).first(),
            "letter": OpenLetter.objects.filter(school=self.school).first(),
            "month": ThemeMonth.objects.filter(school=self.school).first(),
            "event": ThemeEvent.objects.filter(month__school=self.school).first(),
            "contest": entry.contest,
            "entry": entry,
            "award": Award.objects.filter(contest=entry.contest).first(),
            "notification": Notification.objects.filter(recipient=self.counselor).first(),
            "export_job": register_job(self.counselor, s),
            "report_version": start_report(self.counselor, s).versions.get(status="draft"),
            **consultations_crawl.demo_objects(self.school),
        }

    def _other_school(self):
        """A second school with one object of each kind and a tier-3 student of its own."""
        h = self.home
        school = SchoolFactory(name="外校职业学校")
        department = DepartmentFactory(school=school, name="外校信息科")
        cls = SchoolClassFactory(
            department=department,
            name="外校2026级1班",
            class_teacher=UserFactory(username="other-teacher", full_name="外校班主任"),
        )
        semester = SemesterFactory(
            school=school,
            name="外校学期",
            first_monday=self.semester.first_monday,
            weeks=self.semester.weeks,
        )
        counselor = UserFactory(username="other-counselor", full_name="外校辅导老师")
        RoleFactory(user=counselor, school=school, kind=Role.Kind.COUNSELOR, is_head=True)
        member = UserFactory(username="other-member", full_name="外校委员")
        member_student = StudentFactory(school_class=cls, name="外校委员", user=member)
        role = RoleFactory(
            user=member, school=school, kind=Role.Kind.COMMITTEE_MEMBER, school_class=cls
        )
        member_row = CommitteeMember.objects.create(
            semester=semester, school_class=cls, student=member_student
        )
        named = StudentFactory(school_class=cls, name="蔻外校密名")
        for n in range(8):
            StudentFactory(school_class=cls, name=f"外校学生{n}")
        week = semester.teaching_weeks()[0]
        when = BarometerSettings.for_school(school).deadline(semester, week) - datetime.timedelta(
            days=2
        )
        barometer, _created = rules.file_barometer(
            member,
            cls,
            semester,
            week,
            rules.Filing(
                weather=3,
                concerns={ConcernKind.FAMILY: 1},
                students=[(named, ConcernKind.FAMILY, "urgent", NOTE_OTHER_SCHOOL)],
                suggestions=["外校的专业课建议"],
            ),
            now=when,
        )
        rules.immediate_report(member, cls, semester, named, NOTE_OTHER_SCHOOL)
        alert = Alert.objects.filter(school=school, rule=Alert.Rule.URGENT).get()
        TalkTask.objects.create(alert=alert, member=member_row)
        self.tier3_pks = self.tier3_pks | {named.pk}
        meeting = clone(h["meeting"], semester=semester, topic="外校例会")
        venue = clone(h["venue"], school=school, name="外校报告厅")
        lecture = clone(
            h["lecture"], school=school, semester=semester, speaker_user=None, title="外校讲座"
        )
        session = clone(h["session"], lecture=lecture, venue=venue)
        design = clone(h["design"], school=school, name="外校团辅")
        activity = clone(
            h["activity"], design=design, semester=semester, venue=venue, school_class=cls
        )
        issue = clone(h["issue"], school=school, semester=semester, theme="外校橱窗")
        month = clone(h["month"], school=school, semester=semester, theme="外校主题月")
        event = clone(h["contest"].event, month=month, venue=None, title="外校比赛")
        contest = clone(h["contest"], event=event)
        entry = clone(
            h["entry"], contest=contest, school_class=cls, submitted_by=member, title="外校作品"
        )
        ContestJudge.objects.create(contest=contest, judge=counselor)
        notify([counselor], "counseling.notice", "外校的通知", "外校正文")
        case, cons_letter = _consultation(school, named, counselor)
        return {
            "case": case,
            "cons_letter": cons_letter,
            "school": school,
            "semester": semester,
            "department": department,
            "class": cls,
            "student": member_student,
            "role": role,
            "barometer": barometer,
            "alerts": list(Alert.objects.filter(school=school)),
            "suggestion": CourseSuggestion.objects.get(barometer=barometer),
            "member": member_row,
            "officer": AssociationOfficer.objects.create(
                school=school,
                student=member_student,
                position=AssociationOfficer.Position.CHAIR,
                starts_on=self.semester.first_monday,
            ),
            "module": clone(h["module"], school=school, title="外校培训模块"),
            "meeting": meeting,
            "material": clone(
                h["material"], meeting=meeting, uploaded_by=counselor, title="外校材料"
            ),
            "venue": venue,
            "lecture": lecture,
            "session": session,
            "session_file": clone(
                h["session_file"], session=session, uploaded_by=counselor, title="外校课件"
            ),
            "design": design,
            "activity": activity,
            "issue": issue,
            "panel": clone(h["panel"], issue=issue),
            "question": clone(h["question"], school=school, question="外校的提问"),
            "letter": clone(h["letter"], school=school, semester=semester, title="外校的信"),
            "month": month,
            "event": event,
            "contest": contest,
            "entry": entry,
            "award": Award.objects.create(contest=contest, entry=entry, title="一等奖"),
            "notification": Notification.objects.filter(recipient=counselor).first(),
            "export_job": register_job(counselor, semester),
            "report_version": start_report(counselor, semester).versions.get(status="draft"),
            **consultations_crawl.other_objects(school, counselor, member_student),
        }


def _consultation(school, student, counselor):
    """A case with a signed note and a letter to the room, both carrying a marker."""
    from consultations.cases import services as cases
    from consultations.letters import services as letters

    case = cases.open_case(
        counselor,
        student,
        origin="self",
        concern="mood",
        risk="orange",
        rating=3,
        concerns=NOTE_CASE,
    )
    cases.sign_note(cases.add_note(case, counselor, NOTE_CASE), counselor)
    letter, _code = letters.write_letter(school, NOTE_LETTER)
    letters.reply(letter, counselor, NOTE_LETTER)
    return case, letter


@pytest.fixture
def world(demo, user_named, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    return World(demo, user_named)


# --- Every URL pattern, filled -------------------------------------------------------------


def path_kwargs(o):
    """Each URL name with path arguments -> the argument sets to try, from objects `o`."""
    delivery = Delivery.objects.order_by("pk").first() or o["notification"]
    return crawler.path_kwargs({"delivery": delivery, **o})


# Query strings tried on top of the bare address.
QUERIES = {
    "committees:barometer-export": ["?sensitive=1"],
    "committees:barometer-file": ["?week={week}"],
    "committees:alert-list": ["?status=all"],
}


def urls_to_crawl(world, user):
    """(name, url, twin) for every pattern and object set. `twin` is, for an address of the
    other school, the same address with the demo school's objects; else None."""
    home, other = path_kwargs(world.home), path_kwargs(world.other)
    result = []
    for url_name, pattern in patterns():
        params = list(getattr(pattern.pattern, "converters", {}) or ())
        if user is not None and url_name in ANONYMOUS_ONLY:
            continue
        if url_name == "reports:calendar-feed":
            token = CalendarToken.for_user(user).token if user else "x" * 43
            result.append((url_name, reverse(url_name, kwargs={"token": token}), None))
            continue
        if not params:
            base = reverse(url_name)
            result.append((url_name, base, None))
            for query in QUERIES.get(url_name, []):
                query = query.format(week=world.concern_barometer.week)
                result.append((url_name, base + query, None))
            continue
        assert url_name in home, f"{url_name} has path arguments the crawl does not fill"
        mine = [reverse(url_name, kwargs=kwargs) for kwargs in home[url_name]]
        result += [(url_name, url, None) for url in mine]
        for n, kwargs in enumerate(other.get(url_name, [])):
            url = reverse(url_name, kwargs=kwargs)
            if url not in mine:  # not an object's address (a file format, a reset link)
                result.append((url_name, url, mine[min(n, len(mine) - 1)]))
    return result


# --- Reading an answer ---------------------------------------------------------------------


def leaks(world, text, who, url_name):
    """What of tier 3 (and, but to the system administrator, of the second school) the text
    shows that it should not."""
    found = []
    if who != "admin" and url_name not in OPEN_BY_TOKEN and OTHER_SCHOOL in text:
        found.append("the other school: " + text[text.index(OTHER_SCHOOL) - 60 :][:120])
    if who in COUNSELORS:
        return found
    found += [f"note {note!r}" for note in NOTES if note in text]
    if (who, url_name) in BY_DESIGN:
        return found
    for pk, name in world.names.items():
        if name not in text:
            continue
        classmates = sum(1 for other in world.classmates[pk] if other and other in text)
        if classmates < 5:  # not a roster: the page singles the student out
            found.append(f"name {name!r}")
    return found


def crawl(world, client, who, user):
    """GET every address; what leaks, and the addresses of the other school that answered
    anything but "not found" to someone who may open the same page of the demo school."""
    problems, statuses, reachable = [], {}, []
    for url_name, url, twin in urls_to_crawl(world, user):
        response = client.get(url)
        statuses[url] = response.status_code
        # /healthz answers 503 by design when a part is down (no worker runs in the tests).
        assert response.status_code < 500 or url_name == "healthz", url
        if response.status_code == 200:
            text = text_of(response)
            problems += [f"{who} {url}: {leak}" for leak in leaks(world, text, who, url_name)]
        if twin and url_name not in OPEN_BY_TOKEN:
            allowed = {404} if statuses[twin] == 200 else {302, 403, 404, 405}
            if response.status_code not in allowed:
                reachable.append(f"{who} {url}: {response.status_code} ({twin}: {statuses[twin]})")
    return problems, statuses, reachable


# --- 1 and 2. The crawl --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Hundreds of 403s and 404s are expected: don't format a traceback for each."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("who", CRAWLED)
def test_crawl_every_url_as_every_role(world, who):
    """Non-counselors never see tier 3; nobody of the demo school sees the other school, and
    each of the other school's objects is "not found" to whoever may open the demo's own
    (the system administrator manages every school: it alone reaches both)."""
    client = Client()
    user = None
    if who != "anonymous":
        user = world.user(who)
        client.force_login(user)
    problems, statuses, reachable = crawl(world, client, who, user)
    assert not problems, "\n".join(problems)
    if who != "admin":
        assert not reachable, "\n".join(reachable)
    assert len(statuses) > 200
    assert sum(s == 200 for s in statuses.values()) > (5 if who == "anonymous" else 15)


def test_counselors_do_read_tier3(world, client):
    """The markers are real: a counselor of the school finds them where they belong."""
    client.force_login(world.counselor)
    page = text_of(client.get(reverse("committees:alert-detail", args=[world.immediate_alert.pk])))
    assert world.names[world.report.student_pk] in page
    assert NOTE_IMMEDIATE in page and NOTE_FOLLOW_UP in page and NOTE_TALK in page
    session = world.home["session"]
    results = reverse("lectures:feedback-results", args=["session", session.pk])
    assert NOTE_FEEDBACK in text_of(client.get(results))
    export = text_of(download(client, reverse("committees:barometer-export"), {"sensitive": "1"}))
    assert NOTE_DEMO in export
    assert any(name in export for name in world.names.values())


# --- The Django admin, as the system administrator -----------------------------------------


def admin_objects(world):
    """One object per registered model; those nearest to tier 3 where there is a choice."""
    teacher_notice = Notification.objects.filter(
        recipient=world.teacher, kind="committees.alert_teacher"
    ).first()
    preferred = {
        get_user_model(): [world.member, world.counselor],
        Student: [world.control],
        Barometer: [world.concern_barometer],
        CommitteeMember: [world.member_row],
        Notification: [
            teacher_notice,
            Notification.objects.filter(recipient=world.counselor, kind__startswith="committees.")
            .order_by("-pk")
            .first(),
        ],
        Delivery: [
            Delivery.objects.filter(notification__kind__startswith="committees.alert").first()
        ],
        AuditEntry: list(
            AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Alert)
            ).order_by("-pk")[:2]
        ),
    }
    result = {}
    for model in admin.site._registry:
        objs = [o for o in preferred.get(model, []) if o is not None]
        if not objs:
            first = model._default_manager.order_by("pk").first()
            objs = [first] if first is not None else []
        result[model] = objs
    return result


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_admin_shows_no_tier3(world, client):
    client.force_login(world.user("admin"))
    problems = []
    urls = [reverse("admin:index")]
    for model, objs in admin_objects(world).items():
        urls.append(admin_url(model, "changelist"))
        for obj in objs:
            urls += [admin_url(model, view, obj.pk) for view in ("change", "delete")]
    urls += [admin_url(Barometer, "history", world.concern_barometer.pk)]
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            problems += [f"{url}: {leak}" for leak in leaks(world, text_of(response), "admin", url)]
    assert not problems, "\n".join(problems)


def test_admin_search_finds_no_tier3(world, client):
    """Searching any list for a tier-3 name or note finds nothing, but the roster itself."""
    client.force_login(world.user("admin"))
    found = []
    terms = list(world.names.values()) + [NOTE_IMMEDIATE[:6], NOTE_DEMO[:6]]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.search_fields:
            continue
        for term in terms:
            if model is Student and term in world.names.values():
                continue  # the roster: finding a student by name is what it is for
            response = client.get(admin_url(model, "changelist"), {"q": term})
            assert response.status_code == 200, model
            if response.context["cl"].result_count:
                found.append(f"{model.__name__} ?q={term}")
    assert not found, found


# --- 2. Ids changed in a POST --------------------------------------------------------------


# The GET crawl already meets every lookup; POSTs add the POST-only views. Three scopes:
# the whole school, a department, a class.
POSTERS = ["counselor", "liaison", "member"]


@pytest.mark.parametrize("who", POSTERS)
def test_posts_to_the_other_schools_objects_are_refused(world, client, who):
    """Every address of an object of the other school, POSTed to by each role: refused
    before anything is done (403 without the permission, else 404)."""
    client.force_login(world.user(who))
    before = _state(world.other)
    done = []
    for url_name, url, twin in urls_to_crawl(world, world.user(who)):
        if twin is None or url_name in OPEN_BY_TOKEN:
            continue
        status = client.post(url, {"action": "acknowledge", "school_class": world.focus.pk})
        if status.status_code not in (403, 404, 405):
            done.append(f"{url}: {status.status_code}")
    assert not done, done
    assert _state(world.other) == before


def _state(o):
    """What a successful POST to the other school's objects would change."""
    return (
        list(Alert.objects.filter(school=o["school"]).values_list("status", "assigned_to")),
        AlertNote.objects.filter(alert__school=o["school"]).count(),
        CourseSuggestion.objects.get(pk=o["suggestion"].pk).status,
        Barometer.objects.get(pk=o["barometer"].pk).reopened_until,
        Meeting.objects.get(pk=o["meeting"].pk).status,
        ContestEntry.objects.filter(contest=o["contest"]).count(),
        Role.objects.get(pk=o["role"].pk).ends_on,
        SchoolClass.objects.get(pk=o["class"].pk).is_active,
        o["letter"].readings.count(),
    )


@pytest.fixture
def elsewhere(world):
    """A class of another department of the demo school, with a barometer and a suggestion."""
    cls = (
        SchoolClass.objects.filter(department__school=world.school)
        .exclude(department=world.focus.department)
        .exclude(committee_members__student__user=world.user("member02"))
        .order_by("pk")
        .first()
    )
    barometer = Barometer.objects.filter(semester=world.semester, school_class=cls).first()
    suggestion = CourseSuggestion.objects.create(
        barometer=barometer, department=cls.department, text="另一个专业科的建议"
    )
    return {"class": cls, "barometer": barometer, "suggestion": suggestion}


def test_a_member_files_for_its_own_class_only(world, client, elsewhere):
    client.force_login(world.member)
    cls = elsewhere["class"]
    url = reverse("committees:barometer-file") + f"?class={cls.pk}"
    assert client.post(url, {"base": "new", "weather": "1"}).status_code == 403
    assert not Barometer.objects.filter(
        semester=world.semester, school_class=cls, week__gt=world.concern_barometer.week
    ).exists()
    immediate = reverse("committees:immediate-report") + f"?class={cls.pk}"
    assert client.post(immediate, {"note": "x"}).status_code == 403
    # Nor can it name, in its own class's forms, a student of another class.
    stranger = Student.objects.filter(school_class=cls).first()
    reports = ImmediateReport.objects.count()
    response = client.post(
        reverse("committees:immediate-report"), {"student": stranger.pk, "note": "冒名"}
    )
    assert response.status_code == 400
    assert ImmediateReport.objects.count() == reports
    response = client.post(
        reverse("committees:barometer-file"),
        {
            "base": "new",
            "weather": "2",
            "s-TOTAL_FORMS": "1",
            "s-INITIAL_FORMS": "0",
            "s-0-student": stranger.pk,
            "s-0-kind": "family",
            "s-0-severity": "watch",
        },
    )
    assert response.status_code == 400
    assert not StudentOfConcern.objects.filter(student_ref=keyed_hash(stranger.pk)).exists()


def test_a_liaison_answers_its_own_department_only(world, client, elsewhere):
    client.force_login(world.user("liaison"))
    suggestion = elsewhere["suggestion"]
    url = reverse("committees:suggestion-answer", args=[suggestion.pk])
    assert client.post(url, {"action": "acknowledge"}).status_code in (403, 404)
    assert client.post(url, {"adopted": "yes", "answer": "好"}).status_code in (403, 404)
    suggestion.refresh_from_db()
    assert suggestion.status == CourseSuggestion.Status.OPEN and suggestion.answer == ""


def test_a_member_confirms_letters_for_its_own_class_only(world, client):
    client.force_login(world.member)
    letter = world.home["letter"]
    unread = (
        SchoolClass.objects.filter(department__school=world.school)
        .exclude(pk=world.focus.pk)
        .exclude(pk__in=letter.readings.values("school_class"))
        .first()
    )
    url = reverse("lectures:letter-confirm", args=[letter.pk])
    assert client.post(url, {"school_class": unread.pk}).status_code == 403
    assert not letter.readings.filter(school_class=unread).exists()


def test_a_judge_scores_only_the_contests_it_judges(world, client):
    contest = world.home["contest"]
    judged = ContestJudge.objects.filter(contest=contest).values_list("judge", flat=True)
    judge = get_user_model().objects.get(pk=judged[0])
    event = clone(contest.event, title="另一场比赛")
    second = clone(contest, event=event)
    criterion = contest.criteria.first()
    mine = clone(criterion, contest=second)
    entry = clone(
        world.home["entry"],
        contest=second,
        code=ContestEntry._meta.get_field("code").get_default(),
    )
    client.force_login(judge)
    # Not a judge of the second contest: its pages are closed.
    url = reverse("lectures:contest-judge-entry", args=[second.pk, entry.code])
    assert client.post(url, {f"c{mine.pk}": "1"}).status_code == 403
    # Its own contest's address with the second contest's entry: not found.
    url = reverse("lectures:contest-judge-entry", args=[contest.pk, entry.code])
    assert client.post(url, {f"c{criterion.pk}": "1"}).status_code == 404
    assert not entry.scores.exists()


def test_a_member_completes_its_own_talk_tasks_only(world, client):
    other_member = CommitteeMember.objects.get(
        semester=world.semester, student__user=world.user("member02")
    )
    alert = Alert.objects.create(
        school=world.school,
        semester=world.semester,
        school_class=other_member.school_class,
        rule=Alert.Rule.NAMED_MEMBER,
        grade=Alert.Grade.YELLOW,
        key="test:talk-of-another-class",
    )
    task = TalkTask.objects.create(alert=alert, member=other_member)
    client.force_login(world.member)
    response = client.post(reverse("committees:talk-tasks"), {"task": task.pk, "note": "冒名"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None and task.note == ""


def test_a_member_whose_service_ended_no_longer_sees_its_talks(world, client):
    """The talk-task page names the classmate to its member (by design): only while it
    serves. Ending the service ends the role; the open tasks must go with it."""
    from committees import services as committee_services

    task = TalkTask.objects.filter(member=world.member_row, done_at__isnull=True).first()
    assert task is not None
    client.force_login(world.member)
    url = reverse("committees:talk-tasks")
    assert world.names[task.alert.student_pk] in text_of(client.get(url))
    committee_services.end(world.member_row, world.counselor, reason="转入其他班级")
    response = client.get(url)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert not leaks(world, text_of(response), "former member", "committees:talk-tasks")
    assert client.post(url, {"task": task.pk, "note": "离任后"}).status_code in (403, 404)
    task.refresh_from_db()
    assert task.done_at is None


def test_a_member_withdraws_its_own_class_entries_only(world, client):
    contest = world.home["contest"]
    entry = contest.entries.exclude(school_class=world.focus).first()
    client.force_login(world.member)
    url = reverse("lectures:contest-entry-withdraw", args=[contest.pk, entry.pk])
    assert client.post(url).status_code == 403
    assert ContestEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("who", ["principal", "liaison", "teacher", "member", "admin"])
def test_only_counselors_follow_alerts_up(world, client, who):
    client.force_login(world.user(who))
    alert = world.immediate_alert
    notes = alert.notes.count()
    url = reverse("committees:alert-detail", args=[alert.pk])
    response = client.post(url, {"text": "冒名跟进", "status": "closed", "outcome": "x"})
    assert response.status_code in (403, 404)
    alert.refresh_from_db()
    assert alert.status != Alert.Status.CLOSED and alert.notes.count() == notes


def test_an_alert_is_handed_over_within_its_school_only(world, client):
    client.force_login(world.counselor)
    alert = world.immediate_alert
    stranger = get_user_model().objects.get(username="other-counselor")
    url = reverse("committees:alert-detail", args=[alert.pk])
    response = client.post(url, {"assigned_to": stranger.pk, "status": alert.status, "text": ""})
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.assigned_to_id != stranger.pk


def test_people_of_another_school_are_not_offered(world, client):
    """Role, class teacher, speaker, facilitator and judge pickers list the school's people
    (and accounts tied to no school yet), never another school's."""
    from counseling.forms import RoleForm, school_users, staff_users

    strangers = set(
        get_user_model().objects.filter(username__startswith="other-").values_list("pk", flat=True)
    )
    assert strangers
    assert not strangers & set(staff_users(world.school).values_list("pk", flat=True))
    assert not strangers & set(school_users(world.school).values_list("pk", flat=True))
    assert world.member.pk in set(school_users(world.school).values_list("pk", flat=True))
    form = RoleForm(
        {
            "user": min(strangers),
            "kind": Role.Kind.LIAISON,
            "department": world.focus.department_id,
        },
        user=world.user("principal"),
        school=world.school,
    )
    assert not form.is_valid() and "user" in form.errors


# --- 3. Notifications ----------------------------------------------------------------------


def test_notifications_name_no_student(world, monkeypatch, settings):
    """With a group robot and every channel chosen for every kind (a sensitive one too, as
    an administrator could set by hand), what goes out names no tier-3 student and carries
    no tier-3 text; sensitive kinds never reach the robot; the class teacher is told of its
    class's alert without a name."""
    from counseling.notifications import channels, services
    from counseling.notifications.models import NotificationPreference
    from counseling.notifications.registry import kinds

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    WebhookChannel.objects.create(
        school=world.school, provider=WebhookChannel.Provider.WECOM, url="https://robot.invalid/x"
    )
    people = [world.user(u) for u in ["counselor", "counselor2", "teacher", "member", "liaison"]]
    for user in people:
        user.email = f"{user.username}@school.invalid"
        user.save(update_fields=["email"])
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=u, kind=k.key, email=True, webhook=True)
        for u in people
        for k in kinds()
    )
    posted = []
    monkeypatch.setattr(
        channels, "post_webhook", lambda channel, text, mobile="": posted.append(text)
    )
    start = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()

    # What sends notifications about students: an immediate report (a red alert), a
    # barometer naming a student as urgent in a thunderstorm week with a suggestion, a
    # hand-over, a recorded talk, a follow-up, an answered suggestion.
    named = Student.objects.get(pk=world.report.student_pk)
    rules.immediate_report(world.member, world.focus, world.semester, named, NOTE_IMMEDIATE)
    filed = Barometer.objects.filter(semester=world.semester, school_class=world.focus)
    week = next(w for w in world.semester.teaching_weeks() if not filed.filter(week=w).exists())
    when = BarometerSettings.for_school(world.school).deadline(
        world.semester, week
    ) - datetime.timedelta(days=3)
    rules.file_barometer(
        world.member,
        world.focus,
        world.semester,
        week,
        rules.Filing(
            weather=5,
            students=[(named, ConcernKind.FAMILY, "urgent", NOTE_IMMEDIATE)],
            suggestions=[f"请关照{named.name}"],
        ),
        now=when,
    )
    alert = Alert.objects.filter(school=world.school, rule=Alert.Rule.URGENT).latest("pk")
    rules.reassign_alert(alert, world.counselor, world.user("counselor2"))
    rules.follow_up(alert, world.counselor, NOTE_FOLLOW_UP)
    task = TalkTask.objects.filter(member=world.member_row, done_at__isnull=True).first()
    if task is not None:
        rules.complete_talk_task(task, world.member, NOTE_TALK)
    suggestion = CourseSuggestion.objects.filter(barometer__school_class=world.focus).latest("pk")
    rules.answer_suggestion(suggestion, world.user("liaison"), True, "采纳")

    sent = Notification.objects.filter(pk__gt=start or 0)
    assert sent.filter(kind__startswith="committees.alert").exists()
    pending = Delivery.objects.filter(notification__in=sent, status=Delivery.Status.PENDING)
    assert pending.filter(channel="email").exists() and pending.filter(channel="webhook").exists()
    # A webhook row for a sensitive kind, as if written before the kind was marked so.
    sensitive = sent.filter(kind="committees.alert_red").first()
    Delivery.objects.get_or_create(
        notification=sensitive, channel="webhook", defaults={"next_attempt_at": timezone.now()}
    )
    for pk in list(pending.values_list("pk", flat=True)):
        services.send(pk)

    secret = list(world.names.values()) + NOTES
    out = posted + [f"{m.subject}\n{m.body}" for m in mail.outbox]
    assert mail.outbox and posted
    assert not [t for t in out if any(s in t for s in secret)]
    for n in sent:
        text = f"{n.title}\n{n.body}\n{n.url}"
        assert not any(s in text for s in secret), (n.kind, text)
    for n in Notification.objects.all():  # the demo's own too
        assert not any(s in f"{n.title}\n{n.body}" for s in secret), n.kind
    robot = Delivery.objects.filter(notification__in=sent, channel="webhook")
    assert (
        not robot.filter(notification__kind__in=[k.key for k in kinds() if k.sensitive])
        .exclude(status=Delivery.Status.FAILED)
        .exists()
    )
    assert robot.get(notification=sensitive).status == Delivery.Status.FAILED
    assert not any(sensitive.title in t for t in posted)
    # The suggestion's text (a member's free writing) stays behind the link.
    told_liaison = sent.get(kind="committees.suggestion")
    assert told_liaison.body == "" and told_liaison.url
    assert not [t for t in out if "请关照" in t]
    told = sent.filter(recipient=world.teacher, kind="committees.alert_teacher")
    assert told.exists()
    for n in told:
        assert world.focus.name in n.title and not n.url


def test_the_teachers_inbox_names_no_student(world, client):
    client.force_login(world.teacher)
    page = text_of(client.get(reverse("notifications:inbox")))
    assert "预警" in page or "alert" in page.lower()
    assert not leaks(world, page, "teacher", "notifications:inbox")
    for n in Notification.objects.filter(recipient=world.teacher):
        detail = text_of(client.get(reverse("notifications:detail", args=[n.pk])))
        assert not leaks(world, detail, "teacher", "notifications:detail")


@pytest.mark.parametrize("who", ["admin", "counselor2", "principal", "teacher", "member"])
def test_another_persons_notification_is_not_found(world, client, who):
    notification = world.home["notification"]  # the head counselor's
    client.force_login(world.user(who))
    assert client.get(reverse("notifications:detail", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


# --- 4. The audit trail --------------------------------------------------------------------


def _reads(user, obj, action=Action.READ):
    return AuditEntry.objects.filter(
        actor=user,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )


def test_every_tier3_read_is_logged(world, client):
    before = timezone.now()
    counselor = world.user("counselor2")
    client.force_login(counselor)
    client.get(reverse("committees:barometer-detail", args=[world.concern_barometer.pk]))
    assert _reads(counselor, world.concern_barometer).get().changes["students_of_concern"] >= 1
    client.get(reverse("committees:alert-detail", args=[world.immediate_alert.pk]))
    assert _reads(counselor, world.immediate_alert).count() == 1
    # An alert that names nobody still shows its follow-up log: that read is logged too.
    storm = Alert.objects.filter(school=world.school, student_ref="").first()
    rules.follow_up(storm, world.counselor, NOTE_FOLLOW_UP)
    page = text_of(client.get(reverse("committees:alert-detail", args=[storm.pk])))
    assert NOTE_FOLLOW_UP in page
    assert _reads(counselor, storm).count() == 1
    ask(client, reverse("committees:barometer-export"), {"sensitive": "1"})
    assert _reads(counselor, world.semester, Action.EXPORT).get().changes == {"sensitive": True}
    # The member's talk tasks name the classmate: each shown task is a logged read.
    client.force_login(world.member)
    open_tasks = TalkTask.objects.filter(member=world.member_row, done_at__isnull=True)
    assert open_tasks.exists()
    client.get(reverse("committees:talk-tasks"))
    for task in open_tasks:
        assert _reads(world.member, task.alert).exists()
    entries = AuditEntry.objects.filter(at__gte=before, action__in=[Action.READ, Action.EXPORT])
    assert entries.count() >= 5
    for entry in entries:
        assert entry.actor_name and entry.at and entry.school_id == world.school.pk
    # Pages without tier 3 log nothing.
    client.force_login(world.user("principal"))
    client.get(reverse("committees:barometer-detail", args=[world.concern_barometer.pk]))
    assert not AuditEntry.objects.filter(actor__username="principal", action=Action.READ)


def test_the_audit_trail_holds_no_tier3_and_cannot_be_rewritten(world, client):
    from django.db import DatabaseError, transaction

    client.force_login(world.counselor)
    client.get(reverse("committees:alert-detail", args=[world.immediate_alert.pk]))
    secret = list(world.names.values()) + NOTES
    for entry in AuditEntry.objects.all():
        text = entry.object_repr + json.dumps(entry.changes, ensure_ascii=False)
        assert not any(s in text for s in secret), (entry.action, text)
    entry = _reads(world.counselor, world.immediate_alert).latest("pk")
    entry.actor_name = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone else")
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "counselor"


# --- 5. What else opens tier 3: the browser's cache, the system administrator's powers ----


def test_tier3_pages_are_never_cached(world, client):
    """A shared office computer: Back after signing out must not show a kept copy."""
    client.force_login(world.counselor)
    urls = [
        reverse("committees:alert-detail", args=[world.immediate_alert.pk]),
        reverse("committees:alert-list"),
        reverse("committees:barometer-detail", args=[world.concern_barometer.pk]),
        reverse("committees:barometer-file") + f"?class={world.focus.pk}",
        reverse("committees:barometer-export") + "?sensitive=1",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    client.force_login(world.member)
    for name in (
        "committees:talk-tasks",
        "committees:barometer-file",
        "committees:immediate-report",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], name


def test_the_system_administrator_cannot_take_over_a_counselors_account(world, client):
    """Setting a counselor's password (or e-mail) in the admin would open tier 3 to the
    system administrator: refused, as granting the counselor role is. Other accounts it
    still manages."""
    client.force_login(world.user("admin"))
    counselor = world.counselor
    old = counselor.password
    password_url = reverse("admin:auth_user_password_change", args=[counselor.pk])
    form = {"password1": "Takeover-2026!", "password2": "Takeover-2026!", "usable_password": "true"}
    assert client.get(password_url).status_code == 403
    assert client.post(password_url, form).status_code == 403
    change_url = admin_url(get_user_model(), "change", counselor.pk)
    assert client.get(change_url).status_code == 200  # seen, not changed
    client.post(change_url, {"username": "counselor", "email": "admin@evil.invalid"})
    counselor.refresh_from_db()
    assert counselor.password == old and counselor.email != "admin@evil.invalid"
    teacher_url = reverse("admin:auth_user_password_change", args=[world.teacher.pk])
    assert client.get(teacher_url).status_code == 200


def _admin_form_data(response, **changes):
    """The data a change page would send back as it stands, with `changes`."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.date(), value.time()
        elif value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None:
                    data[sub.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    data = {k: v for k, v in data.items() if v is not False}
    data.update(changes)
    return data


def test_the_admin_cannot_move_or_reopen_a_barometer(world, client):
    """A barometer's students of concern go where it goes: moved to another class, or
    opened again, the names would show on that class's member's filing page."""
    barometer = world.concern_barometer
    other = SchoolClass.objects.filter(department=world.focus.department).exclude(
        pk=world.focus.pk
    )[0]
    client.force_login(world.user("admin"))
    url = admin_url(Barometer, "change", barometer.pk)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        _admin_form_data(
            page,
            school_class=other.pk,
            reopened_until_0="2030-01-01",
            reopened_until_1="12:00:00",
            note="管理员改过",
        ),
    )
    assert response.status_code == 302  # saved: what it may change, it changed
    barometer.refresh_from_db()
    # The note is tier 2: not a field of the admin's form at all (finding 5 of issue 9).
    assert barometer.note != "管理员改过"
    assert barometer.school_class_id == world.focus.pk and barometer.reopened_until is None
