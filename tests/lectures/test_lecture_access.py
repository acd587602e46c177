"""Who may see and change lectures, sessions, venues and activities: every events URL
as every role, and another school's counselor sees nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from lectures.models import (
    SessionFile,
)


@pytest.fixture
def objects(lw):
    """The pk of one of each thing the events URLs take, all of the world's school."""
    item = SessionFile.objects.create(
        session=lw.sessions[0],
        kind=SessionFile.Kind.SLIDES,
        title="课件",
        file=SimpleUploadedFile("slides.pdf", b"%PDF-1.4 test"),
        uploaded_by=lw.counselor,
    )
    return {
        "lecture": lw.lecture.pk,
        "session": lw.sessions[0].pk,
        "planned": lw.planned.pk,
        "venue": lw.hall.pk,
        "design": lw.design.pk,
        "activity": lw.activity.pk,
        "file": item.pk,
    }


OK, FORBIDDEN, LOGIN = 200, 403, 302
SEE = {
    "counselor": OK,
    "principal": OK,
    "liaison": OK,
    "teacher": OK,
    "member": OK,
    "student": FORBIDDEN,
    "admin": OK,
    "anonymous": LOGIN,
}
MANAGE = {
    "counselor": OK,
    "principal": FORBIDDEN,
    "liaison": FORBIDDEN,
    "teacher": FORBIDDEN,
    "member": FORBIDDEN,
    "student": FORBIDDEN,
    "admin": FORBIDDEN,
    "anonymous": LOGIN,
}
COUNSELORS = MANAGE
COVERAGE = {**MANAGE, "principal": OK}
ROLES = list(SEE)
MATRIX = [
    ("lectures:lecture-list", [], SEE),
    ("lectures:lecture-new", [], MANAGE),
    ("lectures:lecture-detail", ["lecture"], SEE),
    ("lectures:lecture-edit", ["lecture"], MANAGE),
    ("lectures:series-new", ["lecture"], MANAGE),
    ("lectures:session-detail", ["session"], SEE),
    ("lectures:session-edit", ["planned"], MANAGE),
    ("lectures:session-record", ["session"], MANAGE),
    ("lectures:session-upload", ["session"], MANAGE),
    ("lectures:session-file", ["file"], SEE),
    ("lectures:venue-list", [], MANAGE),
    ("lectures:venue-new", [], MANAGE),
    ("lectures:venue-edit", ["venue"], MANAGE),
    ("lectures:coverage", [], COVERAGE),
    ("lectures:activity-design-list", [], SEE),
    ("lectures:activity-design-new", [], MANAGE),
    ("lectures:activity-design-detail", ["design"], SEE),
    ("lectures:activity-design-edit", ["design"], MANAGE),
    ("lectures:activity-session-new", ["design"], MANAGE),
    ("lectures:activity-session-detail", ["activity"], SEE),
    ("lectures:activity-session-edit", ["activity"], MANAGE),
    ("lectures:activity-session-record", ["activity"], MANAGE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", MATRIX, ids=[c[0].split(":")[1] for c in MATRIX])
def test_access_matrix(client, world, objects, case, role):
    name, args, expected = case
    if role != "anonymous":
        client.force_login(world.people()[role])
    url = reverse(name, args=[objects[a] for a in args])
    response = client.get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "kwargs_of"),
    [
        ("lectures:feedback-results", lambda o: {"kind": "lecture", "pk": o["lecture"]}),
        ("lectures:feedback-results", lambda o: {"kind": "session", "pk": o["session"]}),
        ("lectures:feedback-results", lambda o: {"kind": "activity", "pk": o["activity"]}),
        ("lectures:feedback-qr", lambda o: {"kind": "session", "pk": o["session"]}),
        ("lectures:feedback-qr", lambda o: {"kind": "activity", "pk": o["activity"]}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_feedback_pages_are_for_counselors(client, world, objects, name, kwargs_of, role):
    if role != "anonymous":
        client.force_login(world.people()[role])
    response = client.get(reverse(name, kwargs=kwargs_of(objects)))
    assert response.status_code == COUNSELORS[role], role


def test_every_events_url_is_in_the_matrix():
    _, resolver = get_resolver().namespace_dict["lectures"]
    from lectures.activities import urls as activities_urls
    from lectures.coverage import urls as coverage_urls
    from lectures.events import urls as events_urls
    from lectures.feedback import urls as feedback_urls

    names = {
        f"lectures:{p.name}"
        for urls in (events_urls, coverage_urls, activities_urls, feedback_urls)
        for p in urls.urlpatterns
    }
    covered = {name for name, *_ in MATRIX} | {
        "lectures:feedback-results",
        "lectures:feedback-qr",
        # POST only, and public: tested on their own.
        "lectures:lecture-status",
        "lectures:session-status",
        "lectures:feedback-form",
        "lectures:feedback-thanks",
    }
    assert names <= covered, names - covered
    assert resolver is not None


@pytest.mark.parametrize("username", ["teacher", "member", "liaison", "principal"])
def test_school_roles_cannot_post_changes(sign_in, objects, username):
    client = sign_in(username)
    for name, key in [
        ("lectures:lecture-status", "lecture"),
        ("lectures:session-status", "session"),
        ("lectures:session-record", "session"),
    ]:
        url = reverse(name, args=[objects[key]])
        assert client.post(url, {"status": "cancelled", "total": 1}).status_code == 403


def test_another_schools_counselor_sees_nothing(client, world, objects):
    client.force_login(world.stranger)
    for name, key in [
        ("lectures:lecture-detail", "lecture"),
        ("lectures:session-detail", "session"),
        ("lectures:session-record", "session"),
        ("lectures:session-file", "file"),
        ("lectures:activity-session-detail", "activity"),
    ]:
        assert client.get(reverse(name, args=[objects[key]])).status_code == 404, name
    assert client.get(reverse("lectures:lecture-list")).context["rows"] == []


def test_menu_shows_lectures_to_school_roles_only(sign_in):
    for username, shown in [("counselor", True), ("teacher", True), ("student", False)]:
        html = sign_in(username).get(reverse("home")).content.decode()
        assert (f'href="{reverse("lectures:lecture-list")}"' in html) == shown, username
        assert (f'href="{reverse("lectures:venue-list")}"' in html) == (username == "counselor")
