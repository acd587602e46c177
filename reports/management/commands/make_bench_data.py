"""Build N benchmark schools like the demo, with a full year of data, by bulk inserts.

Each school has 6 departments, 60 classes and 3,000 students, a spring and an autumn
semester, a committee member per class, a barometer per class and teaching week (with
concerns, students of concern and the alerts a storm raises), a meeting or training every
week with attendance, lectures in sessions, group activities, feedback and audit rows.

The data of school i depends only on (--seed, i, the scale options), never on the order
of the run or on the other schools: the same command gives the same schools again.

A district also has a large school or two: `--large-schools K` adds K schools of
`--large-classes` classes (600 by default: 30,000 students), named `<prefix>L001 …` with
users `<prefix>L001-counselor` and so on, each from its own seed, leaving the ordinary
schools' data as it was. Its lectures have more sessions, a dozen classes each, as a hall
seats them. `--schools 0 --large-schools 1` builds the large school alone.
Schools that already exist (by name) are skipped, so running it twice changes nothing.

Every account's password is `bench12345` (hashed once). Usernames: `<prefix>s001-counselor`,
`<prefix>s001-principal`, `<prefix>s001-liaison1`, `<prefix>s001-t01` (class teachers),
`<prefix>s001-m01` (committee members), `<prefix>s001-student`.

Another app adds its part by a module `<app>/bench.py` with `build(world)` (the
consultation room's bookings, letters and cases, when it lands): `world` is a
`BenchSchool` with the school, its semesters, classes, students, users and `rng`.
"""

import datetime
import hashlib
import random
import time
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from committees.models import (
    Alert,
    Attendance,
    Barometer,
    BarometerConcern,
    CommitteeMember,
    ConcernKind,
    Meeting,
    Severity,
    StudentOfConcern,
)
from counseling.audit import AuditEntry
from counseling.crypto import keyed_hash
from counseling.management.commands.load_demo import DEPARTMENTS, person_name
from counseling.models import (
    Department,
    Role,
    School,
    SchoolClass,
    Semester,
    SemesterBreak,
    Student,
)
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Feedback,
    Lecture,
    LectureSession,
    SessionClass,
    Venue,
)

BENCH_PASSWORD = "bench12345"
YEARS = [2026, 2025, 2024]
# Fewer given names than the demo's: the bench schools stay the ones they always were.
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕春菊凤洁梅琳云雪荣香月佳嘉琼珍莉晶妍倩婷颖露瑶怡丹蓉君琴薇梦岚馨韵悦冰宁欣"
# Weather 1..5, weighted as a real school reports it: mostly sunny or partly cloudy.
WEATHER_WEIGHTS = [45, 33, 15, 6, 1]
SEMESTERS = [
    ("2025-2026学年第二学期", datetime.date(2026, 3, 2), 20, [(10, 10), (20, 20)]),
    ("2026-2027学年第一学期", datetime.date(2026, 8, 31), 20, [(5, 5), (20, 20)]),
]
LECTURE_TITLES = ["新生适应与人际交往", "情绪管理与压力应对", "生命教育", "职业生涯与实习心理"]
DESIGNS = ["相亲相爱一家人", "我的情绪小怪兽", "信任之旅"]
BATCH = 2000


# A lecture's session seats about this many classes (600 students in a 1,000-seat hall).
CLASSES_PER_SESSION = 12


@dataclass
class BenchSchool:
    """What one school's builders share; `<app>/bench.py` receives it."""

    index: int
    prefix: str
    rng: random.Random
    school: School
    today: datetime.date
    n_classes: int = 60
    tag: str = "s"  # "s" for the ordinary schools, "L" for the large ones
    semesters: list = field(default_factory=list)
    classes: list = field(default_factory=list)
    students: dict = field(default_factory=dict)  # class id -> [Student]
    counselors: list = field(default_factory=list)
    members: dict = field(default_factory=dict)  # semester id -> [CommitteeMember]
    member_users: dict = field(default_factory=dict)  # class id -> User
    counts: dict = field(default_factory=dict)

    def username(self, suffix):
        return f"{self.prefix}{self.tag}{self.index:03d}-{suffix}"

    def add(self, model, rows):
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + len(rows)
        return model.objects.bulk_create(rows, batch_size=BATCH)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--classes", type=int, default=60, help="classes per school")
        parser.add_argument("--students", type=int, default=50, help="students per class")
        parser.add_argument("--prefix", default="bench-", help="for school and user names")
        parser.add_argument(
            "--large-schools", type=int, default=0, help="large schools to add (default 0)"
        )
        parser.add_argument(
            "--large-classes", type=int, default=600, help="classes per large school"
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="date the year runs up to (default: today); the same date gives the same data",
        )

    def handle(self, *args, **options):
        if options["schools"] < 0 or options["large_schools"] < 0:
            raise CommandError("--schools and --large-schools cannot be negative.")
        if options["schools"] + options["large_schools"] < 1:
            raise CommandError("Build at least one school (--schools or --large-schools).")
        if options["students"] < 2 or not all(
            1 <= options[k] <= 999 for k in ("classes", "large_classes")
        ):
            # Student numbers hold the class's number in three digits.
            raise CommandError("--classes and --large-classes: 1 to 999; --students: 2 or more.")
        self.options = options
        self.password = make_password(BENCH_PASSWORD)
        today = options["today"] or timezone.localdate()
        started = time.monotonic()
        totals = {}
        plan = [("s", i, options["classes"]) for i in range(1, options["schools"] + 1)] + [
            ("L", i, options["large_classes"]) for i in range(1, options["large_schools"] + 1)
        ]
        for tag, index, n_classes in plan:
            # The ordinary schools keep the names and seeds they had before large ones existed.
            mark = "" if tag == "s" else tag
            name = f"{options['prefix']}{mark}{index:03d} 职业教育中心"
            if School.objects.filter(name=name).exists():
                self.say(f"{name}: present, skipped")
                continue
            t0 = time.monotonic()
            with transaction.atomic():
                world = BenchSchool(
                    index=index,
                    prefix=options["prefix"],
                    rng=random.Random(f"{options['seed']}-{mark}{index}"),
                    school=School.objects.create(name=name, short_name=f"bench{mark}{index:03d}"),
                    today=today,
                    n_classes=n_classes,
                    tag=tag,
                )
                self.build(world)
            for key, n in world.counts.items():
                totals[key] = totals.get(key, 0) + n
            rows = sum(world.counts.values())
            self.say(f"{name}: {rows} rows in {time.monotonic() - t0:.1f} s")
        if totals and connection.vendor == "postgresql":
            # As autovacuum would, later: fresh statistics and a visibility map, so that
            # the benchmarks see the plans a live database gets. VACUUM cannot run in a
            # transaction (the tests' one, or a caller's atomic block): ANALYZE alone can.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        summary = ", ".join(f"{k} {v}" for k, v in sorted(totals.items()))
        self.say(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f} s: {sum(totals.values())} rows"
                + (f" ({summary})" if summary else "")
            )
        )

    def say(self, text):
        if self.options["verbosity"]:
            self.stdout.write(text)

    def build(self, world):
        self.network(world)
        for semester in world.semesters:
            self.committee(world, semester)
            self.barometers(world, semester)
            self.meetings(world, semester)
            self.lectures(world, semester)
            self.activities(world, semester)
        self.audit(world)
        for module in self.app_benches():
            module.build(world)

    @staticmethod
    def app_benches():
        """`<app>.bench` modules of the other apps (the consultation room's hook)."""
        for config in apps.get_app_configs():
            if config.name == "reports":
                continue
            try:
                yield import_module(f"{config.name}.bench")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.bench":
                    raise

    # The school network ------------------------------------------------------------------

    def user(self, world, suffix, full_name):
        return get_user_model()(
            username=world.username(suffix), full_name=full_name, password=self.password
        )

    @staticmethod
    def name(rng):
        return person_name(rng, GIVEN)

    def network(self, world):
        rng, school = world.rng, world.school
        User = get_user_model()
        for name, first_monday, weeks, breaks in SEMESTERS:
            semester = Semester.objects.create(
                school=school, name=name, first_monday=first_monday, weeks=weeks
            )
            world.add(
                SemesterBreak,
                [
                    SemesterBreak(semester=semester, name=f"第{a}周", first_week=a, last_week=b)
                    for a, b in breaks
                ],
            )
            world.semesters.append(semester)

        departments = world.add(
            Department,
            [Department(school=school, name=name, code=code) for name, code, _ in DEPARTMENTS],
        )
        n_classes = world.n_classes
        per_student = self.options["students"]
        classes = []
        for n in range(n_classes):
            dept_index = n * len(DEPARTMENTS) // n_classes
            _name, code, majors = DEPARTMENTS[dept_index]
            year = YEARS[n % len(YEARS)]
            major = majors[n % len(majors)]
            classes.append(
                SchoolClass(
                    department=departments[dept_index],
                    name=f"{year}级{major}{n + 1}班",
                    enrolment_year=year,
                    size=per_student,
                )
            )
        teachers = world.add(
            User,
            [self.user(world, f"t{n + 1:02d}", self.name(rng) + "老师") for n in range(n_classes)],
        )
        for cls, teacher in zip(classes, teachers, strict=True):
            cls.class_teacher = teacher
        world.classes = world.add(SchoolClass, classes)

        students = []
        for n, cls in enumerate(world.classes):
            for k in range(per_student):
                students.append(
                    Student(
                        school=school,
                        school_class=cls,
                        student_number=f"{cls.enrolment_year}{n + 1:03d}{k + 1:03d}",
                        name=self.name(rng),
                        gender=rng.choice("MF"),
                        out_of_town=rng.random() < 0.3,
                    )
                )
        for student in world.add(Student, students):
            world.students.setdefault(student.school_class_id, []).append(student)

        staff = [
            ("principal", "周校长", Role.Kind.SCHOOL_ADMIN, {}),
            ("counselor", "林老师", Role.Kind.COUNSELOR, {"is_head": True}),
            ("counselor2", "陈老师", Role.Kind.COUNSELOR, {}),
        ] + [
            (f"liaison{d + 1}", self.name(rng) + "主任", Role.Kind.LIAISON, {"department": dept})
            for d, dept in enumerate(departments)
        ]
        staff_users = world.add(User, [self.user(world, s, full) for s, full, _k, _x in staff])
        roles = [
            Role(user=u, kind=kind, school=school, **extra)
            for u, (_s, _f, kind, extra) in zip(staff_users, staff, strict=True)
        ]
        world.counselors = [
            u for u, s in zip(staff_users, staff, strict=True) if s[2] == "counselor"
        ]

        # A committee member per class: the class's first student, with an account.
        member_users = world.add(
            User,
            [
                self.user(world, f"m{n + 1:02d}", world.students[cls.pk][0].name)
                for n, cls in enumerate(world.classes)
            ],
        )
        pupil_user = self.user(world, "student", world.students[world.classes[0].pk][1].name)
        world.add(User, [pupil_user])
        updated = []
        for cls, account in zip(world.classes, member_users, strict=True):
            world.member_users[cls.pk] = account
            first = world.students[cls.pk][0]
            first.user = account
            updated.append(first)
            roles.append(
                Role(user=account, kind=Role.Kind.COMMITTEE_MEMBER, school=school, school_class=cls)
            )
        pupil = world.students[world.classes[0].pk][1]
        pupil.user = pupil_user
        updated.append(pupil)
        roles.append(
            Role(
                user=pupil_user,
                kind=Role.Kind.STUDENT,
                school=school,
                school_class=world.classes[0],
            )
        )
        Student.objects.bulk_update(updated, ["user"], batch_size=BATCH)
        world.add(Role, roles)

    def committee(self, world, semester):
        world.members[semester.pk] = world.add(
            CommitteeMember,
            [
                CommitteeMember(
                    semester=semester,
                    school_class=cls,
                    student=world.students[cls.pk][0],
                    appointed_on=semester.first_monday,
                )
                for cls in world.classes
            ],
        )

    @staticmethod
    def past_weeks(world, semester):
        """Teaching weeks already reported by `today` (a week is filed in the week after)."""
        last = semester.week_of(world.today)
        if last is None:
            last = semester.weeks if world.today > semester.last_day else 0
        else:
            last -= 1
        return [w for w in semester.teaching_weeks() if w <= last]

    # The weekly barometer ----------------------------------------------------------------

    def barometers(self, world, semester):
        rng = world.rng
        weeks = self.past_weeks(world, semester)
        rows = []
        for cls in world.classes:
            for week in weeks:
                weather = rng.choices(range(1, 6), WEATHER_WEIGHTS)[0]
                filed = timezone.make_aware(
                    datetime.datetime.combine(
                        semester.week_start(week) + datetime.timedelta(days=rng.randint(4, 7)),
                        datetime.time(rng.randint(8, 21), rng.randint(0, 59)),
                    )
                )
                rows.append(
                    Barometer(
                        semester=semester,
                        school_class=cls,
                        week=week,
                        weather=weather,
                        nothing_to_report=weather == 1 and rng.random() < 0.6,
                        note="" if weather < 3 else "班里有同学情绪低落，已和班主任沟通。",
                        filed_by=world.member_users[cls.pk],
                        submitted_at=filed,
                        late=rng.random() < 0.05,
                    )
                )
        barometers = world.add(Barometer, rows)

        concerns, named, alerts = [], [], []
        kinds = ConcernKind.values
        for barometer in barometers:
            if barometer.nothing_to_report:
                continue
            for kind in rng.sample(kinds, rng.randint(1, 2 + barometer.weather)):
                concerns.append(
                    BarometerConcern(barometer=barometer, kind=kind, count=rng.randint(1, 6))
                )
            if barometer.weather >= 3:
                pool = world.students[barometer.school_class_id]
                for student in rng.sample(pool, min(len(pool), barometer.weather - 2)):
                    severity = Severity.URGENT if barometer.weather == 5 else Severity.WATCH
                    named.append(
                        StudentOfConcern(
                            barometer=barometer,
                            student_ref=keyed_hash(student.pk),
                            student_id_enc=str(student.pk),
                            kind=rng.choice(kinds),
                            severity=severity,
                            note="情绪波动较大",
                        )
                    )
            if barometer.weather == 5:
                alerts.append(
                    Alert(
                        school=world.school,
                        semester=semester,
                        school_class_id=barometer.school_class_id,
                        week=barometer.week,
                        rule=Alert.Rule.STORM,
                        grade=Alert.Grade.RED,
                        key=f"storm:{barometer.pk}",
                        barometer=barometer,
                        status=Alert.Status.CLOSED if rng.random() < 0.8 else Alert.Status.OPEN,
                        assigned_to=rng.choice(world.counselors),
                        outcome="已约谈，情况稳定。",
                    )
                )
        world.add(BarometerConcern, concerns)
        world.add(StudentOfConcern, named)
        world.add(Alert, alerts)

    # Meetings, lectures, activities ------------------------------------------------------

    def meetings(self, world, semester):
        rng = world.rng
        counselor = world.counselors[0]
        done = set(self.past_weeks(world, semester))
        rows = []
        for week in semester.teaching_weeks():
            rows.append(
                Meeting(
                    semester=semester,
                    kind=Meeting.Kind.MEETING if week % 2 else Meeting.Kind.TRAINING,
                    date=semester.week_start(week) + datetime.timedelta(days=2),
                    start_time=datetime.time(16, 30),
                    end_time=datetime.time(17, 30),
                    place="心理辅导中心团体活动室",
                    topic="本周班级心理状况交流",
                    status=Meeting.Status.HELD if week in done else Meeting.Status.PLANNED,
                )
            )
        meetings = world.add(Meeting, rows)
        attendance = []
        statuses = [s.value for s in Attendance.Status]
        for meeting in meetings:
            if meeting.status != Meeting.Status.HELD:
                continue
            for member in world.members[semester.pk]:
                status = rng.choices(statuses, [85, 5, 5, 5])[0]
                attendance.append(
                    Attendance(
                        meeting=meeting,
                        member=member,
                        status=status,
                        reason="请假" if status == Attendance.Status.EXCUSED else "",
                        recorded_by=counselor,
                    )
                )
        world.add(Attendance, attendance)

    def token(self, world):
        """Random from the seed, unique across prefixes (tokens are unique in the table)."""
        bits = world.rng.getrandbits(128)
        return hashlib.sha256(f"{world.prefix}{bits}".encode()).hexdigest()[:32]

    def lectures(self, world, semester):
        rng = world.rng
        venue = (
            Venue.objects.filter(school=world.school).first()
            or world.add(Venue, [Venue(school=world.school, name="报告厅", capacity=1000)])[0]
        )
        done = self.past_weeks(world, semester)
        teaching = semester.teaching_weeks()
        lectures = world.add(
            Lecture,
            [
                Lecture(
                    school=world.school,
                    semester=semester,
                    title=title,
                    speaker=world.counselors[n % 2].full_name,
                    audience=Lecture.Audience.SCHOOL,
                    status=_status(teaching[2 + 4 * n] in done),
                )
                for n, title in enumerate(LECTURE_TITLES)
            ],
        )
        sessions = []
        # Five sessions for a school of 60 classes, a dozen classes each; a large school's
        # lecture runs in more, two an afternoon, over as many weeks as it takes.
        n_sessions = max(5, -(-len(world.classes) // CLASSES_PER_SESSION))
        per_session = max(1, len(world.classes) // n_sessions)
        for n, lecture in enumerate(lectures):
            for k in range(n_sessions):
                week = teaching[min(2 + 4 * n + k // 10, len(teaching) - 1)]
                start = 14 + 2 * ((k // 5) % 2)
                sessions.append(
                    LectureSession(
                        lecture=lecture,
                        number=k + 1,
                        date=semester.week_start(week) + datetime.timedelta(days=k % 5),
                        start_time=datetime.time(start, 0),
                        end_time=datetime.time(start + 1, 30),
                        venue=venue,
                        status=lecture.status,
                        feedback_token=self.token(world),
                    )
                )
        sessions = world.add(LectureSession, sessions)
        attending, feedback = [], []
        for s, session in enumerate(sessions):
            k = s % n_sessions
            last = k == n_sessions - 1
            chunk = world.classes[k * per_session : None if last else (k + 1) * per_session]
            held = session.status == "held"
            for cls in chunk:
                expected = len(world.students[cls.pk])
                attending.append(
                    SessionClass(
                        session=session,
                        school_class=cls,
                        expected=expected,
                        actual=expected - rng.randint(0, 2) if held else None,
                    )
                )
            if held:
                feedback += self.feedback(world, 30, lecture_session=session)
        world.add(SessionClass, attending)
        world.add(Feedback, feedback)

    def feedback(self, world, n, **target):
        rng = world.rng
        return [
            Feedback(
                satisfaction=rng.choices(range(1, 6), [2, 3, 10, 35, 50])[0],
                helped="学会了调节情绪的方法" if rng.random() < 0.3 else "",
                wish="希望多讲讲人际交往" if rng.random() < 0.2 else "",
                device=self.token(world),
                **target,
            )
            for _ in range(n)
        ]

    def activities(self, world, semester):
        rng = world.rng
        designs = list(ActivityDesign.objects.filter(school=world.school)) or world.add(
            ActivityDesign,
            [
                ActivityDesign(
                    school=world.school,
                    name=name,
                    goal="增进班级凝聚力",
                    target_group="新生班级",
                    duration_minutes=45,
                    steps="热身、主题活动、分享",
                )
                for name in DESIGNS
            ],
        )
        done = set(self.past_weeks(world, semester))
        rows = []
        for n, week in enumerate(semester.teaching_weeks()[:10]):
            held = week in done
            rows.append(
                ActivitySession(
                    design=designs[n % len(designs)],
                    semester=semester,
                    date=semester.week_start(week) + datetime.timedelta(days=3),
                    start_time=datetime.time(15, 0),
                    end_time=datetime.time(15, 45),
                    school_class=world.classes[rng.randrange(len(world.classes))],
                    participants=rng.randint(30, 50) if held else None,
                    what_happened="活动顺利完成" if held else "",
                    status=_status(held),
                    feedback_token=self.token(world),
                )
            )
        sessions = world.add(ActivitySession, rows)
        Through = ActivitySession.facilitators.through
        world.add(
            Through,
            [Through(activitysession=s, user=world.counselors[0]) for s in sessions],
        )
        feedback = []
        for session in sessions:
            if session.status == "held":
                feedback += self.feedback(world, 10, activity_session=session)
        world.add(Feedback, feedback)

    # The audit trail ---------------------------------------------------------------------

    def audit(self, world):
        """Entries like a year of counselors reading and changing (3 per student)."""
        rng = world.rng
        actors = world.counselors
        actions = [AuditEntry.Action.READ, AuditEntry.Action.UPDATE, AuditEntry.Action.LOGIN]
        rows = []
        students = [s for group in world.students.values() for s in group]
        for _ in range(3 * len(students)):
            actor = rng.choice(actors)
            student = rng.choice(students)
            rows.append(
                AuditEntry(
                    actor=actor,
                    actor_name=actor.username,
                    action=rng.choice(actions),
                    object_id=str(student.pk),
                    object_repr=f"{student.name} ({student.student_number})",
                    school=world.school,
                )
            )
        world.add(AuditEntry, rows)


def _status(held):
    """The shared lecture status for a past (held) or future (planned) event."""
    return "held" if held else "planned"
