"""A school with data on every page, built by factories and the services the pages use, for
the tests of the whole portal (the URL x role crawl, the tier-3 sweep, the forms fuzz, the
pages in Chinese).

It is the named school of tests/personas.py (eight students a class) with two more people
(`counselor3`, a counselor like `counselor2`; `member02`, the committee member of `cls_b`,
chair of the association), and one or more of each kind of object:

    network     members of `cls` and `cls_b`, an officer, two training modules, the
                semester's meetings and trainings (the first two held, with attendance
                and minutes), a meeting material
    barometer   the last three due weeks of `cls` filed by `member`, naming one student
                week after week (`concern_student`, note `NOTE_CONCERN`) with a course
                suggestion; `cls_b` filed by `member02`, a storm in the last week;
                `other_cls` filed once; `other_cls_b` away on internship; the alerts the rules raise (missing
                classes, the named student, the storm) and an immediate report
    lectures    tests/lectures/world.py's lecture world (venues, a lecture in three
                sessions, a held activity) with feedback and a session file
    publicity   a bulletin issue with two panels, two questions (one answered), an open
                letter read out in `cls`, a theme month with a contest open to judging
                (rubric, judge, entries), an earlier one decided (an award) and a song
    room        room settings, a category, a room, hours and an exception, bookings, a
                talk request, an online thread, a case with a signed note, a letter
    reports     last semester's report submitted, this one's drafted; a register export

    rw = RichWorld()   # or the `rich` fixture (tests/portal/conftest.py)
    rw.people()["counselor3"], rw.cls, rw.alerts, rw.objects["session"]

`objects` holds one object of each kind by the names tests/crawler.py fills URLs with.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from committees.barometer import services as barometer_services
from committees.models import (
    Alert,
    AssociationOfficer,
    Attendance,
    Barometer,
    BarometerSettings,
    ClassAbsence,
    CommitteeMember,
    ConcernKind,
    CourseSuggestion,
    Material,
    Meeting,
    MinutesRevision,
    TrainingModule,
)
from committees.network import services as network_services
from consultations.booking.models import Booking, TalkRequest
from consultations.hours.models import CounselorHours, HoursException
from consultations.letters import services as letters
from consultations.online.models import Message, Thread
from consultations.room.models import ReasonCategory, Room, RoomSettings
from counseling.models import Role
from counseling.notifications import notify
from lectures.models import (
    Award,
    BulletinIssue,
    BulletinPanel,
    Contest,
    ContestEntry,
    ContestJudge,
    Feedback,
    OpenLetter,
    RubricCriterion,
    SessionFile,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
)
from lectures.publicity.services import confirm_letter_read, score_entry
from reports.semester_report import services as report_services
from tests.consultations.case_world import case_with_signed_note
from tests.lectures.world import lecture_world
from tests.personas import World

D, T = datetime.date, datetime.time

# What `member` writes about the student it names week after week (tier 3).
NOTE_CONCERN = "想家，常一个人待在宿舍，吃饭少。"
STUDENTS_PER_CLASS = 8
# A one-pixel PNG: contest entries, materials and session files need a file that opens.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763"
    "f8ffff3f0005fe02fea7d605b40000000049454e44ae426082"
)


class RichWorld(World):
    def __init__(self):
        super().__init__(students_per_class=STUDENTS_PER_CLASS)
        self.now = timezone.now()
        self.counselor3 = self._person("counselor3", "孙老师", Role.Kind.COUNSELOR)
        self.member02_student = self.students[self.cls_b.pk][0]
        self.member02 = self.account(
            self.member02_student, "member02", Role.Kind.COMMITTEE_MEMBER, school_class=self.cls_b
        )
        self.file_name = default_storage.save("tests/rich-world.png", ContentFile(PNG))
        self._network()
        self._barometers()
        lecture_world(self)
        self._lecture_extras()
        self._publicity()
        self._room()
        self._reports()
        (self.notification,) = notify(
            [self.counselor], "counseling.notice", "给辅导老师的通知", "正文"
        )

    def people(self):
        return {
            **super().people(),
            "counselor3": self.counselor3,
            "member02": self.member02,
        }

    # --- the committee network ------------------------------------------------------------

    def _network(self):
        s = self.semester
        self.member_row = CommitteeMember.objects.create(
            semester=s,
            school_class=self.cls,
            student=self.member_student,
            appointed_on=s.first_monday,
        )
        self.member02_row = CommitteeMember.objects.create(
            semester=s,
            school_class=self.cls_b,
            student=self.member02_student,
            appointed_on=s.first_monday,
        )
        self.officer = AssociationOfficer.objects.create(
            school=self.school,
            student=self.member02_student,
            position=AssociationOfficer.Position.CHAIR,
            starts_on=s.first_monday,
        )
        self.module = TrainingModule.objects.create(
            school=self.school, order=1, title="识别心理困扰", description="异常信号。"
        )
        TrainingModule.objects.create(
            school=self.school, order=2, title="倾听与共情", description="不评判。"
        )
        network_services.generate_schedule(
            s, self.counselor, weekday=2, start_time=T(16, 30), end_time=T(17, 30), place="活动室"
        )
        self.meetings = list(Meeting.objects.filter(semester=s).order_by("date"))
        self.meeting = self.meetings[0]
        for meeting in self.meetings[:2]:
            meeting.status = Meeting.Status.HELD
            meeting.save(update_fields=["status"])
            for member in (self.member_row, self.member02_row):
                Attendance.objects.create(
                    meeting=meeting,
                    member=member,
                    status=Attendance.Status.PRESENT,
                    recorded_by=self.counselor,
                )
            MinutesRevision.objects.create(
                meeting=meeting, author=self.counselor, text="各班整体情况平稳。"
            )
        self.material = Material.objects.create(
            meeting=self.meeting, title="会议材料", file=self.file_name, uploaded_by=self.counselor
        )

    # --- the barometer ----------------------------------------------------------------------

    def _barometers(self):
        s = self.semester
        config = BarometerSettings.for_school(self.school)
        weeks = barometer_services.due_weeks(s, self.now)[-3:]
        self.absence = ClassAbsence.objects.create(
            school_class=self.other_cls_b,
            kind=ClassAbsence.Kind.INTERNSHIP,
            starts_on=s.first_monday,
            ends_on=s.week_end(s.weeks),
            note="顶岗实习",
        )
        self.concern_student = self.students[self.cls.pk][3]
        self.barometers = []
        for n, week in enumerate(weeks):
            when = config.deadline(s, week) - datetime.timedelta(days=2)
            filing = barometer_services.Filing(
                weather=[2, 3, 4][n],
                concerns={ConcernKind.HOMESICK: 3 + n, ConcernKind.STUDY: 2},
                students=[
                    (
                        self.concern_student,
                        ConcernKind.HOMESICK,
                        ["watch", "close", "close"][n],
                        NOTE_CONCERN,
                    )
                ],
                suggestions=["专业课作业量偏大，希望老师分层布置。"] if n == 2 else [],
                note="新生适应期。",
            )
            barometer, _created = barometer_services.file_barometer(
                self.member, self.cls, s, week, filing, now=when
            )
            self.barometers.append(barometer)
            filing = barometer_services.Filing(
                weather=[1, 2, 5][n],
                concerns={ConcernKind.RELATIONSHIPS: 5} if n == 2 else {},
                note="宿舍同学发生激烈冲突。" if n == 2 else "",
            )
            barometer_services.file_barometer(self.member02, self.cls_b, s, week, filing, now=when)
        self.barometer = self.barometers[-1]
        # A class of the other department filed too: what a liaison of `dept` must not reach.
        self.other_barometer = Barometer.objects.create(
            semester=s,
            school_class=self.other_cls,
            week=weeks[-1],
            weather=2,
            filed_by=self.counselor,
            submitted_at=config.deadline(s, weeks[-1]) - datetime.timedelta(days=1),
        )
        self.suggestion = CourseSuggestion.objects.get(barometer=self.barometer)
        barometer_services.check_missing(s, self.now)
        self.report_student = self.students[self.cls.pk][6]
        self.immediate = barometer_services.immediate_report(
            self.member, self.cls, s, self.report_student, "在天台边徘徊"
        )
        self.alerts = list(Alert.objects.filter(school=self.school).order_by("pk"))

    # --- lectures and activities --------------------------------------------------------------

    def _lecture_extras(self):
        self.session = self.sessions[0]
        for n, score in enumerate([5, 4, 3]):
            Feedback.objects.create(
                lecture_session=self.session, satisfaction=score, device=f"{n + 1:064d}"
            )
        Feedback.objects.create(activity_session=self.activity, satisfaction=4, device="9" * 64)
        self.session_file = SessionFile.objects.create(
            session=self.session,
            kind=SessionFile.Kind.values[0],
            title="讲座课件",
            file=self.file_name,
            uploaded_by=self.counselor,
        )

    # --- publicity ------------------------------------------------------------------------------

    def _publicity(self):
        s = self.semester
        self.issue = BulletinIssue.objects.create(
            school=self.school,
            semester=s,
            theme="适应新环境，遇见新自己",
            shown_from=D(2026, 9, 14),
            shown_until=D(2026, 10, 16),
        )
        self.panel = BulletinPanel.objects.create(
            issue=self.issue, order=1, title="新生适应小贴士", text="作息规律、主动交友。"
        )
        BulletinPanel.objects.create(
            issue=self.issue, order=2, title="想家了怎么办", text="打电话。"
        )
        StudentQuestion.objects.create(
            school=self.school,
            question="总是想家，晚上睡不着怎么办？",
            answer="想家是很正常的适应反应。",
            answered_in=self.issue,
        )
        self.question = StudentQuestion.objects.create(
            school=self.school, question="和室友作息不一样，总是吵架，怎么沟通？"
        )
        self.letter = OpenLetter.objects.create(
            school=self.school,
            semester=s,
            title="致全体同学的一封信",
            body="亲爱的同学们：心理辅导科在你身边。",
            published_on=D(2026, 9, 21),
        )
        confirm_letter_read(self.letter, self.cls, self.member)
        self.month = ThemeMonth.objects.create(
            school=self.school, semester=s, month=D(2026, 11, 1), theme="阳光心态，快乐成长"
        )
        self.event = ThemeEvent.objects.create(
            month=self.month,
            kind=ThemeEvent.Kind.CONTEST,
            title="学生心理漫画比赛",
            date=D(2026, 11, 20),
        )
        ThemeEvent.objects.create(
            month=self.month,
            kind=ThemeEvent.Kind.SONG,
            title="学唱手语歌曲",
            date=D(2026, 12, 3),
            start_time=T(16, 30),
            end_time=T(17, 30),
            venue=self.hall,
        )
        self.contest = Contest.objects.create(event=self.event, entries_close_on=D(2026, 11, 14))
        criteria = [
            RubricCriterion.objects.create(contest=self.contest, order=n, name=name, max_points=p)
            for n, (name, p) in enumerate([("主题表达", 50), ("创意", 50)], start=1)
        ]
        ContestJudge.objects.create(contest=self.contest, judge=self.counselor2)
        self.entries = [
            ContestEntry.objects.create(
                contest=self.contest,
                school_class=cls,
                title=title,
                file=self.file_name,
                submitted_by=by,
            )
            for cls, title, by in (
                (self.cls, "我的情绪小怪兽", self.member),
                (self.cls_b, "打开心窗", self.member02),
            )
        ]
        self.entry = self.entries[0]
        score_entry(self.entry, self.counselor2, {c.pk: 40 for c in criteria})
        # Awards close judging: the contest the crawl opens stays open, an earlier one is
        # decided.
        earlier = Contest.objects.create(
            event=ThemeEvent.objects.create(
                month=self.month,
                kind=ThemeEvent.Kind.CONTEST,
                title="书签设计比赛",
                date=D(2026, 11, 6),
            ),
            entries_close_on=D(2026, 11, 2),
        )
        winner = ContestEntry.objects.create(
            contest=earlier,
            school_class=self.cls,
            title="阳光书签",
            file=self.file_name,
            submitted_by=self.member,
        )
        self.award = Award.objects.create(contest=earlier, entry=winner, title="一等奖")

    # --- the consultation room ------------------------------------------------------------------

    def _room(self):
        settings = RoomSettings.for_school(self.school)
        settings.slot_minutes = 60
        settings.hotlines = "学校心理咨询室：0571-8888 6666\n全国心理援助热线：400-161-9995"
        settings.answer_hours = "周一至周五 8:30–17:00"
        settings.save()
        self.category = ReasonCategory.objects.create(school=self.school, name="人际关系")
        self.c_room = Room.objects.create(school=self.school, name="心理咨询室一")
        self.hours = CounselorHours.objects.create(
            school=self.school,
            counselor=self.counselor,
            weekday=2,
            starts_at=T(14),
            ends_at=T(17),
            room=self.c_room,
        )
        today = timezone.localdate()
        self.exception = HoursException.objects.create(
            school=self.school,
            counselor=self.counselor2,
            starts_on=today + datetime.timedelta(days=10),
            ends_on=today + datetime.timedelta(days=10),
            note="外出培训",
        )
        starts = self.now.replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=3)
        self.booking = Booking.objects.create(
            school=self.school,
            student=self.student_record,
            counselor=self.counselor,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            channel="in_person",
            room=self.c_room,
            category=self.category,
            reason="刚来学校，晚上总是睡不着。",
            booked_by=self.student,
        )
        past = starts - datetime.timedelta(days=14)
        Booking.objects.create(
            school=self.school,
            student=self.students[self.cls_b.pk][2],
            counselor=self.counselor,
            starts_at=past,
            ends_at=past + datetime.timedelta(hours=1),
            channel="phone",
            category=self.category,
            status=Booking.Status.ATTENDED,
            booked_by=self.counselor,
            confirmed_at=past - datetime.timedelta(days=1),
            closed_at=past + datetime.timedelta(hours=1),
        )
        self.talk = TalkRequest.objects.create(
            school=self.school,
            student=self.students[self.other_cls.pk][1],
            channel="in_person",
            category=self.category,
            reason="最近心情很低落。",
            when_suits="周二下午",
        )
        self.thread = Thread.objects.create(
            school=self.school,
            student=self.student_record,
            counselor=self.counselor,
            subject="宿舍的事",
        )
        Message.objects.create(
            thread=self.thread, author=self.student, from_counselor=False, body="老师好，宿舍很吵。"
        )
        Message.objects.create(
            thread=self.thread, author=self.counselor, from_counselor=True, body="我们当面聊聊。"
        )
        self.case = case_with_signed_note(
            self.counselor, self.students[self.other_cls.pk][2], "第一次面谈。", concerns="考试焦虑"
        )
        self.cons_letter, _code = letters.write_letter(self.school, "老师，我最近总睡不好。")
        letters.reply(self.cons_letter, self.counselor, "谢谢你写信来。")

    # --- reports ----------------------------------------------------------------------------

    def _reports(self):
        report = report_services.start_report(self.counselor, self.previous)
        report_services.submit(self.counselor, report.versions.get(status="draft"))
        self.semester_report = report_services.start_report(self.counselor, self.semester)
        self.report_version = self.semester_report.versions.get(status="draft")

    @property
    def objects(self):
        """One object of each kind, by the names tests/crawler.py fills URLs with."""
        return {
            "school": self.school,
            "semester": self.semester,
            "department": self.dept,
            "class": self.cls,
            "student": self.students[self.cls.pk][1],
            "role": Role.objects.get(user=self.member, kind=Role.Kind.COMMITTEE_MEMBER),
            "barometer": self.barometer,
            "alerts": self.alerts,
            "suggestion": self.suggestion,
            "member": self.member_row,
            "officer": self.officer,
            "module": self.module,
            "meeting": self.meeting,
            "material": self.material,
            "venue": self.hall,
            "lecture": self.lecture,
            "session": self.session,
            "session_file": self.session_file,
            "design": self.design,
            "activity": self.activity,
            "issue": self.issue,
            "panel": self.panel,
            "question": self.question,
            "letter": self.letter,
            "month": self.month,
            "event": self.event,
            "contest": self.contest,
            "entry": self.entry,
            "award": self.award,
            "report_version": self.report_version,
            "notification": self.notification,
            "case": self.case,
            "cons_letter": self.cons_letter,
            "c_booking": self.booking,
            "c_thread": self.thread,
            "c_talk": self.talk,
            "c_hours": self.hours,
            "c_exception": self.exception,
            "c_category": self.category,
            "c_room": self.c_room,
        }
