"""Finding 6: ballot stuffing of feedback. Forty posts with forty fresh cookies from one
phone counted forty answers, and the form stayed open forever."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lectures.events.models import Status
from lectures.feedback.views import DEVICE_COOKIE
from lectures.models import Feedback, Lecture, LectureSession, Venue
from tests.factories import SchoolFactory, SemesterFactory

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) MicroMessenger/8.0"


@pytest.fixture(autouse=True)
def own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fb"}
    }


def held_session(days_ago):
    school = SchoolFactory()
    date = timezone.localdate() - datetime.timedelta(days=days_ago)
    semester = SemesterFactory(school=school, first_monday=date - datetime.timedelta(days=30))
    lecture = Lecture.objects.create(
        school=school, semester=semester, title="情绪管理", speaker="张老师", audience="school"
    )
    venue = Venue.objects.create(school=school, name="报告厅", capacity=500)
    return LectureSession.objects.create(
        lecture=lecture,
        number=1,
        date=date,
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        venue=venue,
        status=Status.HELD,
    )


def post(client, session, n, *, ip="10.2.3.4", agent=PHONE):
    client.cookies[DEVICE_COOKIE] = f"fresh-cookie-{n}-" + "z" * 40
    return client.post(
        reverse("lectures:feedback-form", args=[session.feedback_token]),
        {"satisfaction": 5, "helped": "", "wish": ""},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=agent,
    )


@pytest.mark.django_db
def test_forty_fresh_cookies_from_one_phone_count_as_few(client, settings):
    session = held_session(days_ago=0)
    statuses = [post(client, session, n).status_code for n in range(40)]
    kept = settings.FEEDBACK_MAX_PER_SIGNAL
    assert statuses[:kept] == [302] * kept and set(statuses[kept:]) == {409}
    assert Feedback.objects.filter(lecture_session=session).count() == kept
    # Other phones in the same hall still answer.
    assert post(client, session, 99, ip="10.2.3.5").status_code == 302
    assert post(client, session, 98, agent=PHONE + " Android").status_code == 302


@pytest.mark.django_db
def test_the_signal_is_a_keyed_hash(client):
    session = held_session(days_ago=0)
    post(client, session, 1)
    row = Feedback.objects.get(lecture_session=session)
    assert len(row.signal) == 64 and "10.2.3.4" not in row.signal


@pytest.mark.django_db
@pytest.mark.parametrize(("days_ago", "open_"), [(0, True), (7, True), (8, False), (60, False)])
def test_the_form_closes_a_set_time_after_its_session(client, settings, days_ago, open_):
    settings.FEEDBACK_OPEN_DAYS = 7
    session = held_session(days_ago=days_ago)
    page = client.get(reverse("lectures:feedback-form", args=[session.feedback_token]))
    assert ('id="feedback-form"' in page.content.decode()) == open_
    response = post(client, session, 1)
    assert (response.status_code == 302) == open_
    if not open_:
        assert "填写时间已过" in response.content.decode()
    assert Feedback.objects.filter(lecture_session=session).exists() == open_
