"""Break the glass: a reason, a grant that expires, an audit entry, the head counselor told."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.cases import services
from consultations.cases.models import BreakGlassGrant
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.notifications.models import Notification
from tests.consultations.case_world import SECRET, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_another_counselor_sees_existence_and_risk_only(client, world):
    case = world.case()
    client.force_login(world.other)
    listing = client.get(reverse("consultations:case-list")).content.decode()
    assert str(case) in listing and case.get_risk_display() in listing
    page = client.get(reverse("consultations:case-detail", args=[case.pk])).content.decode()
    assert 'id="break-glass"' in page and SECRET not in page


def test_breaking_the_glass_opens_for_a_few_hours(client, world, settings):
    settings.BREAK_GLASS_HOURS = 4
    case = world.case()
    client.force_login(world.other)
    url = reverse("consultations:case-break-glass", args=[case.pk])
    client.post(url, {"reason": ""})
    assert not BreakGlassGrant.objects.filter(case=case).exists()
    client.post(url, {"reason": "值班时学生来电，需要了解情况"})
    grant = BreakGlassGrant.objects.get(case=case, user=world.other)
    assert grant.expires_at - grant.granted_at == datetime.timedelta(hours=4)
    page = client.get(reverse("consultations:case-detail", args=[case.pk])).content.decode()
    assert SECRET in page
    assert AuditEntry.objects.filter(
        actor=world.other, action="read", object_id=str(case.pk), changes__break_glass=grant.pk
    ).exists()
    told = Notification.objects.filter(
        kind="consultations.break_glass", recipient__in=[world.head, world.counselor, world.other]
    )
    assert [n.recipient for n in told] == [world.head]
    assert SECRET not in told[0].title + told[0].body
    # After the grant expires, the content is closed again.
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        granted_at=timezone.now() - datetime.timedelta(hours=5),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    page = client.get(reverse("consultations:case-detail", args=[case.pk])).content.decode()
    assert SECRET not in page and 'id="break-glass"' in page


def test_expiry_is_checked_against_the_clock(world):
    case = world.case()
    grant = services.break_glass(case, world.other, "紧急")
    assert case.readable_by(world.other, now=grant.expires_at - datetime.timedelta(minutes=1))
    assert not case.readable_by(world.other, now=grant.expires_at)


def test_no_glass_to_break_for_those_who_may_read(world):
    case = world.case()
    for user in (world.counselor, world.head):
        with pytest.raises(PortalError) as refused:
            services.break_glass(case, user, "看看")
        assert refused.value.code == "not_needed"
    for user in (world.teacher, world.principal):
        with pytest.raises(PortalError) as refused:
            services.break_glass(case, user, "看看")
        assert refused.value.code == "forbidden"
