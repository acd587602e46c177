"""Each person's home page shows what needs them, with a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.models import Alert


def test_counselor_sees_the_weeks_barometers_and_open_alerts(client_as):
    html = client_as("counselor").get(reverse("home")).content.decode()
    open_alerts = Alert.objects.open().count()
    assert open_alerts > 0
    assert 'id="open-alerts">' in html
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
def test_home_query_count_does_not_grow_with_alerts(client_as, username, demo):
    client = client_as(username)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    alert = Alert.objects.first()
    for n in range(30):
        Alert.objects.create(
            school=alert.school,
            semester=alert.semester,
            school_class=alert.school_class,
            rule=alert.rule,
            grade=alert.grade,
            key=f"test:{n}",
        )
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("home"))
    assert len(after) == len(before)
