"""Finding 7: a NUL byte or an oversize value is refused with a message, never a 500."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counseling.models import Department, Role
from tests.factories import RoleFactory, SchoolFactory

SEARCHES = [
    "counseling:department-list",
    "counseling:class-list",
    "counseling:student-list",
    "counseling:role-list",
    "counseling:audit-list",
]


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def counselor(school):
    return RoleFactory(school=school, kind=Role.Kind.COUNSELOR, is_head=True).user


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("t9-root", password="x-Pass-1234")


@pytest.mark.parametrize("url_name", SEARCHES)
@pytest.mark.parametrize("who", ["counselor", "admin_user"])
def test_nul_in_search_is_refused_with_a_message(client, request, url_name, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(url_name) + "?q=%00abc")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert "不允许" in response.content.decode()
    # The same search without the NUL answers.
    assert client.get(reverse(url_name) + "?q=abc").status_code == 200


def test_oversize_query_value_is_refused(client, counselor, settings):
    client.force_login(counselor)
    url = reverse("counseling:class-list")
    limit = settings.INPUT_MAX_QUERY_CHARS
    assert client.get(url, {"q": "班" * limit}).status_code == 200
    response = client.get(url, {"q": "班" * (limit + 1)})
    assert response.status_code == 400
    assert str(limit) in response.content.decode()


def test_nul_in_a_query_parameter_name_is_refused(client, counselor):
    client.force_login(counselor)
    assert client.get(reverse("counseling:class-list") + "?a%00b=1").status_code == 400


def test_nul_in_a_posted_field_is_refused_and_nothing_saved(client, counselor, school):
    client.force_login(counselor)
    response = client.post(reverse("counseling:department-new"), {"name": "新\x00科", "code": "NX"})
    assert response.status_code == 400
    assert "不允许" in response.content.decode()
    assert not Department.objects.filter(school=school, code="NX").exists()


def test_nul_in_an_attendance_reason_is_refused_before_the_view(client, counselor):
    client.force_login(counselor)
    response = client.post(reverse("committees:attendance", args=[1]), {"r1": "病\x00假"})
    assert response.status_code == 400


def test_oversize_posted_field_is_refused(client, counselor, school, settings):
    settings.INPUT_MAX_FIELD_CHARS = 50
    client.force_login(counselor)
    response = client.post(reverse("counseling:department-new"), {"name": "科" * 51, "code": "L"})
    assert response.status_code == 400
    assert "50" in response.content.decode()
    assert not Department.objects.filter(school=school, code="L").exists()


def test_nul_in_an_uploaded_file_name_is_refused(client, counselor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(counselor)
    upload = SimpleUploadedFile("a\x00.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    response = client.post(reverse("counseling:roster-import"), {"file": upload})
    assert response.status_code in (400, 200, 302)  # refused or safely ignored, never 500


def test_anonymous_sign_in_with_nul_gets_a_message(client, db):
    users, attempts = get_user_model().objects.count(), AccessAttempt.objects.count()
    # PostgreSQL refuses a NUL even in a query's parameter: none may reach the database
    # (not a lookup of the username, not a failed attempt recorded under it).
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("login"), {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
    assert not [q["sql"] for q in queries if "\x00" in q["sql"]]
    assert get_user_model().objects.count() == users
    assert AccessAttempt.objects.count() == attempts
