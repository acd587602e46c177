"""A school counted by hand for the figures, built on tests/board_world.World.

Classes: 甲1–甲4 (甲科), 乙1 (乙科), all of 2026. Students (active): 甲1 3, 甲2 3, 甲3 0,
甲4 0, 乙1 1 (the committee members, the ended one of 甲2 too, are among them). `NOW` is week 13; weeks 1–4 and
6–12 are due (11 weeks, 55 class-weeks expected). Every figure below is counted in the
docstrings of the builders and asserted in test_gather.py.
"""

import datetime

from committees.models import (
    Alert,
    Attendance,
    CourseSuggestion,
    ImmediateReport,
    Meeting,
    TrainingModule,
)
from counseling.models import SchoolClass
from lectures.events.models import Status
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Award,
    BulletinIssue,
    Contest,
    ContestEntry,
    Feedback,
    Lecture,
    LectureSession,
    LetterReading,
    OpenLetter,
    SessionClass,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from tests.board_world import DUE, NOW, SHANGHAI, World
from tests.factories import StudentFactory, UserFactory

D, T = datetime.date, datetime.time

__all__ = ["DUE", "NOW", "FiguresWorld"]


def at(day, hour=10):
    return datetime.datetime.combine(day, T(hour, 0), tzinfo=SHANGHAI)


class FiguresWorld(World):
    def __init__(self):
        super().__init__(classes=4)
        self.a1, self.a2, self.a3, self.a4 = self.classes
        self.b1 = self.elsewhere
        self.m1 = self.member(self.a1)
        self.m2 = self.member(self.b1)
        StudentFactory.create_batch(2, school_class=self.a1, school=self.school)
        StudentFactory.create_batch(2, school_class=self.a2, school=self.school)
        self.venue = Venue.objects.create(school=self.school, name="礼堂", capacity=500)
        self.lectures()
        self.activities()
        self.publicity()
        self.committee()
        self.barometer()
        self.feedback()

    def week_day(self, week, day=1):
        return self.semester.week_start(week) + datetime.timedelta(days=day)

    def lecture(self, title, status=Status.PLANNED):
        return Lecture.objects.create(
            school=self.school,
            semester=self.semester,
            title=title,
            speaker="讲者",
            audience=Lecture.Audience.SCHOOL,
            status=status,
        )

    def session(self, lecture, number, week, status, classes):
        session = LectureSession.objects.create(
            lecture=lecture,
            number=number,
            date=self.week_day(week),
            start_time=T(14, 0),
            end_time=T(15, 0),
            venue=self.venue,
            status=status,
        )
        for cls, expected, actual in classes:
            SessionClass.objects.create(
                session=session, school_class=cls, expected=expected, actual=actual
            )
        return session

    def lectures(self):
        """2 lectures (A, B; C cancelled), 1 held; 2 sessions held; 5 present; classes
        reached 甲1, 甲2, 乙1 (3), students on their rosters 3 + 3 + 1 = 7."""
        self.lecture_a = self.lecture("适应新生活", Status.HELD)
        self.s1 = self.session(
            self.lecture_a, 1, 2, Status.HELD, [(self.a1, 3, 3), (self.a2, 2, 1)]
        )
        self.s2 = self.session(self.lecture_a, 2, 3, Status.HELD, [(self.b1, 1, 1)])
        self.session(self.lecture_a, 3, 4, Status.CANCELLED, [(self.a3, 1, None)])
        self.lecture_b = self.lecture("情绪管理")
        self.session(self.lecture_b, 1, 14, Status.PLANNED, [(self.a3, 1, None)])
        self.lecture("取消的讲座", Status.CANCELLED)

    def activities(self):
        """2 designs, 3 sessions held (甲3: 10; 住宿生: 8 and 4), 22 participants."""
        boat = self.design("小船")
        parents = self.design("父母法")
        self.as1 = self.activity(boat, 6, Status.HELD, 10, school_class=self.a3)
        self.activity(boat, 7, Status.HELD, 8, target_group="住宿生")
        self.activity(parents, 8, Status.HELD, 4, target_group="住宿生")
        self.activity(parents, 14, Status.PLANNED, None, school_class=self.a1)

    def design(self, name):
        return ActivityDesign.objects.create(
            school=self.school,
            name=name,
            goal="g",
            target_group="t",
            duration_minutes=45,
            steps="s",
        )

    def activity(self, design, week, status, participants, **audience):
        return ActivitySession.objects.create(
            design=design,
            semester=self.semester,
            date=self.week_day(week),
            start_time=T(15, 0),
            end_time=T(15, 45),
            participants=participants,
            status=status,
            **audience,
        )

    def publicity(self):
        """1 bulletin issue; 3 questions asked this semester (1 before), 1 answered;
        2 open letters read by 甲1 and 甲2 (2 classes); 1 theme month with 2 events;
        1 contest with 3 entries and 1 award."""
        issue = BulletinIssue.objects.create(
            school=self.school,
            semester=self.semester,
            theme="适应",
            shown_from=self.week_day(2),
            shown_until=self.week_day(4),
        )
        answered = StudentQuestion.objects.create(
            school=self.school, question="q1", answer="a", answered_in=issue
        )
        pending = StudentQuestion.objects.create(school=self.school, question="q2")
        blank = StudentQuestion.objects.create(school=self.school, question="q3", answered_in=issue)
        old = StudentQuestion.objects.create(school=self.school, question="q0")
        StudentQuestion.objects.filter(pk__in=[answered.pk, pending.pk, blank.pk]).update(
            asked_at=at(self.week_day(3))
        )
        StudentQuestion.objects.filter(pk=old.pk).update(asked_at=at(D(2026, 6, 1)))
        for title, classes in (("信一", [self.a1, self.a2]), ("信二", [self.a1])):
            letter = OpenLetter.objects.create(
                school=self.school, semester=self.semester, title=title, body="…"
            )
            for cls in classes:
                LetterReading.objects.create(
                    letter=letter, school_class=cls, confirmed_by=self.filer
                )
        month = ThemeMonth.objects.create(
            school=self.school, semester=self.semester, month=self.week_day(9), theme="525"
        )
        talk = ThemeEvent.objects.create(
            month=month, kind=ThemeEvent.Kind.TALK, title="讲", date=self.week_day(9)
        )
        talk.classes.add(self.b1)
        event = ThemeEvent.objects.create(
            month=month, kind=ThemeEvent.Kind.CONTEST, title="漫画比赛", date=self.week_day(10)
        )
        contest = Contest.objects.create(event=event, entries_close_on=self.week_day(10))
        self.submitter = UserFactory(username="w-submitter", full_name="投稿人甲")
        entries = [
            ContestEntry.objects.create(
                contest=contest,
                school_class=cls,
                title=f"作品{n}",
                file="x.pdf",
                submitted_by=self.submitter,
            )
            for n, cls in enumerate([self.a1, self.a2, self.a1])
        ]
        Award.objects.create(contest=contest, entry=entries[0], title="一等奖")

    def committee(self):
        """Members 2 (甲1, 乙1; one more ended in 甲2); meetings planned 2, held 1;
        trainings planned 2, held 1; attendance 3 of 4 (75.0 %): 甲 2/2, 乙 1/2; modules
        completed 2 (both members attended the training with a module)."""
        ended = self.member(self.a2)
        ended.ended_on = self.week_day(2)
        ended.save()
        module = TrainingModule.objects.create(school=self.school, title="识别心理困扰")
        held = self.meeting(Meeting.Kind.MEETING, 1, Meeting.Status.HELD)
        self.meeting(Meeting.Kind.MEETING, 3, Meeting.Status.CANCELLED, cancel_reason="雨")
        planned = self.meeting(Meeting.Kind.MEETING, 15, Meeting.Status.PLANNED)
        training = self.meeting(Meeting.Kind.TRAINING, 2, Meeting.Status.HELD)
        training.modules.add(module)
        self.meeting(Meeting.Kind.TRAINING, 16, Meeting.Status.PLANNED)
        P, L, A = Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.ABSENT
        for meeting, member, status in (
            (held, self.m1, P),
            (held, self.m2, A),
            (training, self.m1, L),
            (training, self.m2, P),
            (planned, self.m1, P),
        ):
            Attendance.objects.create(
                meeting=meeting, member=member, status=status, recorded_by=self.counselor
            )

    def meeting(self, kind, week, status, **extra):
        return Meeting.objects.create(
            semester=self.semester,
            kind=kind,
            date=self.week_day(week, 2),
            start_time=T(12, 0),
            end_time=T(13, 0),
            place="活动室",
            status=status,
            **extra,
        )

    def barometer(self):
        """4 filed of 55 expected (7.3 %), 3 on time (5.5 %); weather 1, 1, 3, 5 (2.5);
        concerns 7 (study 3, family 4; 甲 2, 乙 5); alerts 3 (甲 2, 乙 1): red 1, closed 1,
        open 2; 1 immediate report; suggestions 3, 2 answered after 2 and 4 days (3.0)."""
        self.b_a1w1 = self.file(self.a1, 1, 1)
        self.file(self.a1, 2, 1)
        self.file(self.a1, 3, 3, late=True, concerns={"study": 2})
        self.file(self.b1, 1, 5, concerns={"study": 1, "family": 4})
        self.alert(self.a1, "a1", Alert.Grade.ORANGE)
        self.alert(self.a1, "a2", Alert.Grade.RED, Alert.Status.CLOSED)
        self.alert(self.b1, "a3", Alert.Grade.YELLOW, Alert.Status.FOLLOWING)
        ImmediateReport.objects.create(
            semester=self.semester,
            school_class=self.b1,
            student_ref="ref",
            student_id_enc="1",
            note="n",
            filed_by=self.filer,
        )
        sent = at(self.week_day(1))
        for n, days in enumerate([2, 4, None]):
            suggestion = CourseSuggestion.objects.create(
                barometer=self.b_a1w1,
                department=self.department,
                text=f"建议{n}",
                status=CourseSuggestion.Status.ANSWERED if days else CourseSuggestion.Status.OPEN,
                adopted=True if days else None,
                answer="好" if days else "",
            )
            CourseSuggestion.objects.filter(pk=suggestion.pk).update(
                created_at=sent,
                answered_at=sent + datetime.timedelta(days=days) if days else None,
            )

    def feedback(self):
        """3 answers: lecture A 5 and 4 (4.5), activity 小船 3; average 4.0."""
        for n, score in enumerate([5, 4]):
            Feedback.objects.create(lecture_session=self.s1, satisfaction=score, device=f"d{n}")
        Feedback.objects.create(activity_session=self.as1, satisfaction=3, device="d9")

    def grow(self, n):
        """n more classes in 甲科, each with students, a held lecture session, a barometer, an
        alert, a member with attendance: the same number of queries must do."""
        created = self.bulk_classes(n, prefix="大")
        lecture = self.lecture(f"大讲座{n}", Status.HELD)
        for k, cls in enumerate(created):
            StudentFactory(school_class=cls, school=self.school)
            session = self.session(lecture, k + 1, 6, Status.HELD, [(cls, 1, 1)])
            Feedback.objects.create(lecture_session=session, satisfaction=4, device=f"g{k}")
            member = self.member(cls)
            meeting = Meeting.objects.filter(semester=self.semester, status="held").first()
            Attendance.objects.create(
                meeting=meeting, member=member, status="present", recorded_by=self.counselor
            )
            self.activity(
                ActivityDesign.objects.filter(school=self.school).first(),
                7,
                Status.HELD,
                5,
                school_class=cls,
            )
        return SchoolClass.objects.filter(pk__in=[c.pk for c in created])


def extra_user(username):
    return UserFactory(username=username)
