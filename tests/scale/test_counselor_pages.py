"""A 600-class school's counselor pages: the home panel's filing counts and the alert
list's class picker are right, and take the same queries for a few classes or many."""

import re

from django.urls import reverse

from tests.board_world import counted_get


def get(client, name, **params):
    response, queries = counted_get(client, reverse(name), params)
    return response.content.decode(), queries


def filing(html, html_id):
    paragraph = html[html.index(f'id="{html_id}"') :].split("</p>", 1)[0]
    return re.search(r"应填报(\d+)个班级，已填报(\d+)个，其中按时(\d+)个", paragraph).groups()


def test_counselor_home_counts_both_weeks_with_the_same_queries(client, world):
    first, second, third, _fourth = world.classes
    world.file(first, 12)
    world.file(second, 12, late=True)
    world.away(third, 12, 13)  # excused: neither expected nor counted
    world.file(third, 12)
    client.force_login(world.counselor)
    get(client, "home")  # warm-up: session, settings row
    html, few = get(client, "home")
    # NOW is in week 13, being filed; week 12 is closed. Five active classes, one away.
    assert filing(html, "week-filing") == ("4", "0", "0")
    assert filing(html, "previous-filing") == ("4", "2", "1")
    # 40 more: 26 filed week 12 (3 of them late, 3 away then), 4 away from week 10.
    world.bulk_classes(40, prefix="家")
    html, many = get(client, "home")
    assert filing(html, "week-filing") == ("40", "0", "0")
    assert filing(html, "previous-filing") == ("40", "25", "21")
    assert many == few


def test_alert_list_offers_every_class_by_department_with_the_same_queries(client, world):
    chosen = world.classes[1]
    client.force_login(world.counselor)
    get(client, "committees:alert-list")  # warm-up
    html, few = get(client, "committees:alert-list", **{"class": chosen.pk})
    world.bulk_classes(40, prefix="警")
    html, many = get(client, "committees:alert-list", **{"class": chosen.pk})
    picker = re.search(r'<select name="class".*?</select>', html, re.S).group(0)
    assert re.findall(r'<optgroup label="([^"]+)"', picker) == ["乙科", "甲科"]
    assert picker.count("<option ") == 1 + 5 + 40  # "every class" first
    assert f'<option value="{chosen.pk}" selected>{chosen.name}</option>' in picker
    assert 'aria-label="班级"' in picker
    assert many == few
