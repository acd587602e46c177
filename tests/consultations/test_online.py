"""Online consultation: a private thread, encrypted at rest, every counselor read logged."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from consultations.online import services
from consultations.online.models import Message, Thread
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from tests.consultations.world import NOW

pytestmark = pytest.mark.django_db

SECRET = "我最近总想哭，不知道跟谁说"


def start(world):
    return services.start_thread(
        world.student.user, counselor_id=world.counselor.pk, subject="宿舍里的烦恼", body=SECRET
    )


def test_messages_and_subjects_are_encrypted_at_rest(world):
    thread = start(world)
    services.post(world.counselor, thread, "谢谢你告诉我，我们聊聊")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM consultations_message WHERE thread_id = %s", [thread.pk])
        bodies = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT subject FROM consultations_thread WHERE id = %s", [thread.pk])
        subject = cursor.fetchone()[0]
    assert len(bodies) == 2
    for raw in [*bodies, subject]:
        assert raw.startswith("gAAAAA")  # a Fernet token
        assert "宿舍" not in raw and "聊" not in raw and SECRET not in raw
    assert Message.objects.filter(thread=thread).first().body == SECRET


def test_unread_counts_on_both_sides(world):
    thread = start(world)
    counted = Thread.objects.filter(pk=thread.pk).with_unread(world.counselor).get()
    assert counted.unread_counselor == 1 and counted.unread_student == 0
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        services.read(world.counselor, thread)
    with time_machine.travel(NOW + datetime.timedelta(hours=3), tick=False):
        services.post(world.counselor, thread, "你好")
        services.post(world.counselor, thread, "方便的话周四来咨询室")
    counted = Thread.objects.filter(pk=thread.pk).with_unread(world.student.user).get()
    assert counted.unread_counselor == 0 and counted.unread_student == 2


def test_the_inbox_shows_unread_counts(world, client):
    start(world)
    client.force_login(world.counselor)
    html = client.get(reverse("consultations:inbox")).content.decode()
    assert "宿舍里的烦恼" in html
    assert "1 条新消息" in html or "1 new" in html


def test_every_counselor_read_goes_to_the_audit_trail(world, client):
    thread = start(world)
    url = reverse("consultations:thread-detail", args=[thread.pk])
    for user in (world.counselor, world.head):
        client.force_login(user)
        assert SECRET in client.get(url).content.decode()
    reads = AuditEntry.objects.filter(action="read", object_id=str(thread.pk))
    assert set(reads.values_list("actor__username", flat=True)) == {"c-one", "c-head"}
    # The student reading its own thread is not a disclosure.
    client.force_login(world.student.user)
    client.get(url)
    assert reads.count() == 2


def test_other_counselors_and_other_roles_cannot_open_a_thread(world, client):
    thread = start(world)
    url = reverse("consultations:thread-detail", args=[thread.pk])
    for user in (
        world.counselor2,
        world.other.user,
        world.teacher,
        world.principal,
        world.sysadmin,
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404, user
        assert SECRET not in response.content.decode()


def test_the_head_counselor_reads_but_does_not_write(world):
    thread = start(world)
    with pytest.raises(PortalError) as error:
        services.post(world.head, thread, "我是负责人")
    assert error.value.code == "not_yours"


def test_reply_times_are_shown(world, client):
    thread = start(world)
    with time_machine.travel(NOW + datetime.timedelta(hours=3, minutes=5), tick=False):
        services.post(world.counselor, thread, "你好，我在")
    client.force_login(world.student.user)
    html = client.get(reverse("consultations:thread-detail", args=[thread.pk])).content.decode()
    assert "3小时 5分钟后回复" in html or "3 hours 5 minutes" in html


def test_the_student_is_told_when_the_room_answers_and_whom_to_call(world, client):
    thread = start(world)
    client.force_login(world.student.user)
    for url in (
        reverse("consultations:thread-detail", args=[thread.pk]),
        reverse("consultations:thread-new"),
        reverse("consultations:slot-list"),
        reverse("consultations:room"),
    ):
        html = client.get(url).content.decode()
        assert "周一至周五 8:30–17:00" in html and "400-161-9995" in html, url


def test_a_meeting_link_must_be_https(world):
    thread = start(world)
    with pytest.raises(PortalError):
        services.set_meeting_link(world.counselor, thread, "javascript:alert(1)")
    with pytest.raises(PortalError):
        services.set_meeting_link(world.student.user, thread, "https://meeting.example.cn/j/1")
    services.set_meeting_link(world.counselor, thread, "https://meeting.example.cn/j/1")
    thread.refresh_from_db()
    assert thread.meeting_link == "https://meeting.example.cn/j/1"


def test_empty_and_closed_threads_refuse_messages(world, client):
    thread = start(world)
    client.force_login(world.student.user)
    url = reverse("consultations:thread-detail", args=[thread.pk])
    assert client.post(url, {"body": "   "}).status_code == 400
    services.close(world.student.user, thread)
    with pytest.raises(PortalError) as error:
        services.post(world.counselor, thread, "还在吗")
    assert error.value.code == "closed"


def test_thread_figures(world):
    thread = start(world)
    services.post(world.counselor, thread, "你好")
    figures = Thread.objects.for_semester(world.semester).figures()
    assert figures == {"threads": 1, "students": 1, "messages": 2, "from_counselors": 1}
