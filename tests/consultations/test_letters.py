"""书信咨询: anonymous letters leave no way back; deadlines, crisis words, consent, cases."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from consultations.cases.models import Case, Risk
from consultations.letters import services
from consultations.letters.models import CrisisWord, Letter
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.notifications.models import Notification
from tests.consultations.case_world import World

pytestmark = pytest.mark.django_db

ADDRESS = "10.77.66.55"
DEVICE = "ZetaPhone/9.9 (unique-device-4471)"


@pytest.fixture
def world():
    return World()


def _raw_row(letter):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM consultations_letter WHERE id = %s", [letter.pk])
        return [str(v) for v in cursor.fetchone()]


def test_anonymous_letter_has_no_way_back(client, world, caplog, settings):
    settings.TRUSTED_PROXIES = 0
    client.force_login(world.student.user)
    audit_before = AuditEntry.objects.count()
    axes_before = AccessLog.objects.count(), AccessAttempt.objects.count()
    caplog.set_level(logging.DEBUG)
    response = client.post(
        reverse("consultations:letter-write"),
        {"school": world.school.pk, "body": "我最近很难过，不知道和谁说"},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=DEVICE,
        HTTP_X_FORWARDED_FOR="10.1.2.3",
    )
    assert response.status_code == 200
    letter = Letter.objects.get(school=world.school)
    assert letter.student_id is None and letter.is_anonymous
    raw = " ".join(_raw_row(letter))
    user = world.student.user
    for trace in (ADDRESS, "10.1.2.3", DEVICE, user.username, "unique-device", "我最近很难过"):
        assert trace not in raw
    # No audit entry at all, nothing of the writer in django-axes, nothing in any log line.
    assert AuditEntry.objects.count() == audit_before
    assert (AccessLog.objects.count(), AccessAttempt.objects.count()) == axes_before
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for trace in (ADDRESS, DEVICE, user.username, str(letter.pk)):
        assert trace not in logged
    # Its time is kept to the hour only, so that it cannot be matched with the writer's requests.
    assert letter.received_at.minute == 0 and letter.received_at.second == 0
    assert response.context["code"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_signed_letter_is_tied_to_the_student(client, world):
    client.force_login(world.student.user)
    response = client.post(
        reverse("consultations:letter-write"),
        {"school": world.school.pk, "body": "想约老师聊聊", "signed": "on"},
    )
    assert response.status_code == 200
    letter = Letter.objects.get(school=world.school)
    assert letter.student == world.student and letter.pickup_hash is None
    assert response.context["code"] is None
    mine = client.get(reverse("consultations:my-letters"))
    assert "想约老师聊聊" in mine.content.decode()


def test_visitor_cannot_sign(client, world):
    response = client.post(
        reverse("consultations:letter-write"),
        {"school": world.school.pk, "body": "你好", "signed": "on"},
    )
    assert response.status_code == 200
    assert Letter.objects.get(school=world.school).student_id is None


def test_empty_letter_is_refused_with_a_message(client, world):
    response = client.post(reverse("consultations:letter-write"), {"school": world.school.pk})
    assert response.status_code == 400
    assert not Letter.objects.filter(school=world.school).exists()


def test_letter_text_is_encrypted_at_rest(world):
    letter, _code = services.write_letter(world.school, "宿舍里没人理我")
    services.reply(letter, world.counselor, "谢谢你的来信，欢迎来咨询室")
    raw = " ".join(_raw_row(letter))
    assert "宿舍里没人理我" not in raw and "欢迎来咨询室" not in raw
    letter.refresh_from_db()
    assert letter.body == "宿舍里没人理我"


def test_reply_deadline_counts_down(client, world, settings):
    settings.LETTER_REPLY_DAYS = 3
    letter, _code = services.write_letter(world.school, "你好")
    assert letter.due_at == letter.received_at + datetime.timedelta(days=3)
    late, _code = services.write_letter(world.school, "早些的信")
    Letter.objects.filter(pk=late.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=5),
        due_at=timezone.now() - datetime.timedelta(days=2, hours=1),
    )
    client.force_login(world.counselor)
    page = client.get(reverse("consultations:letter-list")).content.decode()
    assert "2 天 1 小时 超时" in page or "2 d 1 h overdue" in page
    assert "剩余" in page or "left" in page
    # The late one comes first.
    assert page.index(f"#{late.pk}") < page.index(f"#{letter.pk}")
    late.refresh_from_db()
    assert list(Letter.objects.filter(school=world.school).overdue()) == [late]
    services.reply(late, world.counselor, "抱歉回复晚了")
    late.refresh_from_db()
    assert not late.answered_on_time and late.time_left() is None


def test_crisis_word_raises_a_red_alert_to_every_counselor(world):
    letter, _code = services.write_letter(world.school, "我真的不想活了")
    assert letter.is_crisis
    notes = Notification.objects.filter(kind="consultations.letter_crisis")
    assert {n.recipient for n in notes} == {world.head, world.counselor, world.other}
    for n in notes:
        assert "不想活" not in n.title + n.body


def test_counselors_keep_their_own_word_list(world):
    CrisisWord.objects.create(school=world.school, word="退学")
    assert services.write_letter(world.school, "我想退学")[0].is_crisis
    # The school's list replaces the defaults.
    assert not services.write_letter(world.school, "不想活")[0].is_crisis


def test_ordinary_letter_raises_nothing(world):
    letter, _code = services.write_letter(world.school, "考试有点紧张")
    assert not letter.is_crisis
    assert not Notification.objects.filter(kind="consultations.letter_crisis").exists()


def test_letters_are_posted_at_a_limited_rate(client, world, settings):
    settings.LETTER_RATE_PER_HOUR = 2
    url = reverse("consultations:letter-write")
    codes = [
        client.post(
            url, {"school": world.school.pk, "body": f"第{n}封"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    assert Letter.objects.filter(school=world.school).count() == 2


def test_only_counselors_see_letters(client, world):
    letter, _code = services.write_letter(world.school, "秘密的信")
    url = reverse("consultations:letter-detail", args=[letter.pk])
    for user in (world.teacher, world.principal, world.member, world.student.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert "秘密的信" not in client.get(reverse("consultations:letter-list")).content.decode()
    client.force_login(world.other)
    response = client.get(url)
    assert response.status_code == 200 and "秘密的信" in response.content.decode()
    assert AuditEntry.objects.filter(
        action="read", actor=world.other, object_id=str(letter.pk)
    ).exists()


def test_reply_through_the_page(client, world):
    letter, _code = services.write_letter(world.school, "你好")
    client.force_login(world.counselor)
    url = reverse("consultations:letter-detail", args=[letter.pk])
    assert client.post(url, {"reply": "你好，同学"}).status_code == 302
    assert client.post(url, {"reply": "again"}).status_code == 400
    letter.refresh_from_db()
    assert letter.reply == "你好，同学" and letter.replied_by == world.counselor


def test_bulletin_board_needs_consent(world):
    from lectures.models import StudentQuestion

    letter, _code = services.write_letter(world.school, "怎么和室友相处？")
    services.reply(letter, world.counselor, "试试先说出自己的感受")
    with pytest.raises(PortalError) as refused:
        services.publish(letter, world.counselor, "怎么和室友相处？", "试试")
    assert refused.value.code == "no_consent"
    agreed, _code = services.write_letter(
        world.school, "张三问：怎么和室友相处？", publish_consent=True
    )
    services.reply(agreed, world.counselor, "试试先说出自己的感受")
    asked = services.publish(agreed, world.counselor, "怎么和室友相处？", "试试先说出自己的感受")
    assert StudentQuestion.objects.get(pk=asked.pk).question == "怎么和室友相处？"
    assert "张三" not in asked.question + asked.answer
    with pytest.raises(PortalError):
        services.publish(agreed, world.counselor, "再来", "再来")


def test_signed_letter_becomes_a_case_in_one_step(client, world):
    letter, _code = services.write_letter(world.school, "想聊聊", student=world.student)
    client.force_login(world.counselor)
    response = client.post(
        reverse("consultations:letter-case", args=[letter.pk]),
        {"concern": "relations", "risk": "yellow", "rating": 5},
    )
    case = Case.objects.get(student=world.student)
    assert response.url == reverse("consultations:case-detail", args=[case.pk])
    assert case.origin == Case.Origin.LETTER and case.risk == Risk.YELLOW
    letter.refresh_from_db()
    assert letter.case == case
    anonymous, _code = services.write_letter(world.school, "匿名")
    with pytest.raises(PortalError) as refused:
        from consultations.cases.services import case_from_letter

        case_from_letter(anonymous, world.counselor, concern="mood", risk="none", rating=5)
    assert refused.value.code == "anonymous"
