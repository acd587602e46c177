"""The semester report's consultation figures against hand counts, in a fixed number of
queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import figures
from consultations.booking.models import Booking
from consultations.cases import services
from consultations.cases.models import Risk
from consultations.letters import services as letters
from consultations.letters.models import Letter
from consultations.online.models import Message, Thread
from tests.consultations.case_world import World
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _values(world):
    return {f["key"]: f["value"] for f in figures.semester_figures(world.school, world.semester)}


def _booking(world, student, hours, status):
    start = timezone.now() - datetime.timedelta(hours=hours)
    return Booking.objects.create(
        school=world.school,
        student=student,
        counselor=world.counselor,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=50),
        channel="phone" if hours % 2 else "in_person",
        status=status,
        booked_by=world.counselor,
    )


def build(world, extra=0):
    # Letters: three received, one anonymous crisis answered late, one answered on time.
    crisis, _code = letters.write_letter(world.school, "不想活了")
    on_time, _code = letters.write_letter(world.school, "你好", student=world.student)
    letters.write_letter(world.school, "还没回", student=world.student2)
    letters.reply(on_time, world.counselor, "回信")
    Letter.objects.filter(pk=crisis.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    letters.reply(crisis, world.counselor, "晚了的回信")
    # A letter of last semester does not count.
    old, _code = letters.write_letter(world.school, "旧信")
    Letter.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=400)
    )
    # Cases: two opened (red + yellow), one closed better.
    red = world.case(risk=Risk.RED, concern="family")
    yellow = world.case(student=world.student2, risk=Risk.YELLOW, rating=4)
    services.close_case(yellow, world.counselor, outcome="好转", rating=7, risk=Risk.NONE)
    referral = services.refer(red, world.counselor, world.service, "评估")
    services.follow_up(referral, world.counselor, "已就诊")
    services.refer(red, world.counselor, world.service, "复诊")
    services.add_note(red, world.counselor, "面谈")
    services.add_note(red, world.counselor, "电话", kind="phone")
    _booking(world, world.student, 3, Booking.Status.ATTENDED)
    _booking(world, world.student2, 4, Booking.Status.NO_SHOW)
    thread = Thread.objects.create(
        school=world.school, student=world.student, counselor=world.counselor
    )
    Message.objects.create(thread=thread, author=world.student.user, body="在吗")
    Message.objects.create(thread=thread, author=world.counselor, from_counselor=True, body="在")
    for n in range(extra):
        student = StudentFactory(school_class=world.school_class)
        case = world.case(student=student, risk=Risk.ORANGE)
        services.add_note(case, world.counselor, f"记录{n}")
        letters.write_letter(world.school, f"信{n}")
        _booking(world, student, 6 + n, Booking.Status.ATTENDED)


def test_figures_match_hand_counts():
    world = World()
    build(world)
    v = _values(world)
    assert v["consultations.letters_received"] == 3
    assert v["consultations.letters_anonymous"] == 1
    assert v["consultations.letters_answered"] == 2
    assert v["consultations.letters_on_time"] == 1
    assert v["consultations.letters_crisis"] == 1
    assert v["consultations.cases_opened"] == 2
    assert v["consultations.cases_concern_family"] == 1
    assert v["consultations.cases_concern_mood"] == 1
    assert v["consultations.risk_at_opening_red"] == 1
    assert v["consultations.risk_at_opening_yellow"] == 1
    assert v["consultations.cases_closed"] == 1
    assert v["consultations.risk_at_closing_none"] == 1
    assert v["consultations.rating_better"] == 1
    assert v["consultations.rating_worse"] == 0
    assert v["consultations.referrals"] == 2
    assert v["consultations.referrals_followed"] == 1
    assert v["consultations.contacts_session"] == 1
    assert v["consultations.contacts_phone"] == 1
    assert v["consultations.bookings"] == 2
    assert v["consultations.bookings_attended"] == 1
    assert v["consultations.bookings_no_show"] == 1
    assert v["consultations.consultations_phone"] == 1
    assert v["consultations.online_messages"] == 1


def test_figures_have_the_agreed_shape():
    world = World()
    for figure in figures.semester_figures(world.school, world.semester):
        assert set(figure) == {"key", "label", "value", "unit", "sensitive", "scope"}
        assert figure["key"].startswith("consultations.") and isinstance(figure["label"], str)
        assert isinstance(figure["value"], int) and figure["scope"] == "school"
    # Counts only: no name, no text of a letter or a case.
    build(world)
    text = str(figures.semester_figures(world.school, world.semester))
    for secret in (world.student.name, "不想活", "晚了的回信", "评估"):
        assert secret not in text


def test_figures_take_a_fixed_number_of_queries():
    small, large = World("fs"), World("fl")
    build(small)
    build(large, extra=12)
    counts = []
    for world in (small, large):
        with CaptureQueriesContext(connection) as queries:
            figures.semester_figures(world.school, world.semester)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 7
