"""What the lectures-area tests add to the shared World (tests/personas.py): the office's
venues, a lecture given in sessions, a group activity. Built with the services the pages use,
so what a test asserts follows from what it built here.

    lw = lecture_world(World())   # or the `lw` fixture (tests/lectures/conftest.py)
    lw.lecture, lw.sessions, lw.planned, lw.hall, lw.design, lw.activity
    aw = activity_world(World())  # or `aw`: also aw.family, aw.home (three designs)

The hand-counted school of the `counted` fixture (five classes of 10 to 40) is apart from
the world: lecture_for() and make_class() build on it.

The world's four classes (five students each) are all of enrolment year 2026.
"""

import datetime
import zoneinfo

import time_machine

from lectures.events import services as events_services
from lectures.events.models import Status
from lectures.models import ActivityDesign, ActivitySession, Lecture, Venue
from tests.factories import SchoolClassFactory, StudentFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Sunday in week 13 of the world's semester: September's sessions are past, January's ahead.
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)
D = datetime.date
T = datetime.time
AFTERNOON = (T(14, 30), T(16, 0))


def slot(day, start=AFTERNOON[0], end=AFTERNOON[1]):
    return (day, start, end)


def make_class(department, name, year, students):
    cls = SchoolClassFactory(department=department, name=name, enrolment_year=year)
    StudentFactory.create_batch(students, school_class=cls)
    return cls


def lecture_for(counted, **extra):
    """A lecture of the hand-counted school (the `counted` fixture), for grade 2026."""
    fields = {
        "school": counted["school"],
        "semester": counted["semester"],
        "title": "成功从这里起步",
        "speaker": "林老师",
        "audience": Lecture.Audience.GRADES,
        "audience_years": [2026],
    }
    fields.update(extra)
    return Lecture.objects.create(**fields)


def add_venues(world):
    """The demo's three rooms, by the same names and seats."""
    world.hall = Venue.objects.create(school=world.school, name="学校报告厅", capacity=520)
    world.room = Venue.objects.create(
        school=world.school, name="心理辅导中心团体活动室", capacity=60
    )
    world.lecture_room = Venue.objects.create(school=world.school, name="阶梯教室", capacity=150)
    return world


def add_grade(world, year, classes, students, *, department=None):
    """`classes` more classes of enrolment `year`, `students` active students in each."""
    made = []
    for i in range(classes):
        cls = SchoolClassFactory(
            department=department or world.dept, name=f"{year}级测试{i + 1}班", enrolment_year=year
        )
        StudentFactory.create_batch(students, school_class=cls, school=world.school)
        made.append(cls)
    return made


def new_lecture(world, title="成功从这里起步", **extra):
    fields = {
        "school": world.school,
        "semester": world.semester,
        "title": title,
        "speaker": "林老师",
        "speaker_user": world.counselor,
        "audience": Lecture.Audience.GRADES,
        "audience_years": [2026],
    }
    fields.update(extra)
    return Lecture.objects.create(**fields)


def new_design(world, name="汪洋中的一条小船"):
    return ActivityDesign.objects.create(
        school=world.school,
        name=name,
        goal="在团体情境中体验信任与合作。",
        target_group="新生班级",
        duration_minutes=45,
        steps="1. 热身\n2. 小船\n3. 分享",
    )


def lecture_world(world):
    """Venues; a lecture for grade 2026 (the world's four classes, 20 students) in two
    sessions in the hall, 14:30–16:00 on 22 and 23 September, both held (9 and 8 present),
    and a third planned for 8 January in the 阶梯教室 with `cls`; a held 小船 activity with
    `cls` on 13 October in the activity room (5 taking part, the counselor facilitating)."""
    add_venues(world)
    lecture = new_lecture(world)
    with time_machine.travel(NOW, tick=False):
        world.sessions = events_services.create_series(
            lecture,
            world.counselor,
            slots=[(D(2026, 9, 22), *AFTERNOON), (D(2026, 9, 23), *AFTERNOON)],
            venue=world.hall,
            classes=lecture.target_classes(),
        )
        for session, present in zip(world.sessions, (9, 8), strict=True):
            events_services.record_session(session, world.counselor, total=present)
        (world.planned,) = events_services.create_series(
            lecture,
            world.counselor,
            slots=[(D(2027, 1, 8), *AFTERNOON)],
            venue=world.lecture_room,
            classes=[world.cls],
        )
    lecture.refresh_from_db()
    world.lecture = lecture
    world.design = new_design(world)
    world.activity = ActivitySession.objects.create(
        design=world.design,
        semester=world.semester,
        date=D(2026, 10, 13),
        start_time=T(15, 0),
        end_time=T(15, 45),
        venue=world.room,
        school_class=world.cls,
        participants=5,
        status=Status.HELD,
        what_happened="全班参与积极。",
    )
    world.activity.facilitators.add(world.counselor)
    return world


def activity_world(world):
    """lecture_world, and the demo's three designs used as the seed report tells: 小船
    (`design`) held with `cls`, `cls_b` and `other_cls` (13–15 October, five taking part
    each), 接受父母法 (`family`) held once for a target group (4 taking part, 10 November),
    相亲相爱一家人 (`home`) planned for 9 December; all in the activity room."""
    lecture_world(world)
    for day, cls in ((14, world.cls_b), (15, world.other_cls)):
        session = ActivitySession.objects.create(
            design=world.design,
            semester=world.semester,
            date=D(2026, 10, day),
            start_time=T(15, 0),
            end_time=T(15, 45),
            venue=world.room,
            school_class=cls,
            participants=5,
            status=Status.HELD,
        )
        session.facilitators.add(world.counselor)
    world.family = new_design(world, "接受父母法")
    ActivitySession.objects.create(
        design=world.family,
        semester=world.semester,
        date=D(2026, 11, 10),
        start_time=T(15, 0),
        end_time=T(15, 50),
        venue=world.room,
        target_group="与家庭关系紧张的学生（自愿报名）",
        participants=4,
        status=Status.HELD,
    ).facilitators.add(world.counselor)
    world.home = new_design(world, "相亲相爱一家人")
    ActivitySession.objects.create(
        design=world.home,
        semester=world.semester,
        date=D(2026, 12, 9),
        start_time=T(15, 0),
        end_time=T(16, 0),
        venue=world.room,
        target_group="外地一年级学生",
    ).facilitators.add(world.counselor)
    return world
