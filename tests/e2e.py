"""Helpers for the end-to-end tests (live server, headless Chromium).

A live server and a frozen clock do not mix: the browser's requests run on today's real
date, so an end-to-end world is built around today (`world_of_today`), inside the test,
after the flush that ends every transactional test.
"""

import datetime

from django.utils import timezone

from tests.factories import PASSWORD
from tests.personas import World

PHONE = {"width": 390, "height": 844}
# Today falls in this week of the world's semester: a teaching week, the holiday behind it.
TODAY_WEEK = 8


def sign_in(page, live_server, username, password=PASSWORD):
    """Sign in through the login page, as a person does, and land on the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def world_of_today():
    """The personas world (tests/personas.py) with its semester moved so that today is in
    week `TODAY_WEEK`."""
    world = World()
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    world.semester.first_monday = monday - datetime.timedelta(weeks=TODAY_WEEK - 1)
    world.semester.save()
    return world
