"""The role form lists the school's classes without a query or a template per option, and
asks for the person by name (suggested as one types): the same queries for a small school
and for one with many more of both."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counseling.models import Role, SchoolClass
from tests.factories import RoleFactory, UserFactory


def page(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_the_role_form_costs_the_same_queries_for_more_people_and_classes(client, world):
    client.force_login(world.principal)
    liaison_role = Role.objects.get(user=world.liaison, kind=Role.Kind.LIAISON)
    urls = [reverse("counseling:role-new"), reverse("counseling:role-edit", args=[liaison_role.pk])]
    for url in urls:
        client.get(url)  # warm-up: the session
    small = [page(client, url)[1] for url in urls]
    SchoolClass.objects.bulk_create(
        SchoolClass(department=world.other_dept, name=f"扩{k}班", enrolment_year=2025)
        for k in range(40)
    )
    for k in range(40):
        RoleFactory(
            user=UserFactory(username=f"w-extra{k}", full_name=f"新老师{k}"),
            kind=Role.Kind.LIAISON,
            school=world.school,
            department=world.dept,
        )
    big = []
    for url in urls:
        html, queries = page(client, url)
        big.append(queries)
        # Every class offered, each under its department; the people are not listed.
        assert html.count(">新老师") == 0
        assert f'<optgroup label="{world.other_dept.name}">' in html
        assert f">{world.other_dept.name} · 扩39班</option>" in html
        assert "data-suggest" in html and "js/suggest.js" in html
    assert f'value="{world.liaison.username}"' in html  # the edited role's person
    assert big == small


def test_the_person_is_found_by_user_name_or_a_full_name_of_one(client, world):
    client.force_login(world.principal)
    url = reverse("counseling:role-new")
    new = UserFactory(username="w-newcomer", full_name="新同事")
    RoleFactory(kind=Role.Kind.LIAISON, school=world.school, department=world.dept, user=new)
    twins = [UserFactory(username=f"w-twin{k}", full_name="同名者") for k in range(2)]
    for twin in twins:
        RoleFactory(kind=Role.Kind.LIAISON, school=world.school, department=world.dept, user=twin)
    data = {"kind": Role.Kind.LIAISON, "department": world.other_dept.pk}
    response = client.post(url, {**data, "user": "同名者"})
    assert "user" in response.context["form"].errors
    response = client.post(url, {**data, "user": "没有这个人"})
    assert "user" in response.context["form"].errors
    assert client.post(url, {**data, "user": "新同事"}).status_code == 302
    assert Role.objects.filter(user=new, department=world.other_dept).exists()
    assert client.post(url, {**data, "user": "w-twin1"}).status_code == 302
    assert Role.objects.filter(user=twins[1], department=world.other_dept).exists()


def test_person_suggestions_are_the_schools_people_only(client, world):
    stranger = UserFactory(username="w-outsider", full_name="新外人")
    RoleFactory(kind=Role.Kind.COUNSELOR, user=stranger)  # another school's
    new = UserFactory(username="w-newcomer", full_name="新同事")
    RoleFactory(kind=Role.Kind.LIAISON, school=world.school, department=world.dept, user=new)
    client.force_login(world.principal)
    results = client.get(reverse("counseling:person-search"), {"q": "新"}).json()["results"]
    assert results == [{"value": "w-newcomer", "label": "新同事"}]
    assert client.get(reverse("counseling:person-search")).json() == {"results": []}
    client.force_login(world.liaison)
    assert client.get(reverse("counseling:person-search"), {"q": "新"}).status_code == 403
