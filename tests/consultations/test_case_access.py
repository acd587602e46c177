"""Tier 3 in full: a case's content, its notes and letters reach the assigned counselor and
the head counselor only; every other role's pages, e-mails and feeds are checked by body.
Raw rows hold ciphertext."""

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from consultations.cases import services
from consultations.cases.models import Risk
from consultations.crisis.models import CrisisAction
from consultations.crisis.services import complete_step
from consultations.letters import services as letters
from counseling.audit import AuditEntry
from reports.models import CalendarToken
from tests.consultations.case_world import SECRET, World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "面谈密文：提到父母离婚后的失眠"
PARENT = "家长密文：母亲说孩子在家哭"
REFERRAL = "转介密文：需精神科评估"
PLAN = "计划密文：每周两次面谈"
LETTER = "来信密文：宿舍里有人欺负我"
REPLY = "回信密文：我们一起想办法"
SECRETS = [SECRET, NOTE, PARENT, REFERRAL, PLAN, LETTER, REPLY]


@pytest.fixture
def world(django_capture_on_commit_callbacks, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    w = World()
    with django_capture_on_commit_callbacks(execute=True):
        letter, _code = letters.write_letter(w.school, LETTER, student=w.student)
        letters.reply(letter, w.counselor, REPLY)
        w.case_ = w.case(risk=Risk.ORANGE)
        services.set_risk(w.case_, w.counselor, Risk.RED, "升级")
        letter.case = w.case_
        letter.save()
        services.sign_note(services.add_note(w.case_, w.counselor, NOTE), w.counselor)
        services.add_parent_contact(w.case_, w.counselor, "母亲", PARENT)
        services.refer(w.case_, w.counselor, w.service, REFERRAL)
        services.save_plan(
            w.case_,
            w.counselor,
            goals=PLAN,
            measures=PLAN,
            responsibilities=PLAN,
            review_on=w.semester.first_monday,
        )
        for action in CrisisAction.objects.filter(case=w.case_):
            complete_step(action, w.counselor)
        services.break_glass(w.case_, w.other, "值班")
    w.letter = letter
    w.sysadmin = UserFactory(username="cw-sysadmin", is_superuser=True, is_staff=True)
    return w


def urls(w):
    case, letter = w.case_, w.letter
    return [
        reverse("home"),
        reverse("consultations:case-list"),
        reverse("consultations:case-list") + "?show=all",
        reverse("consultations:case-detail", args=[case.pk]),
        reverse("consultations:case-new"),
        reverse("consultations:letter-list") + "?show=all",
        reverse("consultations:letter-detail", args=[letter.pk]),
        reverse("consultations:my-letters"),
        reverse("consultations:letter-write"),
        reverse("notifications:inbox"),
        reverse("counseling:audit-list"),
        reverse("admin:index"),
    ]


def _bodies(client, addresses):
    out = []
    for url in addresses:
        response = client.get(url)
        assert response.status_code < 500, url
        out.append((url, response.status_code, response.content.decode(errors="replace")))
    return out


@pytest.mark.parametrize("who", ["teacher", "principal", "member", "student2", "sysadmin"])
def test_no_other_role_sees_case_content(client, world, who):
    user = {
        "teacher": world.teacher,
        "principal": world.principal,
        "member": world.member,
        "student2": world.student2.user,
        "sysadmin": world.sysadmin,
    }[who]
    client.force_login(user)
    for url, _status, body in _bodies(client, urls(world)):
        for secret in SECRETS:
            assert secret not in body, f"{who} {url}"
    token = CalendarToken.for_user(user).token
    feed = client.get(reverse("reports:calendar-feed", kwargs={"token": token}))
    for secret in SECRETS:
        assert secret not in feed.content.decode()


def test_a_counselor_without_a_grant_sees_existence_and_risk_only(client, world):
    third = world.user("cw-third", "counselor")
    client.force_login(third)
    bodies = _bodies(client, urls(world))
    for url, _status, body in bodies:
        for secret in SECRETS[:5]:
            assert secret not in body, url
    listing = dict((u, b) for u, _s, b in bodies)[reverse("consultations:case-list")]
    assert str(world.case_) in listing
    assert 'text-bg-danger">红' in listing or 'text-bg-danger">Red' in listing


def test_the_assigned_and_the_head_counselor_read_it(client, world):
    for user in (world.counselor, world.head, world.other):  # other: through its grant
        client.force_login(user)
        page = client.get(reverse("consultations:case-detail", args=[world.case_.pk]))
        body = page.content.decode()
        for secret in (SECRET, NOTE, PARENT, REFERRAL, PLAN):
            assert secret in body
        assert AuditEntry.objects.filter(
            actor=user, action="read", object_id=str(world.case_.pk)
        ).exists()


@pytest.mark.usefixtures("eager_celery")
def test_emails_say_nothing_of_a_case(world):
    assert mail.outbox, "the actions above send e-mail"
    for message in mail.outbox:
        text = (
            message.subject
            + message.body
            + "".join(str(a[0]) for a in getattr(message, "alternatives", []))
        )
        for secret in SECRETS + ["升级", "值班"]:
            assert secret not in text
        if world.teacher.email in message.to:
            # The teacher's: who, the level, what to do.
            assert world.student.name in text
        else:
            assert world.student.name not in text


def test_raw_rows_are_ciphertext(world):
    tables = [
        "consultations_case",
        "consultations_sessionnote",
        "consultations_parentcontact",
        "consultations_referral",
        "consultations_interventionplan",
        "consultations_letter",
        "consultations_breakglassgrant",
        "consultations_riskchange",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
            raw = " ".join(str(v) for row in cursor.fetchall() for v in row)
            for secret in SECRETS + ["升级", "值班"]:
                assert secret not in raw, table
    audit = " ".join(
        str(v) for row in AuditEntry.objects.values_list("object_repr", "changes") for v in row
    )
    for secret in SECRETS:
        assert secret not in audit
