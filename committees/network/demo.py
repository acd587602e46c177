"""Demo data for the committee network: members, association, meetings and trainings."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from committees.network import services
from committees.network.models import (
    AssociationOfficer,
    Attendance,
    CommitteeMember,
    Meeting,
    MinutesRevision,
    TrainingModule,
)
from counseling.models import Role, Semester

MODULES = [
    ("识别心理困扰", "情绪、行为和学习上的异常信号；哪些变化值得关注。"),
    ("倾听与共情", "如何听同学说话：不评判、不急于给建议，复述和回应感受。"),
    ("危机信号与转介", "自伤、自杀念头等危机信号；第一时间报告辅导科，不独自处理。"),
    ("保密原则与边界", "什么可以保密、什么必须报告；心理委员不是咨询师。"),
    ("晴雨表填报", "每周如何观察全班、如何如实填写晴雨表和给专业课建议。"),
    ("朋辈互助活动", "组织班级心理互助小活动，如“相亲相爱一家人”。"),
    ("情绪管理与压力应对", "认识自己的情绪，学几种放松和调节的方法。"),
    ("人际交往与宿舍相处", "宿舍矛盾、同学冲突时心理委员能做什么。"),
    ("考试焦虑与时间管理", "期末前常见的焦虑表现，如何帮同学安排复习。"),
    ("学期回顾与经验分享", "本学期工作回顾，心理委员交流经验。"),
]
MEETING_TOPICS = [
    "本周班级心理状况交流",
    "班级晴雨表反馈与讨论",
    "新生适应情况交流",
    "期中考试前后的情绪关注",
]
PLACE = "心理辅导中心团体活动室"


def load_network(school):
    semester = Semester.objects.current(school)
    if semester is None or CommitteeMember.objects.filter(semester=semester).exists():
        return
    rng = random.Random(7)
    counselor = get_user_model().objects.get(username="counselor")
    modules = [
        TrainingModule.objects.create(school=school, order=n, title=title, description=text)
        for n, (title, text) in enumerate(MODULES, start=1)
    ]
    members = _appoint(school, semester)
    _officers(school, semester, members)
    _schedule(semester, counselor, modules, members, rng)


def _appoint(school, semester):
    members = []
    roles = (
        Role.objects.filter(school=school, kind=Role.Kind.COMMITTEE_MEMBER)
        .select_related("user__student", "school_class")
        .order_by("school_class_id")
    )
    for role in roles:
        cls = role.school_class
        new_class = cls.enrolment_year == semester.first_monday.year
        appointed = datetime.date(2026, 9, 14) if new_class else datetime.date(2025, 9, 15)
        members.append(
            CommitteeMember(
                semester=semester,
                school_class=cls,
                student=role.user.student,
                appointed_on=appointed,
                term_ends_on=appointed.replace(year=appointed.year + 2),
            )
        )
    CommitteeMember.objects.bulk_create(members)
    return list(
        CommitteeMember.objects.filter(semester=semester).select_related(
            "student__user", "school_class__department"
        )
    )


def _officers(school, semester, members):
    by_user = {m.student.user.username: m for m in members if m.student.user_id}
    start = datetime.date(2026, 9, 21)
    P = AssociationOfficer.Position
    for username, position in [
        ("member02", P.CHAIR),
        ("member12", P.VICE_CHAIR),
        ("member23", P.SECRETARY),
    ]:
        AssociationOfficer.objects.create(
            school=school, student=by_user[username].student, position=position, starts_on=start
        )
    seen = set()
    for m in members:
        dept = m.school_class.department
        if dept.pk in seen or m.student.user.username in {
            "member",
            "member02",
            "member12",
            "member23",
        }:
            continue
        seen.add(dept.pk)
        AssociationOfficer.objects.create(
            school=school,
            student=m.student,
            position=P.DEPARTMENT_REP,
            department=dept,
            starts_on=start,
        )


def _schedule(semester, counselor, modules, members, rng):
    services.generate_schedule(
        semester,
        counselor,
        weekday=2,
        start_time=datetime.time(16, 30),
        end_time=datetime.time(17, 30),
        place=PLACE,
    )
    today = timezone.localdate()
    meetings = list(
        Meeting.objects.filter(semester=semester).order_by("date").prefetch_related("modules")
    )
    for meeting in meetings:
        week = semester.week_of(meeting.date)
        if meeting.kind == Meeting.Kind.TRAINING:
            # The schedule took its topics from the curriculum, in order.
            for module in meeting.modules.all():
                meeting.agenda = f"1. 上次培训回顾\n2. {module.title}：{module.description}\n3. 情景演练\n4. 答疑"
            meeting.save()
        else:
            meeting.topic = MEETING_TOPICS[week % len(MEETING_TOPICS)]
            meeting.agenda = (
                "1. 各专业科心理委员汇报本周班级情况\n2. 晴雨表问题反馈\n3. 下周工作安排"
            )
            meeting.save()
        if week == 9 and meeting.kind == Meeting.Kind.MEETING:
            meeting.status = Meeting.Status.CANCELLED
            meeting.cancel_reason = "学校秋季运动会，例会暂停一次"
            meeting.save()
    held = [m for m in meetings if m.date < today and m.status == Meeting.Status.PLANNED]
    rows = []
    # member05 misses the last two held meetings, so the counselor's flag has something to show.
    truant = next((m for m in members if m.student.user.username == "member05"), None)
    for index, meeting in enumerate(held):
        for member in members:
            if member.appointed_on > meeting.date:
                continue
            if member is truant and index >= len(held) - 2:
                status = Attendance.Status.ABSENT
            else:
                status = rng.choices(
                    [
                        Attendance.Status.PRESENT,
                        Attendance.Status.LATE,
                        Attendance.Status.EXCUSED,
                        Attendance.Status.ABSENT,
                    ],
                    weights=[88, 5, 4, 3],
                )[0]
            reason = (
                rng.choice(["病假", "参加技能比赛集训", "家中有事"])
                if status == Attendance.Status.EXCUSED
                else ""
            )
            rows.append(
                Attendance(
                    meeting=meeting,
                    member=member,
                    status=status,
                    reason=reason,
                    recorded_by=counselor,
                )
            )
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
        MinutesRevision.objects.create(
            meeting=meeting,
            author=counselor,
            text=f"{meeting.topic}\n出席情况见签到。\n会议要点：各班整体情况平稳；个别班级反映新生想家情绪明显，"
            "辅导科将安排“相亲相爱一家人”团体辅导活动。",
        )
    Attendance.objects.bulk_create(rows)
    if held and truant is not None:
        services.flag_two_misses(held[-1], [truant])
