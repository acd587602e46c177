"""Contests judged blind: a judge's pages never name the class or who submitted; scores
within the rubric; results ranked as counted by hand; awards close the judging."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from counseling.errors import PortalError
from counseling.models import Department, Role, Semester
from lectures.demo import demo_png
from lectures.models import (
    Award,
    Contest,
    ContestEntry,
    ContestJudge,
    RubricCriterion,
    Score,
    ThemeEvent,
    ThemeMonth,
)
from lectures.publicity import services
from lectures.publicity.views.contests import ranked
from tests.factories import RoleFactory, SchoolClassFactory, UserFactory

PNG = demo_png((200, 120, 80), width=16, height=12)
# Names that appear nowhere else in the test database, so any leak is the entry's own.
CLASS_NAMES = ["盲评甲班", "盲评乙班", "盲评丙班"]
SUBMITTERS = [
    ("blind-sub-a", "提交人甲某"),
    ("blind-sub-b", "提交人乙某"),
    ("blind-sub-c", "提交人丙某"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class Setup:
    """A contest of the world's school: rubric 40/30/30, judges counselor2 and teacher (a
    class teacher, not a counselor), three entries from classes of their own."""

    def __init__(self, base):
        school = base.school
        self.people = base.people()
        semester = Semester.objects.current(school)
        today = timezone.localdate()
        month = ThemeMonth.objects.create(
            school=school, semester=semester, month=today, theme="测试主题月"
        )
        self.event = ThemeEvent.objects.create(
            month=month,
            kind=ThemeEvent.Kind.CONTEST,
            title="测试漫画比赛",
            date=today + datetime.timedelta(days=10),
        )
        self.contest = Contest.objects.create(
            event=self.event, entries_close_on=today + datetime.timedelta(days=5)
        )
        self.criteria = [
            RubricCriterion.objects.create(contest=self.contest, order=n, name=name, max_points=p)
            for n, (name, p) in enumerate([("主题", 40), ("创意", 30), ("技巧", 30)], start=1)
        ]
        self.judges = [base.counselor2, base.teacher]
        for judge in self.judges:
            ContestJudge.objects.create(contest=self.contest, judge=judge)
        department = Department.objects.filter(school=school).order_by("name").first()
        self.classes, self.members, self.entries = [], [], []
        for n, name in enumerate(CLASS_NAMES):
            cls = SchoolClassFactory(department=department, name=name)
            username, full_name = SUBMITTERS[n]
            member = UserFactory(username=username, full_name=full_name)
            RoleFactory(
                user=member, kind=Role.Kind.COMMITTEE_MEMBER, school=school, school_class=cls
            )
            self.classes.append(cls)
            self.members.append(member)
            self.entries.append(
                ContestEntry.objects.create(
                    contest=self.contest,
                    school_class=cls,
                    code=f"T{n}X{n}Y",
                    title=f"作品{n + 1}",
                    file=SimpleUploadedFile(f"{name}-{full_name}.png", PNG),
                    submitted_by=member,
                )
            )

    def points(self, *values):
        return {c.pk: v for c, v in zip(self.criteria, values, strict=True)}

    def form(self, *values):
        return {f"c{c.pk}": v for c, v in zip(self.criteria, values, strict=True)}


@pytest.fixture
def world(world):
    """The contest, in the shared world's school (the shared fixture's name is taken over
    here: the tests read `world.contest`, `world.entries`)."""
    return Setup(world)


@pytest.fixture
def persona(world):
    """A persona of the world by name ("teacher"), or a submitter by username."""

    def get(name):
        return world.people.get(name) or get_user_model().objects.get(username=name)

    return get


@pytest.fixture
def sign_in(client, persona):
    def sign(name):
        client.force_login(persona(name))
        return client

    return sign


def leaks(html, world):
    """Every class name and submitter identity found in a page."""
    words = CLASS_NAMES + [n for pair in SUBMITTERS for n in pair]
    return [w for w in words if w in html]


class TestBlindJudging:
    @pytest.mark.parametrize("judge", ["counselor2", "teacher"])
    def test_judge_pages_never_name_class_or_submitter(self, sign_in, world, judge):
        client = sign_in(judge)
        pk = world.contest.pk
        pages = [
            reverse("lectures:contest-judge-home"),
            reverse("lectures:contest-judge", args=[pk]),
            reverse("lectures:contest-detail", args=[pk]),
        ] + [reverse("lectures:contest-judge-entry", args=[pk, e.code]) for e in world.entries]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert leaks(response.content.decode(), world) == [], url
        listing = client.get(reverse("lectures:contest-judge", args=[pk])).content.decode()
        for entry in world.entries:
            assert entry.code in listing and entry.title in listing

    def test_download_is_named_by_code_only(self, sign_in, world):
        client = sign_in("counselor2")
        entry = world.entries[0]
        response = client.get(
            reverse("lectures:contest-judge-file", args=[world.contest.pk, entry.code])
        )
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert f'filename="{entry.code}.png"' in disposition
        assert leaks(disposition, world) == []
        assert b"".join(response.streaming_content) == PNG
        # The stored name does not carry the uploader's file name either.
        assert leaks(entry.file.name, world) == []

    def test_judge_is_not_shown_results_or_entries_with_classes(self, sign_in, world):
        client = sign_in("counselor2")  # a counselor, but judging this contest
        assert (
            client.get(reverse("lectures:contest-results", args=[world.contest.pk])).status_code
            == 403
        )
        file_url = reverse(
            "lectures:contest-entry-file", args=[world.contest.pk, world.entries[0].pk]
        )
        assert client.get(file_url).status_code == 403
        assert (
            client.get(reverse("lectures:contest-entry-new", args=[world.contest.pk])).status_code
            == 403
        )

    @pytest.mark.parametrize("who", ["counselor", "member", "liaison", "student"])
    def test_non_judge_is_refused(self, sign_in, world, who):
        client = sign_in(who)
        pk, code = world.contest.pk, world.entries[0].code
        for url in (
            reverse("lectures:contest-judge", args=[pk]),
            reverse("lectures:contest-judge-entry", args=[pk, code]),
            reverse("lectures:contest-judge-file", args=[pk, code]),
        ):
            assert client.get(url).status_code == 403, url
        response = client.post(
            reverse("lectures:contest-judge-entry", args=[pk, code]), world.form(10, 10, 10)
        )
        assert response.status_code == 403
        assert not Score.objects.filter(entry__contest=world.contest).exists()

    def test_service_refuses_a_non_judge(self, world, persona):
        with pytest.raises(PortalError) as error:
            services.score_entry(world.entries[0], persona("counselor"), world.points(1, 1, 1))
        assert error.value.code == "not_judge"

    def test_entries_for_judge_loads_no_class(self, world, persona, django_assert_num_queries):
        entries = list(services.entries_for_judge(world.contest, persona("teacher")))
        with django_assert_num_queries(0):
            assert [e.code for e in entries] == sorted(e.code for e in world.entries)
            assert all("school_class" not in e.__dict__ for e in entries)


class TestScoring:
    def url(self, world, entry):
        return reverse("lectures:contest-judge-entry", args=[world.contest.pk, entry.code])

    def test_scores_saved_and_changed(self, sign_in, world):
        client = sign_in("teacher")
        entry = world.entries[0]
        response = client.post(self.url(world, entry), world.form(30, 20, 10))
        assert response.status_code == 302
        client.post(self.url(world, entry), world.form(31, 21, 11))
        points = sorted(Score.objects.filter(entry=entry).values_list("points", flat=True))
        assert points == [11, 21, 31]

    @pytest.mark.parametrize("values", [(41, 10, 10), (-1, 10, 10), (10, 31, 10), ("x", 1, 1)])
    def test_out_of_range_refused(self, sign_in, world, values):
        client = sign_in("teacher")
        response = client.post(self.url(world, world.entries[0]), world.form(*values))
        assert response.status_code == 400
        assert not Score.objects.filter(entry__contest=world.contest).exists()

    def test_service_refuses_out_of_range_and_incomplete(self, world, persona):
        judge = persona("teacher")
        with pytest.raises(PortalError):
            services.score_entry(world.entries[0], judge, world.points(40, 30, 31))
        with pytest.raises(PortalError):
            services.score_entry(world.entries[0], judge, {world.criteria[0].pk: 5})
        assert not Score.objects.filter(entry__contest=world.contest).exists()

    def test_rubric_frozen_once_scored(self, sign_in, world):
        client = sign_in("counselor")
        url = reverse("lectures:contest-settings", args=[world.contest.pk])
        assert client.get(url).context["formset"] is not None
        services.score_entry(world.entries[0], world.judges[0], world.points(1, 2, 3))
        assert client.get(url).context["formset"] is None

    def test_judge_who_scored_cannot_be_removed(self, sign_in, world):
        services.score_entry(world.entries[0], world.judges[1], world.points(1, 2, 3))
        client = sign_in("counselor")
        response = client.post(
            reverse("lectures:contest-settings", args=[world.contest.pk]),
            {
                "entries_close_on": world.contest.entries_close_on.isoformat(),
                "judges": [world.judges[0].pk],
            },
        )
        assert response.status_code == 400
        assert "judges" in response.context["form"].errors
        assert ContestJudge.objects.filter(contest=world.contest).count() == 2


# Hand-counted: entry → judge → (主题, 创意, 技巧)
HAND = {
    0: {"counselor2": (30, 20, 20), "teacher": (34, 22, 24)},  # 70, 80 → 75
    1: {"counselor2": (38, 28, 26), "teacher": (36, 27, 25)},  # 92, 88 → 90
    2: {"counselor2": (35, 20, 20)},  # 75, one judge only → 75 (ties with entry 0)
}


class TestResults:
    def score_by_hand(self, world, sign_in):
        for index, by_judge in HAND.items():
            for judge, values in by_judge.items():
                client = sign_in(judge)
                url = reverse(
                    "lectures:contest-judge-entry",
                    args=[world.contest.pk, world.entries[index].code],
                )
                assert client.post(url, world.form(*values)).status_code == 302

    def test_ranking_matches_hand_count(self, sign_in, world):
        self.score_by_hand(world, sign_in)
        data = ranked(world.contest)
        rows = [(r["entry"].pk, r["mean"], r["judged_by"], r["rank"]) for r in data["results"]]
        e = world.entries
        # 90 first; 75 shared by two entries (rank 2 each), the tie broken by code for order.
        assert rows == [
            (e[1].pk, 90.0, 2, 1),
            (e[0].pk, 75.0, 2, 2),
            (e[2].pk, 75.0, 1, 2),
        ]

    def test_results_page_and_awards(self, sign_in, world):
        self.score_by_hand(world, sign_in)
        client = sign_in("counselor")
        url = reverse("lectures:contest-results", args=[world.contest.pk])
        html = client.get(url).content.decode()
        table = html[html.index('id="results"') :]
        assert table.index(world.entries[1].code) < table.index(world.entries[0].code)
        assert CLASS_NAMES[1] in html  # the head counselor, not a judge, sees the classes
        response = client.post(url, {"entry": world.entries[1].pk, "title": "一等奖", "rank": 1})
        assert response.status_code == 302
        assert Award.objects.get(contest=world.contest).entry == world.entries[1]
        # The same entry cannot be awarded twice.
        again = client.post(url, {"entry": world.entries[1].pk, "title": "二等奖", "rank": 2})
        assert again.status_code == 400

    def test_award_closes_judging_and_opens_the_names(self, sign_in, world):
        self.score_by_hand(world, sign_in)
        Award.objects.create(contest=world.contest, entry=world.entries[1], title="一等奖")
        judge = sign_in("counselor2")
        url = reverse(
            "lectures:contest-judge-entry", args=[world.contest.pk, world.entries[0].code]
        )
        judge.post(url, world.form(1, 1, 1))
        assert sum(
            Score.objects.filter(entry=world.entries[0], judge=world.judges[0]).values_list(
                "points", flat=True
            )
        ) == sum(HAND[0]["counselor2"])
        detail = judge.get(reverse("lectures:contest-detail", args=[world.contest.pk]))
        assert CLASS_NAMES[1] in detail.content.decode()  # the awards are public now


class TestEntries:
    def url(self, world):
        return reverse("lectures:contest-entry-new", args=[world.contest.pk])

    def test_member_submits_for_its_class_only(self, sign_in, world):
        client = sign_in("blind-sub-a")
        ok = client.post(
            self.url(world),
            {
                "school_class": world.classes[0].pk,
                "title": "新作品",
                "file": SimpleUploadedFile("a.png", PNG),
            },
        )
        assert ok.status_code == 302
        entry = ContestEntry.objects.get(title="新作品")
        assert (entry.school_class, entry.submitted_by) == (world.classes[0], world.members[0])
        other = client.post(
            self.url(world),
            {
                "school_class": world.classes[1].pk,
                "title": "冒名作品",
                "file": SimpleUploadedFile("b.png", PNG),
            },
        )
        assert other.status_code == 400
        assert not ContestEntry.objects.filter(title="冒名作品").exists()

    def test_member_sees_own_entries_only(self, sign_in, world):
        html = (
            sign_in("blind-sub-a")
            .get(reverse("lectures:contest-detail", args=[world.contest.pk]))
            .content.decode()
        )
        assert "作品1" in html and "作品2" not in html and CLASS_NAMES[1] not in html

    @pytest.mark.parametrize(
        "name,content",
        [
            ("x.exe", b"MZ"),
            ("fake.png", b"not really an image"),
            ("big.pdf", b"0" * (20 * 1024 * 1024 + 1)),
        ],
    )
    def test_bad_uploads_refused(self, sign_in, world, name, content):
        client = sign_in("blind-sub-a")
        response = client.post(
            self.url(world),
            {
                "school_class": world.classes[0].pk,
                "title": "坏文件",
                "file": SimpleUploadedFile(name, content),
            },
        )
        assert response.status_code == 400
        assert not ContestEntry.objects.filter(title="坏文件").exists()

    def test_closed_for_members_after_the_date(self, sign_in, world):
        world.contest.entries_close_on = timezone.localdate() - datetime.timedelta(days=1)
        world.contest.save()
        client = sign_in("blind-sub-a")
        response = client.post(
            self.url(world),
            {
                "school_class": world.classes[0].pk,
                "title": "迟到",
                "file": SimpleUploadedFile("a.png", PNG),
            },
        )
        assert response.status_code == 302
        assert not ContestEntry.objects.filter(title="迟到").exists()
