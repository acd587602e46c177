"""A district-sized school's lists: paginated, and the same queries at any size.

Each test loads a page for a small school, grows the school (classes, members) past a page,
and loads it again: the page shows one page of rows, the counts still cover everything, and
the number of queries is the same.
"""

import re

from django.template import Context, Template
from django.urls import reverse

from committees.board.views import SCORECARD_PAGE
from committees.network.views.members import MEMBER_LIST_PAGE
from tests.board_world import counted_get


def get(client, name, **params):
    return counted_get(client, reverse(name), params)


def test_scorecards_show_a_page_of_members_with_the_same_queries(client, world):
    for cls in world.classes:
        world.member(cls)
    client.force_login(world.counselor)
    get(client, "committees:scorecards")  # warm-up: session, settings row, content types
    response, few = get(client, "committees:scorecards")
    assert len(response.context["cards"]) == 4
    for cls in world.bulk_classes(SCORECARD_PAGE + 6, prefix="卡"):
        world.member(cls)
    response, many = get(client, "committees:scorecards")
    assert len(response.context["cards"]) == SCORECARD_PAGE
    assert response.context["page"].paginator.count == SCORECARD_PAGE + 10
    assert many == few
    response, last = get(client, "committees:scorecards", page=2)
    assert len(response.context["cards"]) == 10
    assert last == few


def test_scorecards_of_one_department_keep_their_filter_across_pages(client, world):
    world.member(world.elsewhere)
    for cls in world.bulk_classes(SCORECARD_PAGE + 1, prefix="卡"):
        world.member(cls)
    client.force_login(world.counselor)
    response, _ = get(client, "committees:scorecards", department=world.department.pk)
    assert response.context["page"].paginator.count == SCORECARD_PAGE + 1
    html = response.content.decode()
    assert f"department={world.department.pk}&amp;page=2" in html
    response, _ = get(client, "committees:scorecards", department=world.other_department.pk)
    assert [c.member.school_class for c in response.context["cards"]] == [world.elsewhere]
    assert {d.name for d in response.context["departments"]} == {"甲科", "乙科"}


def test_member_list_shows_a_page_of_classes_and_counts_every_class(client, world):
    world.member(world.classes[0])
    client.force_login(world.counselor)
    get(client, "committees:member-list")
    response, few = get(client, "committees:member-list")
    assert response.context["total"] == 5 and response.context["missing"] == 4
    world.bulk_classes(MEMBER_LIST_PAGE + 5, prefix="员")
    response, many = get(client, "committees:member-list")
    shown = sum(len(classes) for _d, classes in response.context["departments"])
    assert shown == MEMBER_LIST_PAGE
    assert response.context["total"] == MEMBER_LIST_PAGE + 10
    assert response.context["missing"] == MEMBER_LIST_PAGE + 9
    assert many == few


def test_attendance_rates_keep_their_queries_as_the_school_grows(client, world):
    for cls in world.classes:
        world.member(cls)
    client.force_login(world.counselor)
    get(client, "committees:rates")
    _response, few = get(client, "committees:rates")
    for cls in world.bulk_classes(60, prefix="率"):
        world.member(cls)
    response, many = get(client, "committees:rates")
    assert "page" in response.context
    assert many == few


def test_new_lecture_lists_classes_by_department_with_the_same_queries(client, world):
    client.force_login(world.counselor)
    get(client, "lectures:lecture-new")
    response, few = get(client, "lectures:lecture-new")
    world.bulk_classes(40, prefix="讲")
    response, many = get(client, "lectures:lecture-new")
    html = response.content.decode()
    picker = re.search(r'<select name="audience_classes".*?</select>', html, re.S).group(0)
    assert re.findall(r'<optgroup label="([^"]+)"', picker) == ["乙科", "甲科"]
    assert picker.count("<option ") == 45
    assert f'<option value="{world.elsewhere.pk}">乙科 · 2026级乙1班</option>' in picker
    assert many == few


def test_new_lecture_keeps_the_chosen_classes_when_the_form_is_sent_back(client, world):
    client.force_login(world.counselor)
    chosen = world.classes[1]
    response = client.post(
        reverse("lectures:lecture-new"), {"audience": "classes", "audience_classes": [chosen.pk]}
    )
    assert response.status_code == 400  # no title
    html = response.content.decode()
    assert f'<option value="{chosen.pk}" selected>' in html
    assert f'<option value="{world.classes[2].pk}">' in html


def test_a_list_s_page_links_keep_the_other_list_s_page(rf):
    request = rf.get("/committees/attendance-rates/", {"class_page": 3, "page": 2})
    template = Template('{% load portal %}{% page_query 4 "class_page" %}|{% page_query 1 %}')
    assert template.render(Context({"request": request})) == (
        "?class_page=4&amp;page=2|?class_page=3&amp;page=1"
    )
