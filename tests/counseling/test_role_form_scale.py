"""The role form lists the school's people and classes without a query or a template per
option: the same queries for a small school and for one with many more of both."""

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
        # Every person and class offered, each class under its department.
        assert html.count(">新老师") == 40
        assert f'<optgroup label="{world.other_dept.name}">' in html
        assert f">{world.other_dept.name} · 扩39班</option>" in html
        assert f'value="{world.liaison.pk}"' in html
    assert big == small
