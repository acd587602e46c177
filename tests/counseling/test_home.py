"""Each person's home page shows what needs them, with a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Alert, CommitteeMember
from counseling.models import Semester
from tests.factories import SchoolClassFactory


@pytest.fixture
def client_as(client, world):
    """Signed in as one of the world's personas (tests/personas.py)."""
    CommitteeMember.objects.create(
        semester=world.semester, school_class=world.cls, student=world.member_student
    )

    def sign_in(username):
        client.force_login(world.people()[username])
        return client

    return sign_in


def open_alert(world, n, grade=Alert.Grade.ORANGE, **extra):
    fields = {"school": world.school, "semester": world.semester, "school_class": world.cls}
    fields.update(extra)
    return Alert.objects.create(
        rule=Alert.Rule.MISSING, grade=grade, key=f"test:home:{n}", **fields
    )


def test_counselor_sees_the_weeks_barometers_and_open_alerts(client_as, world):
    open_alert(world, 1, Alert.Grade.RED, assigned_to=world.counselor)
    open_alert(world, 2)
    open_alert(world, 3, status=Alert.Status.CLOSED, outcome="已处理")
    open_alert(  # another school's: not counted
        world,
        4,
        school=world.other_school,
        semester=Semester.objects.get(school=world.other_school),
        school_class=SchoolClassFactory(department__school=world.other_school),
    )
    html = client_as("counselor").get(reverse("home")).content.decode()
    panel = html[html.index('id="open-alerts">') :].split("</p>", 1)[0]
    assert "2条未关闭的预警" in panel and "红色1条" in panel
    assert reverse("committees:week-board") in html
    assert reverse("committees:alert-list") in html


@pytest.mark.parametrize("username", ["teacher", "liaison", "principal", "student", "admin"])
def test_others_see_no_alert_figures(client_as, username):
    html = client_as(username).get(reverse("home")).content.decode()
    assert 'id="open-alerts"' not in html
    assert reverse("committees:alert-list") not in html


def test_member_is_sent_to_file_this_weeks_barometer(client_as):
    html = client_as("member").get(reverse("home")).content.decode()
    assert reverse("committees:barometer-file") in html
    assert reverse("committees:immediate-report") in html


@pytest.mark.parametrize("username", ["counselor", "member", "teacher", "liaison"])
def test_home_query_count_does_not_grow_with_alerts(client_as, username, world):
    open_alert(world, "first")
    client = client_as(username)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    for n in range(30):
        open_alert(world, n)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("home"))
    assert len(after) == len(before)
