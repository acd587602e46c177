"""Demo data for lectures, activities and publicity, from the seed reports; idempotent."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from counseling.models import SchoolClass, Semester
from lectures import services
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    BulletinIssue,
    BulletinPanel,
    Lecture,
    OpenLetter,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from lectures.models.lectures import Status

DESIGNS = [
    (
        "汪洋中的一条小船",
        "在团体情境中体验信任与合作，学会在困境中互相支持。",
        "新生班级",
        45,
        "报纸若干张、计时器",
        "1. 热身：大风吹\n2. 分组站上“小船”（报纸），每轮对折减小面积\n3. 讨论：困难中我们是怎样互相帮助的\n4. 分享与总结",
        "注意安全，避免推挤；关注不愿身体接触的同学。",
    ),
    (
        "接受父母法",
        "理解父母的不完美，学习与父母沟通的方法。",
        "与家庭关系紧张的学生",
        50,
        "卡片、笔、轻音乐",
        "1. 冥想导入：回忆与父母的一件小事\n2. 写一封不寄出的信\n3. 小组分享\n4. 练习“我信息”表达",
        "可能引发强烈情绪，辅导教师需留意并在活动后个别跟进。",
    ),
    (
        "相亲相爱一家人",
        "缓解外地学生的想家情绪，在集体中建立归属感。",
        "外地一年级学生",
        60,
        "《相亲相爱一家人》手语歌视频、彩纸",
        "1. 破冰：家乡名片\n2. 讲讲我的家乡\n3. 学唱手语歌《相亲相爱一家人》\n4. 写给新“家人”的一句话",
        "个别同学可能因想家哭泣，安排助手陪伴。",
    ),
]


def load(school):
    semester = Semester.objects.current(school)
    if semester is None or Lecture.objects.filter(school=school).exists():
        return
    counselor = get_user_model().objects.get(username="counselor")
    hall = Venue.objects.create(school=school, name="学校报告厅", capacity=520)
    room = Venue.objects.create(school=school, name="心理辅导中心团体活动室", capacity=60)
    Venue.objects.create(school=school, name="阶梯教室", capacity=150)
    today = timezone.localdate()

    first = Lecture.objects.create(
        school=school,
        semester=semester,
        title="成功从这里起步",
        theme="新生入学教育",
        speaker="林老师",
        speaker_user=counselor,
        audience=Lecture.Audience.GRADES,
        audience_years=[2026],
        summary="如何结合专业特点给自己准确定位，培养积极心态和良好职业品质；多元化成功观。",
    )
    slots = [
        (datetime.date(2026, 9, d), datetime.time(14, 30), datetime.time(16, 0))
        for d in (22, 23, 24, 25, 28)
    ]
    sessions = services.create_series(first, counselor, slots=slots, venue=hall)
    for s in sessions:
        if s.date <= today:
            services.record_session(
                s, counselor, total=int(s.expected * 0.96), notes="秩序良好，学生反响积极。"
            )

    second = Lecture.objects.create(
        school=school,
        semester=semester,
        title="心窗打开，你的世界就会亮起来",
        theme="心理健康辅导",
        speaker="林老师",
        speaker_user=counselor,
        audience=Lecture.Audience.SCHOOL,
        summary="学习心理健康知识，现场体验“敞开心扉”等四个心理团体活动，师生共唱《让世界充满爱》。",
    )
    dates = [
        datetime.date(2026, 10, 28),
        datetime.date(2026, 10, 29),
        datetime.date(2026, 10, 30),
        datetime.date(2026, 11, 2),
        datetime.date(2026, 11, 4),
        datetime.date(2026, 11, 6),
    ]
    # Third-year classes away on internship are left out.
    classes = second.target_classes().exclude(absences__kind="internship")
    sessions = services.create_series(
        second,
        counselor,
        slots=[(d, datetime.time(14, 30), datetime.time(16, 0)) for d in dates],
        venue=hall,
        classes=classes,
    )
    for s in sessions:
        if s.date <= today:
            services.record_session(s, counselor, total=int(s.expected * 0.94))

    designs = {}
    for name, goal, group, minutes, materials, steps, cautions in DESIGNS:
        designs[name] = ActivityDesign.objects.create(
            school=school,
            name=name,
            goal=goal,
            target_group=group,
            duration_minutes=minutes,
            materials=materials,
            steps=steps,
            cautions=cautions,
        )
    new_classes = list(
        SchoolClass.objects.filter(department__school=school, enrolment_year=2026).order_by("pk")[
            :3
        ]
    )
    for n, cls in enumerate(new_classes):
        session = ActivitySession.objects.create(
            design=designs["汪洋中的一条小船"],
            semester=semester,
            date=datetime.date(2026, 10, 13 + n),
            start_time=datetime.time(15, 0),
            end_time=datetime.time(15, 45),
            venue=room,
            school_class=cls,
            participants=48,
            status=Status.HELD,
            what_happened="全班参与积极，最后一轮有同学主动背起同伴。",
            reflection="班级凝聚力明显增强，班主任反映课后同学间互助增多。",
        )
        session.facilitators.add(counselor)
    family = ActivitySession.objects.create(
        design=designs["接受父母法"],
        semester=semester,
        date=datetime.date(2026, 11, 10),
        start_time=datetime.time(15, 0),
        end_time=datetime.time(15, 50),
        venue=room,
        target_group="与家庭关系紧张的学生（自愿报名）",
        participants=16,
        status=Status.HELD,
        what_happened="多名同学在写信环节流泪，分享真诚。",
        reflection="两名同学主动预约了后续个体辅导。",
    )
    family.facilitators.add(counselor)
    home = ActivitySession.objects.create(
        design=designs["相亲相爱一家人"],
        semester=semester,
        date=datetime.date(2026, 12, 9),
        start_time=datetime.time(15, 0),
        end_time=datetime.time(16, 0),
        venue=room,
        target_group="外地一年级学生",
        status=Status.PLANNED,
    )
    home.facilitators.add(counselor)

    issue = BulletinIssue.objects.create(
        school=school,
        semester=semester,
        theme="适应新环境，遇见新自己",
        shown_from=datetime.date(2026, 9, 14),
        shown_until=datetime.date(2026, 10, 16),
    )
    BulletinPanel.objects.create(
        issue=issue,
        order=1,
        title="新生适应小贴士",
        text="作息规律、主动交友、有困难找心理委员或辅导科。",
    )
    BulletinPanel.objects.create(
        issue=issue,
        order=2,
        title="想家了怎么办",
        text="给家人打个电话，和室友聊聊家乡，参加“相亲相爱一家人”活动。",
    )
    StudentQuestion.objects.create(
        school=school,
        question="总是想家，晚上睡不着怎么办？",
        answer="想家是很正常的适应反应。可以固定时间和家人通话，白天多参加集体活动；持续失眠请到心理辅导室聊聊。",
        answered_in=issue,
    )
    StudentQuestion.objects.create(school=school, question="和室友作息不一样，总是吵架，怎么沟通？")
    OpenLetter.objects.create(
        school=school,
        semester=semester,
        title="致全体同学的一封信：心理辅导科在你身边",
        body="亲爱的同学们：\n心理辅导科已在各班设立心理委员……遇到困扰时，欢迎来心理辅导室，或通过书信、电话与我们联系。",
        published_on=datetime.date(2026, 9, 21),
    )
    month = ThemeMonth.objects.create(
        school=school,
        semester=semester,
        month=datetime.date(2026, 11, 1),
        theme="心理健康教育主题月：阳光心态，快乐成长",
    )
    ThemeEvent.objects.create(
        month=month,
        kind=ThemeEvent.Kind.CONTEST,
        title="学生心理漫画比赛",
        date=datetime.date(2026, 11, 20),
        description="各班提交作品，评委按评分表匿名评审。",
    )
    ThemeEvent.objects.create(
        month=month,
        kind=ThemeEvent.Kind.SONG,
        title="学唱励志手语歌曲《让世界充满爱》",
        date=datetime.date(2026, 12, 3),
        start_time=datetime.time(16, 30),
        end_time=datetime.time(17, 30),
        venue=hall,
    )
