"""What a counselor needs on an alert's page in a hurry: the class teacher's name and phone,
the barometers that named the student before, the time of each follow-up entry; and the bell
stops counting the alert once it is read or handled. The class teacher is told once per week
of alerts, with what (if anything) it should do."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from committees.barometer import services
from committees.models import Alert, AlertNote, Barometer, StudentOfConcern, Weather
from counseling.crypto import keyed_hash
from counseling.models import Notification

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def named(world, student, week):
    barometer = Barometer.objects.create(
        semester=world.semester,
        school_class=world.cls,
        week=week,
        weather=Weather.OVERCAST,
        filed_by=world.member,
    )
    StudentOfConcern.objects.create(
        barometer=barometer,
        student_ref=keyed_hash(student.pk),
        student_id_enc=str(student.pk),
        kind="homesick",
        severity="close",
        note="想家",
    )
    return barometer


@pytest.fixture
def alert(world):
    world.teacher.phone = "13900000001"
    world.teacher.save(update_fields=["phone"])
    student = world.students[world.cls.pk][3]
    earlier = [named(world, student, week) for week in (2, 3)]
    this = named(world, student, 4)
    alert = services.raise_alert(
        world.semester,
        world.cls,
        Alert.Rule.NAMED_TASK,
        Alert.Grade.RED,
        key="papercuts:named",
        week=4,
        barometer=this,
        student_pk=student.pk,
    )
    alert.earlier = earlier
    return alert


def page_of(client, user, alert):
    client.force_login(user)
    return client.get(reverse("committees:alert-detail", args=[alert.pk]))


def test_the_class_teachers_name_and_phone(world, client, alert):
    html = page_of(client, world.counselor, alert).content.decode()
    teacher = html.split('id="alert-teacher"')[1].split("</dd>")[0]
    assert "王老师" in teacher and 'href="tel:13900000001"' in teacher


def test_the_earlier_mentions_link_to_their_barometers(world, client, alert):
    html = page_of(client, world.counselor, alert).content.decode()
    mentions = html.split('id="mentions"')[1].split("</ul>")[0]
    for barometer in alert.earlier:
        assert reverse("committees:barometer-detail", args=[barometer.pk]) in mentions
    assert "第2周" in mentions and "第3周" in mentions


def test_each_follow_up_entry_has_its_time(world, client, alert):
    with time_machine.travel(datetime.datetime(2026, 9, 30, 14, 35, tzinfo=SHANGHAI)):
        services.follow_up(alert, world.counselor, "已联系班主任")
    AlertNote.objects.create(
        alert=alert, author=world.counselor, text="补记", on=datetime.date(2026, 9, 29)
    )
    html = page_of(client, world.counselor, alert).content.decode()
    log = html.split('id="follow-up-log"')[1].split("</ul>")[0]
    assert "14:35" in log
    assert "记录于" in log  # the back-dated entry says when it was written


def test_reading_the_alert_clears_it_from_the_readers_bell(world, client, alert):
    url = reverse("committees:alert-detail", args=[alert.pk])
    mine = Notification.objects.filter(recipient=world.counselor, url=url)
    assert mine.unread().exists()
    page_of(client, world.counselor, alert)
    assert not mine.unread().exists()
    # The other counselor, told of the same red alert, has not read it.
    assert Notification.objects.filter(recipient=world.counselor2, url=url).unread().exists()


def test_a_handled_alert_leaves_every_counselors_bell(world, client, alert):
    url = reverse("committees:alert-detail", args=[alert.pk])
    services.follow_up(alert, world.counselor, "跟进中")
    assert not Notification.objects.filter(url=url).unread().exists()
    client.force_login(world.counselor2)
    assert client.get(reverse("home")).context["unread_notifications"] == 0


def test_the_class_teacher_is_told_once_and_what_to_do(world):
    student = world.students[world.cls.pk][2]
    for n, (rule, grade) in enumerate(
        [
            (Alert.Rule.STORM, Alert.Grade.RED),
            (Alert.Rule.URGENT, Alert.Grade.RED),
            (Alert.Rule.NAMED_MEMBER, Alert.Grade.YELLOW),
        ]
    ):
        services.raise_alert(
            world.semester,
            world.cls,
            rule,
            grade,
            key=f"papercuts:{n}",
            week=6,
            student_pk=student.pk,
        )
    told = Notification.objects.filter(recipient=world.teacher, kind="committees.alert_teacher")
    assert told.count() == 1
    assert "无需您做什么" in told.get().body and "致电心理辅导科" in told.get().body
    services.raise_alert(
        world.semester, world.cls, Alert.Rule.STORM, Alert.Grade.RED, key="papercuts:w7", week=7
    )
    assert told.count() == 2  # a new week is news again
