"""Publicity: the bulletin board and its questions, open letters read out in class, theme
months and their events; each role's access."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from counseling import ratelimit
from counseling.audit import AuditEntry
from counseling.models import Role, SchoolClass, Semester
from counseling.notifications.models import Notification
from lectures.demo import demo_png
from lectures.models import (
    BulletinIssue,
    BulletinPanel,
    LetterReading,
    OpenLetter,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from lectures.publicity import services as publicity_services
from lectures.publicity.views.bulletin import QUESTION_RATE
from tests.factories import RoleFactory, UserFactory

PNG = demo_png((90, 160, 220), width=12, height=10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def persona(world):
    """A persona of the world by name, as the demo's accounts were called; `member02`, a
    committee member of another class (`other_cls`), is made on first use."""

    def get(name):
        if name == "member02":
            if not hasattr(world, "member02"):
                world.member02 = UserFactory(username="w-member02", full_name="第二位心理委员")
                RoleFactory(
                    user=world.member02,
                    kind=Role.Kind.COMMITTEE_MEMBER,
                    school=world.school,
                    school_class=world.other_cls,
                )
            return world.member02
        return world.people()[name]

    return get


@pytest.fixture
def sign_in(client, persona):
    """The test client signed in as a persona of the world, by name."""

    def sign(name):
        client.force_login(persona(name))
        return client

    return sign


@pytest.fixture(autouse=True)
def fresh_rate_limit(persona):
    """The question counters live in the cache (Redis on PostgreSQL runs), outside the
    test's transaction: forget them, and only them, around each test."""
    who = [f"user:{persona(u).pk}" for u in ("student", "member", "teacher")]
    for w in who:
        ratelimit.reset("question", QUESTION_RATE, w)
    yield
    for w in who:
        ratelimit.reset("question", QUESTION_RATE, w)


@pytest.fixture
def semester(world):
    return Semester.objects.current(world.school)


@pytest.fixture
def issue(world, semester):
    today = timezone.localdate()
    return BulletinIssue.objects.create(
        school=world.school,
        semester=semester,
        theme="测试橱窗：学会倾听",
        shown_from=today - datetime.timedelta(days=3),
        shown_until=today + datetime.timedelta(days=20),
    )


@pytest.fixture
def letter(world, semester):
    return OpenLetter.objects.create(
        school=world.school,
        semester=semester,
        title="测试信：期末减压",
        body="亲爱的同学们……",
        published_on=timezone.localdate(),
    )


def member_class(persona):
    return Role.objects.get(user=persona("member"), kind=Role.Kind.COMMITTEE_MEMBER).school_class


# --- Bulletin board and questions ----------------------------------------------------------


class TestQuestions:
    def test_student_asks_without_a_name(self, sign_in, persona, world):
        client = sign_in("student")
        before = AuditEntry.objects.count()
        response = client.post(
            reverse("lectures:question-ask"), {"question": "考试前总是紧张，怎么办？"}
        )
        assert response.status_code == 302
        question = StudentQuestion.objects.get(question="考试前总是紧张，怎么办？")
        assert question.school == world.school and question.answer == ""
        # Nothing ties it to the asker: no user column on the model, no audit entry.
        assert not [
            f
            for f in StudentQuestion._meta.get_fields()
            if getattr(f, "related_model", None) is type(persona("student"))
        ]
        assert AuditEntry.objects.count() == before

    def test_answered_and_shown_in_the_issue(self, sign_in, issue):
        question = StudentQuestion.objects.create(
            school=issue.school, question="怎样和室友沟通作息？"
        )
        waiting = StudentQuestion.objects.create(school=issue.school, question="还没回答的问题？")
        counselor = sign_in("counselor")
        response = counselor.post(
            reverse("lectures:question-answer", args=[question.pk]),
            {
                "question": question.question,
                "answer": "先约定安静时间，再轮流让步。",
                "answered_in": issue.pk,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("lectures:bulletin-detail", args=[issue.pk])
        html = sign_in("student").get(reverse("lectures:bulletin-detail", args=[issue.pk]))
        html = html.content.decode()
        assert "怎样和室友沟通作息？" in html and "先约定安静时间，再轮流让步。" in html
        assert waiting.question not in html

    def test_attaching_needs_an_answer(self, sign_in, issue):
        question = StudentQuestion.objects.create(school=issue.school, question="空的回答可以吗？")
        response = sign_in("counselor").post(
            reverse("lectures:question-answer", args=[question.pk]),
            {"question": question.question, "answer": "", "answered_in": issue.pk},
        )
        assert response.status_code == 200 and response.context["form"].errors
        question.refresh_from_db()
        assert question.answered_in is None

    def test_rate_limited(self, sign_in):
        client = sign_in("student")
        for n in range(5):
            client.post(reverse("lectures:question-ask"), {"question": f"第{n}个问题是什么？"})
        response = client.post(reverse("lectures:question-ask"), {"question": "第六个问题是什么？"})
        assert response.status_code == 400
        assert StudentQuestion.objects.filter(question__startswith="第").count() == 5

    def test_waiting_list_for_counselors_only(self, sign_in):
        assert sign_in("counselor").get(reverse("lectures:question-list")).status_code == 200
        for who in ("teacher", "member", "student", "liaison"):
            assert sign_in(who).get(reverse("lectures:question-list")).status_code == 403

    def test_discard(self, sign_in, world):
        question = StudentQuestion.objects.create(school=world.school, question="广告广告广告")
        sign_in("counselor").post(reverse("lectures:question-discard", args=[question.pk]))
        assert not StudentQuestion.objects.filter(pk=question.pk).exists()


class TestBulletin:
    def test_counselor_creates_issue_and_panel_with_image(self, sign_in, world, semester):
        client = sign_in("counselor")
        day = semester.first_monday + datetime.timedelta(days=14)
        response = client.post(
            reverse("lectures:bulletin-new"),
            {
                "theme": "新一期：情绪管理",
                "shown_from": day.isoformat(),
                "shown_until": (day + datetime.timedelta(days=14)).isoformat(),
            },
        )
        issue = BulletinIssue.objects.get(theme="新一期：情绪管理")
        assert response["Location"] == reverse("lectures:bulletin-detail", args=[issue.pk])
        assert issue.semester == semester
        response = client.post(
            reverse("lectures:bulletin-panel-new", args=[issue.pk]),
            {
                "order": 1,
                "title": "深呼吸",
                "text": "吸气四秒……",
                "image": SimpleUploadedFile("p.png", PNG),
            },
        )
        assert response.status_code == 302
        panel = BulletinPanel.objects.get(issue=issue)
        image_url = reverse("lectures:bulletin-panel-image", args=[panel.pk])
        page = sign_in("student").get(reverse("lectures:bulletin-detail", args=[issue.pk]))
        assert image_url in page.content.decode()
        image = sign_in("student").get(image_url)
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
        assert b"".join(image.streaming_content) == PNG

    def test_image_needs_sign_in(self, client, issue):
        panel = BulletinPanel.objects.create(
            issue=issue, title="图", image=SimpleUploadedFile("p.png", PNG)
        )
        response = client.get(reverse("lectures:bulletin-panel-image", args=[panel.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize(
        "name,content", [("x.gif", b"GIF89a"), ("fake.png", b"<script>"), ("p.exe", b"MZ")]
    )
    def test_bad_images_refused(self, sign_in, issue, name, content):
        response = sign_in("counselor").post(
            reverse("lectures:bulletin-panel-new", args=[issue.pk]),
            {"order": 1, "title": "坏图", "image": SimpleUploadedFile(name, content)},
        )
        assert response.status_code == 200 and "image" in response.context["form"].errors
        assert not BulletinPanel.objects.filter(title="坏图").exists()

    def test_dates_out_of_order_refused(self, sign_in, semester):
        day = semester.first_monday + datetime.timedelta(days=14)
        response = sign_in("counselor").post(
            reverse("lectures:bulletin-new"),
            {
                "theme": "倒序",
                "shown_from": day.isoformat(),
                "shown_until": (day - datetime.timedelta(days=1)).isoformat(),
            },
        )
        assert response.status_code == 200 and "shown_until" in response.context["form"].errors

    def test_future_issue_hidden_from_students(self, sign_in, issue):
        issue.shown_from = timezone.localdate() + datetime.timedelta(days=2)
        issue.save()
        url = reverse("lectures:bulletin-detail", args=[issue.pk])
        assert sign_in("student").get(url).status_code == 404
        assert sign_in("counselor").get(url).status_code == 200


# --- Open letters ---------------------------------------------------------------------------


class TestLetters:
    def confirm(self, client, letter, school_class):
        return client.post(
            reverse("lectures:letter-confirm", args=[letter.pk]), {"school_class": school_class.pk}
        )

    def test_member_confirms_once(self, sign_in, persona, letter):
        cls = member_class(persona)
        client = sign_in("member")
        assert self.confirm(client, letter, cls).status_code == 302
        assert self.confirm(client, letter, cls).status_code == 302
        reading = LetterReading.objects.get(letter=letter)
        assert (reading.school_class, reading.confirmed_by) == (cls, persona("member"))

    def test_unread_classes_listed_by_department(self, sign_in, persona, letter, world):
        cls = member_class(persona)
        self.confirm(sign_in("member"), letter, cls)
        unread = publicity_services.letter_unread_classes(letter)
        active = SchoolClass.objects.active().filter(department__school=world.school).count()
        assert unread.count() == active - 1 and cls not in unread
        response = sign_in("counselor").get(reverse("lectures:letter-detail", args=[letter.pk]))
        assert response.context["unread_count"] == active - 1
        listed = {c.pk for _d, classes in response.context["unread_by_department"] for c in classes}
        assert cls.pk not in listed and len(listed) == active - 1
        names = [d.name for d, _c in response.context["unread_by_department"]]
        assert names == sorted(names)

    def test_member_cannot_confirm_for_another_class(self, sign_in, persona, letter):
        other = Role.objects.get(user=persona("member02"), kind=Role.Kind.COMMITTEE_MEMBER)
        response = self.confirm(sign_in("member"), letter, other.school_class)
        assert response.status_code == 403
        assert not LetterReading.objects.filter(letter=letter).exists()

    def test_teacher_and_student_cannot_confirm(self, sign_in, persona, letter):
        cls = member_class(persona)
        for who in ("teacher", "student", "liaison"):
            assert self.confirm(sign_in(who), letter, cls).status_code == 403
        assert not LetterReading.objects.filter(letter=letter).exists()

    def test_counselor_records_for_a_class(self, sign_in, persona, letter):
        cls = member_class(persona)
        assert self.confirm(sign_in("counselor"), letter, cls).status_code == 302
        assert LetterReading.objects.filter(letter=letter, school_class=cls).exists()

    def test_member_phone_page(self, sign_in, persona, letter):
        client = sign_in("member")
        page = client.get(reverse("lectures:letter-mine"))
        assert page.status_code == 200
        cls = member_class(persona)
        assert letter.title in page.content.decode() and cls.name in page.content.decode()

    def test_publish_tells_the_members(self, sign_in, world, semester):
        members = (
            Role.objects.current()
            .filter(kind=Role.Kind.COMMITTEE_MEMBER, school=world.school)
            .values("user")
            .distinct()
            .count()
        )
        assert members == 1  # the world's committee member
        response = sign_in("counselor").post(
            reverse("lectures:letter-new"),
            {
                "title": "新的一封信",
                "body": "同学们好",
                "published_on": (semester.first_monday + datetime.timedelta(days=20)).isoformat(),
                "notify_members": "on",
            },
        )
        letter = OpenLetter.objects.get(title="新的一封信")
        assert response["Location"] == reverse("lectures:letter-detail", args=[letter.pk])
        assert Notification.objects.filter(kind="lectures.letter").count() == members

    def test_unpublished_letter_hidden_from_members(self, sign_in, letter):
        letter.published_on = timezone.localdate() + datetime.timedelta(days=3)
        letter.save()
        assert (
            sign_in("member").get(reverse("lectures:letter-detail", args=[letter.pk])).status_code
            == 404
        )


# --- Theme months and events --------------------------------------------------------------


class TestThemeEvents:
    @pytest.fixture
    def month(self, world, semester):
        return ThemeMonth.objects.create(
            school=world.school,
            semester=semester,
            month=semester.first_monday + datetime.timedelta(days=30),
            theme="测试月",
        )

    def post(self, client, month, **data):
        base = {"kind": "song", "title": "学唱手语歌", "date": "", "start_time": "", "end_time": ""}
        base.update(data)
        return client.post(reverse("lectures:event-new", args=[month.pk]), base)

    def test_venue_double_booking_refused(self, sign_in, lw, month):
        session = lw.sessions[0]  # the hall, 22 September, 14:30–16:00
        response = self.post(
            sign_in("counselor"),
            month,
            date=session.date.isoformat(),
            start_time="15:00",
            end_time="15:30",
            venue=session.venue_id,
        )
        assert response.status_code == 400 and "venue" in response.context["form"].errors
        assert not ThemeEvent.objects.filter(month=month).exists()

    def test_event_with_classes_and_a_contest(self, sign_in, world, month, semester):
        classes = list(SchoolClass.objects.filter(department__school=world.school)[:3])
        venue = Venue.objects.create(school=world.school, name="测试操场", capacity=900)
        day = semester.first_monday + datetime.timedelta(days=40)
        client = sign_in("counselor")
        response = self.post(
            client,
            month,
            kind="contest",
            title="心理漫画比赛",
            date=day.isoformat(),
            start_time="16:00",
            end_time="17:00",
            venue=venue.pk,
            classes=[c.pk for c in classes],
            entries_close_on=(day - datetime.timedelta(days=3)).isoformat(),
        )
        assert response.status_code == 302
        event = ThemeEvent.objects.get(month=month)
        assert set(event.classes.all()) == set(classes)
        assert event.contest.entries_close_on == day - datetime.timedelta(days=3)
        # Moving it within its own slot does not clash with itself.
        response = client.post(
            reverse("lectures:event-edit", args=[event.pk]),
            {
                "kind": "contest",
                "title": "心理漫画比赛（改）",
                "date": day.isoformat(),
                "start_time": "16:15",
                "end_time": "17:00",
                "venue": venue.pk,
                "entries_close_on": (day - datetime.timedelta(days=3)).isoformat(),
            },
        )
        assert response.status_code == 302
        event.refresh_from_db()
        assert event.title == "心理漫画比赛（改）" and event.classes.count() == 0

    def test_contest_needs_a_closing_date_and_times_in_pairs(self, sign_in, month, semester):
        day = (semester.first_monday + datetime.timedelta(days=40)).isoformat()
        client = sign_in("counselor")
        response = self.post(client, month, kind="contest", title="比赛", date=day)
        assert "entries_close_on" in response.context["form"].errors
        response = self.post(client, month, title="半个时间", date=day, start_time="10:00")
        assert "end_time" in response.context["form"].errors


# --- Each role's access ---------------------------------------------------------------------

READ_PAGES = ["lectures:bulletin-list", "lectures:letter-list", "lectures:theme-month-list"]
MANAGE_PAGES = [
    "lectures:bulletin-new",
    "lectures:letter-new",
    "lectures:theme-month-new",
    "lectures:question-list",
]


@pytest.mark.parametrize(
    "who", ["counselor", "principal", "teacher", "member", "liaison", "student"]
)
def test_everyone_with_a_role_reads_publicity(sign_in, who):
    client = sign_in(who)
    for name in READ_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_counselor_manages(sign_in):
    client = sign_in("counselor")
    for name in MANAGE_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


@pytest.mark.parametrize("who", ["principal", "teacher", "member", "liaison", "student"])
def test_others_do_not_manage(sign_in, who):
    client = sign_in(who)
    for name in MANAGE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_anonymous_is_sent_to_sign_in(client, world, issue, letter):
    urls = [reverse(n) for n in READ_PAGES + MANAGE_PAGES] + [
        reverse("lectures:question-ask"),
        reverse("lectures:letter-mine"),
        reverse("lectures:bulletin-detail", args=[issue.pk]),
        reverse("lectures:letter-detail", args=[letter.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("lectures:question-ask"), {"question": "匿名可以问吗？"})
    assert (
        response.status_code == 302
        and not StudentQuestion.objects.filter(question="匿名可以问吗？").exists()
    )


def test_nav_links(sign_in):
    html = sign_in("member").get(reverse("home")).content.decode()
    assert reverse("lectures:letter-mine") in html and reverse("reports:calendar") in html
    html = sign_in("teacher").get(reverse("home")).content.decode()
    assert reverse("lectures:bulletin-list") in html and reverse("lectures:letter-mine") not in html
