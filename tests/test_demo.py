"""The demo school (`manage.py load_demo`), for people trying the portal: it loads into an
empty database, a second load changes nothing, every demo account signs in with the demo
password through the real sign-in page, and every page of its navigation opens.

This is the only test that may assert the demo's figures; every other test builds what it
asserts (tests/personas.py).
"""

import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from counseling.management.commands.load_demo import DEMO_PASSWORD, SCHOOL_NAME
from counseling.models import Department, School, SchoolClass, Student
from lectures.models import Contest
from lectures.publicity import services as publicity_services

# The accounts the README lists, one per role.
ACCOUNTS = [
    "admin",
    "principal",
    "counselor",
    "counselor2",
    "counselor3",
    "liaison",
    "teacher",
    "member",
    "student",
]
# The apps whose rows the demo writes.
APPS = ["counseling", "committees", "lectures", "consultations", "reports"]


@pytest.fixture(scope="module")
def demo_school(django_db_setup, django_db_blocker):
    """The demo school, committed once for this module: the session's if it loaded one,
    else loaded here and flushed away after the module, so no other test sees it."""
    from counseling.celery import app

    with django_db_blocker.unblock():
        school = School.objects.filter(name=SCHOOL_NAME).first()
        loaded_here = school is None
        if loaded_here:
            # Tasks inline: with REDIS_URL set, the demo's report export would otherwise
            # wait for ever in a queue no worker reads.
            eager, app.conf.task_always_eager = app.conf.task_always_eager, True
            try:
                call_command("load_demo", verbosity=0)
            finally:
                app.conf.task_always_eager = eager
            school = School.objects.get(name=SCHOOL_NAME)
    yield school
    if loaded_here:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


def row_counts():
    """Rows of every table of the portal's own apps, by model."""
    return {
        model._meta.label: model._default_manager.count()
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_loads_into_an_empty_database_and_loads_again_to_no_change():
    call_command("flush", interactive=False, verbosity=0)
    assert not School.objects.exists()
    call_command("load_demo", verbosity=0)
    school = School.objects.get(name=SCHOOL_NAME)
    # The README's school: six departments of ten classes, 50 students a class.
    assert Department.objects.filter(school=school).count() == 6
    assert SchoolClass.objects.filter(department__school=school).count() == 60
    assert Student.objects.filter(school=school).count() == 3000
    assert Student.objects.filter(school_class__enrolment_year=2026).count() == 1200
    first = row_counts()
    assert first["committees.Barometer"] > 0 and first["lectures.Lecture"] > 0
    call_command("load_demo", verbosity=0)
    assert row_counts() == first


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_demo_account_signs_in_with_the_demo_password(demo_school, db, username):
    client = Client()
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    assert client.get(response["Location"], follow=True).status_code == 200
    assert client.session["_auth_user_id"]


NAV = re.compile(r'<nav class="navbar.*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"#]*)"')


def nav_links(page):
    """The addresses the navigation bar links to (menus included)."""
    nav = NAV.search(page).group(0)
    return sorted(set(HREF.findall(nav)))


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_of_the_navigation_opens_for_every_demo_account(demo_school, db, username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    home = client.get(reverse("home"))
    assert home.status_code == 200
    links = nav_links(home.content.decode())
    assert reverse("home") in links
    failed = {}
    for url in links:
        response = client.get(url, follow=True)
        if response.status_code != 200:
            failed[url] = response.status_code
    assert not failed, failed


def test_the_demo_contest_is_judged_and_ranked(demo_school, db):
    contest = Contest.objects.get(event__month__school=demo_school, event__title="学生心理漫画比赛")
    assert [c.max_points for c in contest.criteria.all()] == [40, 30, 30]
    assert sorted(contest.judges.values_list("username", flat=True)) == ["counselor2", "counselor3"]
    results = publicity_services.contest_results(contest)["results"]
    assert results[0]["mean"] == 92.0  # (38+27+27 + 37+29+26) / 2
