"""Tier 3: a booking's reason reaches its counselor and the head counselor, nobody else.

Assertions are on the pages' bodies, as every other role sees them.
"""

import pytest
from django.urls import reverse

from consultations.booking import services
from consultations.booking.models import Booking
from counseling.audit import AuditEntry
from tests.consultations.world import REASON, THURSDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(world):
    return services.book(
        world.student.user,
        counselor_id=world.counselor.pk,
        starts_at=at(THURSDAY, 14),
        channel="in_person",
        category=world.category,
        reason=REASON,
    )


def body(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_reason_is_for_the_assigned_and_the_head_counselor(world, booking, client):
    url = reverse("consultations:booking-detail", args=[booking.pk])
    for user in (world.counselor, world.head, world.student.user):
        status, html = body(client, user, url)
        assert status == 200 and REASON in html, user
    # Another counselor of the school sees the booking, not the student's words.
    status, html = body(client, world.counselor2, url)
    assert status == 200 and world.student.name in html
    assert REASON not in html


def test_each_counselor_read_of_a_reason_is_logged(world, booking, client):
    url = reverse("consultations:booking-detail", args=[booking.pk])
    body(client, world.head, url)
    body(client, world.counselor2, url)  # no reason shown, nothing read
    reads = AuditEntry.objects.filter(action="read", object_id=str(booking.pk))
    assert list(reads.values_list("actor__username", flat=True)) == ["c-head"]


@pytest.mark.parametrize("who", ["teacher", "principal", "liaison", "sysadmin", "member", "other"])
def test_other_roles_see_nothing_of_a_booking(world, booking, client, who):
    user = world.other.user if who == "other" else getattr(world, who)
    status, html = body(client, user, reverse("consultations:booking-detail", args=[booking.pk]))
    assert status == 404
    for url in (
        reverse("home"),
        reverse("consultations:room"),
        reverse("consultations:booking-list"),
        reverse("consultations:week"),
        reverse("consultations:request-list"),
        reverse("consultations:inbox"),
    ):
        status, html = body(client, user, url)
        assert status in (200, 403), (who, url, status)
        assert REASON not in html and world.category.name not in html, (who, url)
        assert world.student.name not in html, (who, url)
    assert Booking.objects.visible_to(user).count() == 0


def test_lists_and_panels_never_show_a_reason(world, booking, client):
    for user in (world.counselor, world.head, world.counselor2):
        for url in (
            reverse("home"),
            reverse("consultations:booking-list") + "?scope=all",
            reverse("consultations:week") + "?start=2026-11-23&counselor=all",
        ):
            status, html = body(client, user, url)
            assert status == 200, (user, url)
            assert REASON not in html, (user, url)


def test_a_student_sees_only_its_own_bookings(world, booking, client):
    status, _html = body(
        client, world.other.user, reverse("consultations:booking-detail", args=[booking.pk])
    )
    assert status == 404
    assert list(Booking.objects.visible_to(world.student.user)) == [booking]


def test_the_admin_does_not_list_bookings_for_the_system_administrator(world, booking, client):
    client.force_login(world.sysadmin)
    response = client.get("/admin/consultations/booking/")
    assert response.status_code == 404
    assert REASON not in response.content.decode()


def test_counselors_see_the_schools_bookings_not_another_schools(world, booking):
    from tests.factories import RoleFactory, UserFactory

    stranger = UserFactory(username="c-elsewhere")
    RoleFactory(user=stranger, kind="counselor")  # a counselor of another school
    assert Booking.objects.visible_to(stranger).count() == 0
    assert Booking.objects.visible_to(world.counselor2).count() == 1


def test_home_panels_use_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.counselor)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for hour in (15, 16):
        world.booking(starts_at=at(THURSDAY, hour), student=world.other)
    for n in range(5):
        other = world.pupil(f"c-more{n}", f"同学{n}")
        world.booking(starts_at=at(THURSDAY, 9 + n), student=other)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("home"))
    assert len(large) == len(small)


@pytest.mark.parametrize(
    "url",
    [
        "consultations:booking-list",
        "consultations:week",
        "consultations:inbox",
    ],
)
def test_counselor_pages_use_a_fixed_number_of_queries(world, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultations.online import services as online

    address = reverse(url) + "?scope=all&start=2026-11-23&counselor=all"
    # The small world has one of each, so that no page skips its list's query.
    world.booking(starts_at=at(THURSDAY, 15))
    online.start_thread(
        world.student.user, counselor_id=world.counselor.pk, subject="主题", body="你好"
    )
    client.force_login(world.head)
    client.get(address)
    with CaptureQueriesContext(connection) as small:
        assert client.get(address).status_code == 200
    for n in range(6):
        pupil = world.pupil(f"c-many{n}", f"同学{n}")
        world.booking(starts_at=at(THURSDAY, 9 + n), student=pupil)
        online.start_thread(
            pupil.user, counselor_id=world.counselor.pk, subject="主题", body="你好"
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(address).status_code == 200
    assert len(large) == len(small), url
