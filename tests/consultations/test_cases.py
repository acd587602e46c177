"""Case files: opening, one open case per student, the timeline across channels, plan,
referrals, tasks on the home page, closing with an outcome."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Alert
from consultations.booking.models import Booking
from consultations.cases import services
from consultations.cases.models import Case, CounselorTask, Risk
from consultations.letters import services as letters
from consultations.online.models import Message, Thread
from counseling.errors import PortalError
from tests.consultations.case_world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_one_open_case_per_student(world):
    world.case()
    with pytest.raises(PortalError) as refused:
        world.case()
    assert refused.value.code == "case_open"
    assert Case.objects.filter(student=world.student).count() == 1


def test_opening_records_the_risk_history(world):
    case = world.case(risk=Risk.ORANGE)
    services.set_risk(case, world.counselor, Risk.YELLOW, "好转")
    assert [c.level for c in case.risk_changes.all()] == ["orange", "yellow"]
    case.refresh_from_db()
    assert case.risk == "yellow" and case.risk_at_opening == "orange"


def test_timeline_orders_every_channel_by_time(world):
    case = world.case()
    now = timezone.now()
    at = lambda hours: now - datetime.timedelta(hours=hours)  # noqa: E731
    letter, _code = letters.write_letter(world.school, "来信", student=world.student)
    letter.received_at = at(50)
    letter.case = case
    letter.save()
    services.add_note(case, world.counselor, "电话", kind="phone", at=at(10))
    services.add_parent_contact(case, world.counselor, "母亲", "电话沟通", at=at(30))
    referral = services.refer(case, world.counselor, world.service, "需要评估", at=at(20))
    services.follow_up(referral, world.counselor, "已就诊", at=at(5))
    services.add_note(case, world.counselor, "面谈", at=at(40))
    Booking.objects.create(
        school=world.school,
        student=world.student,
        counselor=world.counselor,
        starts_at=at(45),
        ends_at=at(44),
        channel="in_person",
        status=Booking.Status.ATTENDED,
        booked_by=world.student.user,
    )
    thread = Thread.objects.create(
        school=world.school, student=world.student, counselor=world.counselor
    )
    message = Message.objects.create(thread=thread, author=world.student.user, body="在线留言")
    Message.objects.filter(pk=message.pk).update(created_at=at(15))
    kinds = [item["kind"] for item in services.timeline(case)]
    assert kinds == [
        "letter",
        "booking",
        "note",
        "parent",
        "referral",
        "message",
        "note",
        "follow_up",
        "risk",
    ]
    times = [item["at"] for item in services.timeline(case)]
    assert times == sorted(times)


def test_timeline_takes_a_fixed_number_of_queries(world):
    small = world.case()
    services.add_note(small, world.counselor, "一")
    services.refer(small, world.counselor, world.service, "一")
    big = world.case(student=world.student2)
    for n in range(15):
        services.add_note(big, world.counselor, f"记录{n}")
        services.add_parent_contact(big, world.counselor, "父亲", f"沟通{n}")
        services.refer(big, world.counselor, world.service, f"原因{n}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for case in (small, big):
        with CaptureQueriesContext(connection) as queries:
            services.timeline(case)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_plan_makes_a_review_task_on_the_home_page(client, world):
    case = world.case()
    review_on = timezone.localdate() + datetime.timedelta(days=7)
    services.save_plan(
        case,
        world.counselor,
        goals="睡眠改善",
        measures="每周面谈",
        responsibilities="班主任关注出勤",
        review_on=review_on,
    )
    services.save_plan(
        case,
        world.counselor,
        goals="睡眠改善",
        measures="每两周面谈",
        responsibilities="班主任关注出勤",
        review_on=review_on,
    )
    assert CounselorTask.objects.filter(case=case).open().count() == 1
    services.review_plan(case, world.counselor, "有进步")
    client.force_login(world.counselor)
    home = client.get(reverse("home")).content.decode()
    assert (
        'id="case-tasks"' in home and reverse("consultations:case-detail", args=[case.pk]) in home
    )
    # The two consultation cards of the home page do not share one title.
    assert home.count("心理咨询室</h2>") == 1 and "个案与来信</h2>" in home
    # The plan's text is not on the home page.
    assert "睡眠改善" not in home


def test_closing_needs_an_outcome_and_a_rating(world):
    case = world.case()
    with pytest.raises(PortalError) as refused:
        services.close_case(case, world.counselor, outcome=" ", rating=7, risk="none")
    assert refused.value.code == "empty"
    with pytest.raises(PortalError):
        services.close_case(case, world.counselor, outcome="好转", rating=11, risk="none")
    services.close_case(case, world.counselor, outcome="情绪稳定，结案", rating=8, risk="none")
    case.refresh_from_db()
    assert case.closed_at and case.rating_at_closing == 8 and case.risk_at_closing == "none"
    # A closed case frees the student for a new one.
    assert world.case().pk != case.pk


def test_one_step_from_a_barometer_alert(client, world):
    alert = Alert.objects.create(
        school=world.school,
        semester=world.semester,
        school_class=world.school_class,
        rule=Alert.Rule.URGENT,
        grade=Alert.Grade.RED,
        key=f"cw-{world.student.pk}",
        student_ref="x",
        student_id_enc=str(world.student.pk),
    )
    client.force_login(world.counselor)
    response = client.post(reverse("consultations:case-from-alert", args=[alert.pk]))
    case = Case.objects.get(student=world.student)
    assert response.url == reverse("consultations:case-detail", args=[case.pk])
    assert case.origin == "alert" and case.risk == "red" and case.origin_alert == alert
    again = client.post(reverse("consultations:case-from-alert", args=[alert.pk]))
    assert again.url == reverse("consultations:case-detail", args=[case.pk])
    client.force_login(world.teacher)
    assert client.post(reverse("consultations:case-from-alert", args=[alert.pk])).status_code == 403


def test_new_case_page(client, world):
    client.force_login(world.head)
    url = reverse("consultations:case-new")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"student": world.student.student_number, "origin": "self"})
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "student": world.student.student_number,
            "origin": "self",
            "concern": "study",
            "risk": "none",
            "rating": 6,
            "concerns": "学习压力",
        },
    )
    case = Case.objects.get(student=world.student)
    assert ok.url == reverse("consultations:case-detail", args=[case.pk])
    assert case.counselor == world.head


def test_the_alert_page_offers_the_step_to_a_case(client, world):
    alert = Alert.objects.create(
        school=world.school,
        semester=world.semester,
        school_class=world.school_class,
        rule=Alert.Rule.URGENT,
        grade=Alert.Grade.ORANGE,
        key=f"cw-page-{world.student.pk}",
        student_ref="x",
        student_id_enc=str(world.student.pk),
    )
    client.force_login(world.counselor)
    page = client.get(reverse("committees:alert-detail", args=[alert.pk])).content.decode()
    assert reverse("consultations:case-from-alert", args=[alert.pk]) in page
