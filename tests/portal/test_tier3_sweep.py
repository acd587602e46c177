"""Every URL of the portal as every role: tier 3 reaches counselors only, and objects of
another school are out of reach, by GET and by POST.

The crawl walks every URL pattern (django.urls.get_resolver) as each role of the rich world (tests/portal/rich_world.py), its path
arguments filled with real objects of each kind (of its school and of a second school),
and reads every answer the way its reader would: HTML, the .xlsx's shared strings and
sheets, the iCalendar feed unfolded, JSON decoded (tests/portal/tier3.py).
"""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from committees.models import (
    Alert,
    AlertNote,
    Barometer,
    CourseSuggestion,
    Meeting,
)
from counseling.models import Role, SchoolClass
from lectures.models import (
    ContestEntry,
)
from tests.exports.flow import download
from tests.portal.tier3 import (
    CRAWLED,
    NOTE_CONCERN,
    NOTE_FEEDBACK,
    NOTE_FOLLOW_UP,
    NOTE_IMMEDIATE,
    NOTE_TALK,
    OPEN_BY_TOKEN,
    crawl,
    text_of,
    urls_to_crawl,
)

# --- 1 and 2. The crawl --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Hundreds of 403s and 404s are expected: don't format a traceback for each."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


# Pages each role opened (200) when the crawl ran on the demo school, before it moved to
# the rich world: a world that loses a kind of object opens fewer, and the crawl proves less.
OPENED = {
    "admin": 76,
    "principal": 65,
    "liaison": 57,
    "teacher": 53,
    "member": 45,
    "member02": 46,
    "student": 36,
    "counselor": 158,
    "counselor2": 148,
    "anonymous": 11,
}


@pytest.mark.parametrize("who", CRAWLED)
def test_crawl_every_url_as_every_role(world, who):
    """Non-counselors never see tier 3; nobody of the home school sees the other school, and
    each of the other school's objects is "not found" to whoever may open the home school's own
    (the system administrator manages every school: it alone reaches both)."""
    client = Client()
    user = None
    if who != "anonymous":
        user = world.user(who)
        client.force_login(user)
    problems, statuses, reachable = crawl(world, client, who, user)
    assert not problems, "\n".join(problems)
    if who != "admin":
        assert not reachable, "\n".join(reachable)
    assert len(statuses) > 200
    opened = sum(s == 200 for s in statuses.values())
    assert opened >= OPENED[who], f"{who} opened {opened} pages, fewer than {OPENED[who]}"


def test_counselors_do_read_tier3(world, client):
    """The markers are real: a counselor of the school finds them where they belong."""
    client.force_login(world.counselor)
    page = text_of(client.get(reverse("committees:alert-detail", args=[world.immediate_alert.pk])))
    assert world.names[world.report.student_pk] in page
    assert NOTE_IMMEDIATE in page and NOTE_FOLLOW_UP in page and NOTE_TALK in page
    session = world.home["session"]
    results = reverse("lectures:feedback-results", args=["session", session.pk])
    assert NOTE_FEEDBACK in text_of(client.get(results))
    export = text_of(download(client, reverse("committees:barometer-export"), {"sensitive": "1"}))
    assert NOTE_CONCERN in export
    assert any(name in export for name in world.names.values())


# --- 2. Ids changed in a POST --------------------------------------------------------------


# The GET crawl already meets every lookup; POSTs add the POST-only views. Three scopes:
# the whole school, a department, a class.
POSTERS = ["counselor", "liaison", "member"]


@pytest.mark.parametrize("who", POSTERS)
def test_posts_to_the_other_schools_objects_are_refused(world, client, who):
    """Every address of an object of the other school, POSTed to by each role: refused
    before anything is done (403 without the permission, else 404)."""
    client.force_login(world.user(who))
    before = _state(world.other)
    done = []
    for url_name, url, twin in urls_to_crawl(world, world.user(who)):
        if twin is None or url_name in OPEN_BY_TOKEN:
            continue
        status = client.post(url, {"action": "acknowledge", "school_class": world.focus.pk})
        if status.status_code not in (403, 404, 405):
            done.append(f"{url}: {status.status_code}")
    assert not done, done
    assert _state(world.other) == before


def _state(o):
    """What a successful POST to the other school's objects would change."""
    return (
        list(Alert.objects.filter(school=o["school"]).values_list("status", "assigned_to")),
        AlertNote.objects.filter(alert__school=o["school"]).count(),
        CourseSuggestion.objects.get(pk=o["suggestion"].pk).status,
        Barometer.objects.get(pk=o["barometer"].pk).reopened_until,
        Meeting.objects.get(pk=o["meeting"].pk).status,
        ContestEntry.objects.filter(contest=o["contest"]).count(),
        Role.objects.get(pk=o["role"].pk).ends_on,
        SchoolClass.objects.get(pk=o["class"].pk).is_active,
        o["letter"].readings.count(),
    )
