"""The figures page and the record lists behind the figures: who sees what."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counseling.models import Role, Student
from tests.factories import RoleFactory, UserFactory
from tests.reports.world import NOW, FiguresWorld


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield FiguresWorld()


def get(client, user, url):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def records_url(world, key):
    return f"{reverse('reports:figure-list', args=[key])}?semester={world.semester.pk}"


def overview_url(world):
    return f"{reverse('reports:figures')}?semester={world.semester.pk}"


def names(world):
    return list(Student.objects.filter(school=world.school).values_list("name", flat=True))


def test_counselor_sees_every_section_exact(client, world):
    html = get(client, world.counselor, overview_url(world)).content.decode()
    for section in ("lectures", "committee", "barometer", "coverage"):
        assert f'id="section-{section}"' in html
    assert reverse("committees:alert-list") in html  # counselors follow alert figures
    assert not any(name in html for name in names(world))


def test_principal_sees_the_figures_page_without_names(client, world):
    response = get(client, world.principal, overview_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-key="barometer.alerts_raised"' in html
    assert reverse("committees:alert-list") not in html
    assert not any(name in html for name in names(world))


@pytest.mark.parametrize("who", ["liaison", "teacher"])
def test_the_whole_school_page_is_not_for_liaison_or_teacher(client, world, who):
    assert get(client, getattr(world, who), overview_url(world)).status_code == 404


def test_sysadmin_and_member_see_nothing(client, world):
    admin = UserFactory(username="w-root", is_superuser=True, is_staff=True)
    assert get(client, admin, overview_url(world)).status_code == 403
    assert get(client, admin, records_url(world, "lectures.sessions")).status_code == 403
    member = world.m1.student.user
    RoleFactory(
        user=member, school=world.school, kind=Role.Kind.COMMITTEE_MEMBER, school_class=world.a1
    )
    assert get(client, member, records_url(world, "lectures.sessions")).status_code == 403


def test_principal_lists_the_sessions_a_figure_counts(client, world):
    html = get(client, world.principal, records_url(world, "lectures.sessions")).content.decode()
    assert html.count('href="/lectures/sessions/') == 2  # the two held sessions
    assert reverse("lectures:session-detail", args=[world.s1.pk]) in html


def test_liaison_lists_only_its_departments_sessions(client, world):
    html = get(client, world.liaison, records_url(world, "lectures.sessions")).content.decode()
    assert reverse("lectures:session-detail", args=[world.s1.pk]) in html
    assert reverse("lectures:session-detail", args=[world.s2.pk]) not in html  # 乙1 only


def test_teacher_lists_only_its_classs_activities(client, world):
    html = get(client, world.teacher, records_url(world, "activities.sessions")).content.decode()
    assert "住宿生" not in html  # target-group sessions are not a class's
    assert "小船" not in html  # the held class session is 甲3's


def test_contest_entries_never_say_who_submitted(client, world):
    html = get(
        client, world.principal, records_url(world, "publicity.contest_entries")
    ).content.decode()
    assert all(f"作品{n}" in html for n in range(3))
    assert world.submitter.full_name not in html
    assert world.submitter.username not in html


def test_feedback_list_is_for_the_whole_school_roles(client, world):
    url = records_url(world, "feedback.answers")
    assert get(client, world.principal, url).status_code == 200
    assert get(client, world.liaison, url).status_code == 404


def test_unknown_or_app_listed_key_is_404(client, world):
    assert get(client, world.counselor, records_url(world, "nope.nothing")).status_code == 404
    # Meetings are listed by the committee's own schedule page, not here.
    assert (
        get(client, world.counselor, records_url(world, "committee.meetings_held")).status_code
        == 404
    )


def test_record_list_queries_do_not_grow(client, world):
    url = records_url(world, "lectures.sessions")
    get(client, world.principal, url)
    with CaptureQueriesContext(connection) as small:
        get(client, world.principal, url)
    with time_machine.travel(NOW, tick=False):
        world.grow(25)
    with CaptureQueriesContext(connection) as large:
        response = get(client, world.principal, url)
    assert response.status_code == 200
    assert len(small) == len(large)
