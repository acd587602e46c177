"""The portal with tier 3 in it, for the whole-portal sweeps in this folder (DESIGN.md,
"Data that must be protected").

The world is the rich world (tests/portal/rich_world.py), built by factories with every
kind of object the crawl needs, with tier 3
added (an immediate report, a follow-up, a recorded talk, a case and a letter) and its
students of concern renamed to markers no page could show by accident, plus a second
school ("外校") with one object of each kind. A marker in a page is a leak. A roster
legitimately lists every student of a class: a page that shows a tier-3 student among five
or more of its classmates is a roster and may show the name, never a note.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from committees.barometer import services as barometer_services
from committees.models import (
    Alert,
    AlertNote,
    AssociationOfficer,
    BarometerSettings,
    CommitteeMember,
    ConcernKind,
    CourseSuggestion,
    ImmediateReport,
    StudentOfConcern,
    TalkTask,
)
from consultations.letters import services as letters
from counseling.audit import AuditEntry
from counseling.exports.services import request_export
from counseling.exports.worker import run as run_export
from counseling.models import Role, Student
from counseling.notifications import notify
from counseling.notifications.models import Delivery, Notification
from lectures.models import (
    Award,
    ContestJudge,
    Feedback,
)
from reports.models import CalendarToken
from reports.semester_report.services import start_report
from tests import crawler
from tests.consultations import crawl as consultations_crawl
from tests.consultations.case_world import case_with_signed_note
from tests.crawler import ANONYMOUS_ONLY, patterns, text_of
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)
from tests.portal.rich_world import NOTE_CONCERN, RichWorld

Action = AuditEntry.Action


# Tier-3 text, written by the test into immediate reports, follow-up logs and talk tasks.
NOTE_IMMEDIATE = "即时报告密文甲：在天台边徘徊"
NOTE_FOLLOW_UP = "跟进记录密文乙：已联系家长"
NOTE_TALK = "谈话记录密文丙：说起父母离异"
NOTE_OTHER_SCHOOL = "外校关注密文丁：夜里失眠"
# Not tier 3, but read by counselors only: a student's comment in lecture feedback.
NOTE_FEEDBACK = "反馈评论密文戊：同桌最近总说不想活了"
# A consultation case's concerns and note, and a letter to the room (consultations).
NOTE_CASE = "个案密文己：面谈中谈到自伤"
NOTE_LETTER = "来信密文庚：晚上一个人在天台"
NOTES = [NOTE_IMMEDIATE, NOTE_FOLLOW_UP, NOTE_TALK, NOTE_OTHER_SCHOOL, NOTE_CONCERN, NOTE_FEEDBACK]
NOTES += [NOTE_CASE, NOTE_LETTER]

# Every name of the second school carries this; no page of the home school may show it.
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


# --- The world: the rich world's tier 3, and a second school -----------------------------


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


class World(RichWorld):
    """What the tests reach for, by kind: `home` (the rich world's school) and `other` (a
    second school)."""

    def __init__(self):
        super().__init__()
        self.focus = self.cls
        self._tier3_of_home()
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

    def user(self, username):
        return self.people()[username]

    def _tier3_of_home(self):
        """Add an immediate report, a follow-up note and a recorded talk to the school's
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
        self.report = barometer_services.immediate_report(
            self.member,
            self.focus,
            self.semester,
            roster.order_by("student_number").last(),
            NOTE_IMMEDIATE,
        )
        self.immediate_alert = Alert.objects.get(immediate_report=self.report)
        barometer_services.follow_up(self.immediate_alert, self.counselor, NOTE_FOLLOW_UP)
        self.named_alert = (
            Alert.objects.filter(school=self.school)
            .exclude(student_ref="")
            .exclude(pk=self.immediate_alert.pk)
        ).first()
        # A recorded talk (its note is tier 3), kept apart from the filing's open talk task.
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
        assert len(pks) >= 2, "the world names no student of concern"
        for n, pk in enumerate(sorted(pks)):
            Student.objects.filter(pk=pk).update(name=f"蔻密名{'甲乙丙丁戊己庚辛'[n]}")
        self.tier3_pks = pks

    def _home_objects(self):
        # Students' comments are free text and may name someone: counselors read them.
        Feedback.objects.create(
            lecture_session=self.session, satisfaction=2, wish=NOTE_FEEDBACK, device="0" * 64
        )
        reported = Student.objects.get(pk=self.report.student_pk)
        case, cons_letter = _consultation(self.school, reported, self.counselor)
        return {
            **self.objects,
            "case": case,
            "cons_letter": cons_letter,
            # The student edit page shows the student it edits: a classmate stands in.
            "student": self.control,
            "barometer": self.concern_barometer,
            "alerts": [self.immediate_alert, self.named_alert],
            "export_job": register_job(self.counselor, self.semester),
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
        barometer, _created = barometer_services.file_barometer(
            member,
            cls,
            semester,
            week,
            barometer_services.Filing(
                weather=3,
                concerns={ConcernKind.FAMILY: 1},
                students=[(named, ConcernKind.FAMILY, "urgent", NOTE_OTHER_SCHOOL)],
                suggestions=["外校的专业课建议"],
            ),
            now=when,
        )
        barometer_services.immediate_report(member, cls, semester, named, NOTE_OTHER_SCHOOL)
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
    case = case_with_signed_note(counselor, student, NOTE_CASE, risk="orange", concerns=NOTE_CASE)
    letter, _code = letters.write_letter(school, NOTE_LETTER)
    letters.reply(letter, counselor, NOTE_LETTER)
    return case, letter


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
    other school, the same address with the home school's objects; else None."""
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
    anything but "not found" to someone who may open the same page of the home school."""
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
