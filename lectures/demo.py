"""Demo data for lectures, activities and publicity, from the seed reports; idempotent."""

import datetime
import hashlib
import random
import struct
import zlib

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from counseling.models import Role, SchoolClass, Semester
from lectures.events.models import Status
from lectures.events.services import create_series, record_session
from lectures.feedback.services import device_fingerprint
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    BulletinIssue,
    BulletinPanel,
    Contest,
    ContestEntry,
    ContestJudge,
    Feedback,
    Lecture,
    LectureSession,
    LetterReading,
    OpenLetter,
    RubricCriterion,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from lectures.publicity.services import confirm_letter_read, score_entry

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
    if semester is None:
        return
    if Lecture.objects.filter(school=school).exists():
        return load_feedback(school)
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
    sessions = create_series(first, counselor, slots=slots, venue=hall)
    for s in sessions:
        if s.date <= today:
            record_session(
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
    sessions = create_series(
        second,
        counselor,
        slots=[(d, datetime.time(14, 30), datetime.time(16, 0)) for d in dates],
        venue=hall,
        classes=classes,
    )
    for s in sessions:
        if s.date <= today:
            record_session(s, counselor, total=int(s.expected * 0.94))

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
    load_feedback(school)
    load_contest_and_readings(school)


HELPED = [
    "“不为失败找理由，要为成功找方法”这句话让我很受触动。",
    "知道了职专生也有很多条成功的路。",
    "老师讲的例子很真实，和我们的专业有关。",
    "现场互动很有意思。",
    "明白了要先给自己定位。",
]
WISHES = [
    "希望多讲讲怎么和室友相处。",
    "想了解实习和就业方面的心理准备。",
    "希望下次有更多互动环节。",
    "想听听学长学姐的经验。",
    "如何缓解考试焦虑。",
]


def load_feedback(school):
    """Answers from students' phones for the held lecture and activity sessions; idempotent.

    Each answer has a made-up device, as the real form stores only a hash of a random cookie.
    """
    if (
        Feedback.objects.filter(lecture_session__lecture__school=school).exists()
        or Feedback.objects.filter(activity_session__design__school=school).exists()
    ):
        return
    rng = random.Random(926)
    rows = []
    targets = [
        ("lecture_session", s, rng.randint(28, 45))
        for s in LectureSession.objects.filter(lecture__school=school, status=Status.HELD).order_by(
            "date", "start_time"
        )
    ] + [
        ("activity_session", s, rng.randint(8, 15))
        for s in ActivitySession.objects.filter(design__school=school, status=Status.HELD).order_by(
            "date"
        )
    ]
    for field, session, answers in targets:
        for n in range(answers):
            rows.append(
                Feedback(
                    satisfaction=rng.choices([5, 4, 3, 2, 1], weights=[48, 32, 12, 5, 3])[0],
                    helped=rng.choice(HELPED) if rng.random() < 0.35 else "",
                    wish=rng.choice(WISHES) if rng.random() < 0.3 else "",
                    device=device_fingerprint(f"demo-{session.feedback_token}-{n}"),
                    **{field: session},
                )
            )
    Feedback.objects.bulk_create(rows)


# --- Publicity: a judged contest and letters read out --------------------------------------

CONTEST_CRITERIA = [("主题表达", 40), ("创意", 30), ("绘画技巧", 30)]
CONTEST_ENTRIES = [
    ("我的情绪小怪兽", (255, 214, 102)),
    ("打开心窗", (129, 199, 132)),
    ("和压力做朋友", (100, 181, 246)),
    ("寝室里的阳光", (240, 98, 146)),
    ("想家的时候", (186, 104, 200)),
]
# (judge, entry index) → points per criterion; counselor3 has one entry still to score.
CONTEST_SCORES = {
    "counselor2": [(36, 25, 24), (30, 28, 20), (38, 27, 27), (25, 20, 22), (33, 24, 26)],
    "counselor3": [(34, 26, 25), (32, 25, 23), (37, 29, 26), (28, 18, 20)],
}


def demo_png(colour, width=240, height=160):
    """A small smiling face as a PNG, made with zlib and struct (no imaging library)."""
    cx, cy, r = width // 2, height // 2, min(width, height) * 0.38
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            dx, dy = x - cx, y - cy
            d2 = dx * dx + dy * dy
            pixel = (250, 248, 240)
            if d2 <= r * r:
                pixel = colour
                eye = (abs(abs(dx) - r * 0.35) ** 2 + (dy + r * 0.25) ** 2) <= (r * 0.1) ** 2
                smile = (
                    dy > r * 0.1
                    and abs((dx * dx + (dy - r * 0.05) ** 2) ** 0.5 - r * 0.55) < r * 0.06
                )
                if eye or smile:
                    pixel = (60, 50, 40)
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def load_contest_and_readings(school):
    """The comic contest with a rubric, two judges, entries from five classes and most of
    their scores; and the open letter confirmed in a few classes. Idempotent."""
    User = get_user_model()
    members = {
        r.school_class_id: r.user
        for r in Role.objects.filter(kind=Role.Kind.COMMITTEE_MEMBER, school=school).select_related(
            "user"
        )
    }
    classes = list(
        SchoolClass.objects.filter(department__school=school, is_active=True)
        .select_related("department")
        .order_by("pk")
    )
    letter = OpenLetter.objects.filter(school=school).order_by("published_on").first()
    if letter is not None and not LetterReading.objects.filter(letter=letter).exists():
        # Every class of the first department has read it out, a few classes elsewhere too.
        first_department = classes[0].department_id
        read = [c for c in classes if c.department_id == first_department]
        read += [c for c in classes if c.department_id != first_department][::7][:5]
        for n, cls in enumerate(read):
            if cls.pk in members:
                reading = confirm_letter_read(letter, cls, members[cls.pk])
                # Read out in the days after it was published, at a class meeting.
                when = datetime.datetime.combine(
                    letter.published_on + datetime.timedelta(days=1 + n % 4),
                    datetime.time(8, 5 + n),
                    tzinfo=timezone.get_current_timezone(),
                )
                LetterReading.objects.filter(pk=reading.pk).update(confirmed_at=when)

    event = (
        ThemeEvent.objects.filter(month__school=school, kind=ThemeEvent.Kind.CONTEST)
        .order_by("date")
        .first()
    )
    if event is None or Contest.objects.filter(event=event).exists():
        return
    contest = Contest.objects.create(
        event=event, entries_close_on=event.date - datetime.timedelta(days=6)
    )
    criteria = [
        RubricCriterion.objects.create(contest=contest, order=n, name=name, max_points=points)
        for n, (name, points) in enumerate(CONTEST_CRITERIA, start=1)
    ]
    judges = {u.username: u for u in User.objects.filter(username__in=CONTEST_SCORES)}
    ContestJudge.objects.bulk_create(
        ContestJudge(contest=contest, judge=j) for j in judges.values()
    )
    # One class from each of the first five departments, by their committee members.
    senders, seen = [], set()
    for cls in classes:
        if cls.department_id not in seen and cls.pk in members:
            seen.add(cls.department_id)
            senders.append(cls)
    entries = []
    for (title, colour), cls in zip(CONTEST_ENTRIES, senders, strict=False):
        # Codes carry no order: a judge who knows which class entered first must not be
        # able to tell whose entry M01 is. Derived from the class, so a re-run is stable.
        code = hashlib.sha256(f"demo-entry-{contest.pk}-{cls.pk}".encode()).hexdigest()[:6]
        code = code.upper()
        name = f"lectures/contestentry/demo-{contest.pk}-{code}.png"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(demo_png(colour)))
        entries.append(
            ContestEntry.objects.create(
                contest=contest,
                school_class=cls,
                code=code,
                title=title,
                file=name,
                submitted_by=members[cls.pk],
            )
        )
    for username, rows in CONTEST_SCORES.items():
        for entry, points in zip(entries, rows, strict=False):
            score_entry(
                entry, judges[username], {c.pk: p for c, p in zip(criteria, points, strict=True)}
            )
