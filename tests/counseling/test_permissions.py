"""Who reaches which page of the core: every counseling URL × every persona
(tests/personas.py), and what scoped lists show."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import get_resolver, reverse
from django.utils import timezone

from counseling.audit import AuditEntry, record
from counseling.models import Department, Role, SchoolClass, Semester, Student
from counseling.permissions import access_of
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    StudentFactory,
    UserFactory,
)

ROLES = [
    "admin",
    "principal",
    "counselor",
    "counselor2",
    "liaison",
    "teacher",
    "member",
    "student",
    "anonymous",
]


def row(*statuses):
    assert len(statuses) == len(ROLES)
    return dict(zip(ROLES, statuses, strict=True))


# Column order:     admin principal counselor counselor2 liaison teacher member student anon
EVERYONE = row(200, 200, 200, 200, 200, 200, 200, 200, 302)
NETWORK = row(200, 200, 200, 200, 200, 200, 403, 403, 302)
MANAGE = row(200, 403, 200, 200, 403, 403, 403, 403, 302)
MANAGE_POST = row(302, 403, 302, 302, 403, 403, 403, 403, 302)
IMPORT = row(403, 403, 200, 200, 403, 403, 403, 403, 302)
SEMESTERS = row(200, 200, 200, 200, 403, 403, 403, 403, 302)
ROLES_PAGE = row(200, 200, 200, 403, 403, 403, 403, 403, 302)
AUDIT = row(200, 403, 200, 403, 403, 403, 403, 403, 302)

# (URL name, arguments, method, expected status per role). Arguments name objects of
# the `objects` fixture: the teacher's class is in the liaison's department; "sibling"
# is another class of that department; "other" ones are in another department.
MATRIX = [
    ("home", [], "get", EVERYONE),
    ("counseling:department-list", [], "get", NETWORK),
    ("counseling:department-new", [], "get", MANAGE),
    (
        "counseling:department-detail",
        ["own_department"],
        "get",
        row(200, 200, 200, 200, 200, 404, 403, 403, 302),
    ),
    (
        "counseling:department-detail",
        ["other_department"],
        "get",
        row(200, 200, 200, 200, 404, 404, 403, 403, 302),
    ),
    ("counseling:department-detail", ["missing"], "get", row(*[404] * 6, 403, 403, 302)),
    ("counseling:department-edit", ["own_department"], "get", MANAGE),
    ("counseling:department-toggle", ["own_department"], "post", MANAGE_POST),
    ("counseling:department-toggle", ["own_department"], "get", row(*[405] * 8, 302)),
    ("counseling:class-list", [], "get", NETWORK),
    ("counseling:class-new", [], "get", MANAGE),
    ("counseling:class-detail", ["own_class"], "get", NETWORK),
    (
        "counseling:class-detail",
        ["sibling_class"],
        "get",
        row(200, 200, 200, 200, 200, 404, 403, 403, 302),
    ),
    (
        "counseling:class-detail",
        ["other_class"],
        "get",
        row(200, 200, 200, 200, 404, 404, 403, 403, 302),
    ),
    ("counseling:class-detail", ["missing"], "get", row(*[404] * 6, 403, 403, 302)),
    ("counseling:class-edit", ["own_class"], "get", MANAGE),
    ("counseling:class-toggle", ["own_class"], "post", MANAGE_POST),
    ("counseling:student-list", [], "get", NETWORK),
    ("counseling:student-new", [], "get", MANAGE),
    ("counseling:student-edit", ["own_student"], "get", MANAGE),
    ("counseling:student-edit", ["missing"], "get", row(404, 403, 404, 404, *[403] * 4, 302)),
    ("counseling:roster-import", [], "get", IMPORT),
    ("counseling:roster-template", ["xlsx"], "get", IMPORT),
    ("counseling:roster-template", ["csv"], "get", IMPORT),
    ("counseling:roster-template", ["pdf"], "get", row(403, 403, 404, 404, *[403] * 4, 302)),
    ("counseling:semester-list", [], "get", SEMESTERS),
    ("counseling:semester-new", [], "get", SEMESTERS),
    ("counseling:semester-edit", ["semester"], "get", SEMESTERS),
    ("counseling:role-list", [], "get", ROLES_PAGE),
    ("counseling:role-new", [], "get", ROLES_PAGE),
    ("counseling:role-edit", ["liaison_role"], "get", ROLES_PAGE),
    ("counseling:person-search", [], "get", ROLES_PAGE),
    # A counselor's role is changed by the head counselor only (separation of duties:
    # tests/security/test_separation_of_duties.py); the school administrator may end it.
    (
        "counseling:role-edit",
        ["counselor_role"],
        "get",
        row(403, 403, 200, 403, 403, 403, 403, 403, 302),
    ),
    ("counseling:role-end", ["liaison_role"], "post", row(302, 302, 302, *[403] * 5, 302)),
    (
        "counseling:role-end",
        ["counselor_role"],
        "post",
        row(403, 302, 302, 403, 403, 403, 403, 403, 302),
    ),
    ("counseling:audit-list", [], "get", AUDIT),
    ("password_change", [], "get", EVERYONE),
    ("login", [], "get", row(*[200] * 9)),
    ("logout", [], "post", row(*[302] * 9)),
    ("admin:index", [], "get", row(200, *[302] * 8)),
    ("admin:counseling_department_changelist", [], "get", row(200, *[302] * 8)),
]


@pytest.fixture
def objects(world):
    liaison_role = Role.objects.get(user=world.liaison, kind=Role.Kind.LIAISON)
    assert liaison_role.department == world.cls.department == world.cls_b.department
    return {
        "own_department": world.dept.pk,
        "other_department": world.other_dept.pk,
        "own_class": world.cls.pk,
        "sibling_class": world.cls_b.pk,
        "other_class": world.other_cls.pk,
        "own_student": world.students[world.cls.pk][1].pk,
        "semester": world.semester.pk,
        "liaison_role": liaison_role.pk,
        "counselor_role": Role.objects.get(user=world.counselor2).pk,
        "missing": 999999999,
        "xlsx": "xlsx",
        "csv": "csv",
        "pdf": "pdf",
    }


def _case_id(case):
    name, args, method, _ = case
    return "-".join([name.split(":")[-1], *args, method])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", MATRIX, ids=[_case_id(c) for c in MATRIX])
def test_matrix(client, persona, objects, case, role):
    name, args, method, expected = case
    if role != "anonymous":
        client.force_login(persona(role))
    url = reverse(name, args=[objects[a] for a in args])
    response = getattr(client, method)(url)
    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    if response.status_code == 302 and role == "anonymous" and name != "logout":
        assert response["Location"].startswith(
            reverse("admin:login" if "admin" in name else "login")
        )


def test_matrix_covers_every_counseling_url():
    """A page added to counseling/urls.py without a row here fails this test."""
    _, resolver = get_resolver().namespace_dict["counseling"]
    names = {f"counseling:{p.name}" for p in resolver.url_patterns}
    assert len(names) > 20
    assert names <= {name for name, *_ in MATRIX}


class TestScopedLists:
    def test_liaison_sees_only_its_department(self, signed_in_as, objects):
        client = signed_in_as("liaison")
        own = Department.objects.get(pk=objects["own_department"])
        response = client.get(reverse("counseling:class-list"), {"show": "all"})
        classes = response.context["page"].paginator.object_list
        assert {c.department_id for c in classes} == {own.pk}
        assert len(classes) == 2
        html = response.content.decode()
        other = SchoolClass.objects.get(pk=objects["other_class"])
        assert other.department.name not in html
        response = client.get(reverse("counseling:department-list"))
        assert list(response.context["departments"]) == [own]
        assert other.department.name not in response.content.decode()

    def test_liaison_student_list(self, signed_in_as, objects):
        response = signed_in_as("liaison").get(reverse("counseling:student-list"))
        assert response.context["page"].paginator.count == 10  # two classes of five

    def test_teacher_sees_only_its_class(self, signed_in_as, objects):
        client = signed_in_as("teacher")
        own = SchoolClass.objects.get(pk=objects["own_class"])
        response = client.get(reverse("counseling:class-list"))
        assert [c.pk for c in response.context["page"]] == [own.pk]
        sibling = SchoolClass.objects.get(pk=objects["sibling_class"])
        html = response.content.decode()
        assert own.name in html
        assert sibling.name not in html
        response = client.get(reverse("counseling:student-list"))
        page = response.context["page"]
        assert page.paginator.count == own.students.filter(is_active=True).count() == 5
        assert {s.school_class_id for s in page.paginator.object_list} == {own.pk}
        outsider = Student.objects.filter(school_class=sibling).first()
        assert outsider.student_number not in response.content.decode()
        response = client.get(reverse("counseling:student-list"), {"q": outsider.student_number})
        assert response.context["page"].paginator.count == 0

    def test_teacher_roster(self, signed_in_as, objects):
        response = signed_in_as("teacher").get(
            reverse("counseling:class-detail", args=[objects["own_class"]])
        )
        html = response.content.decode()
        for student in Student.objects.filter(school_class_id=objects["own_class"]):
            assert student.student_number in html
        # Teachers read the roster; they do not edit it.
        assert reverse("counseling:student-edit", args=[objects["own_student"]]) not in html

    def test_counselor_roster_has_edit_links(self, signed_in_as, objects):
        response = signed_in_as("counselor").get(
            reverse("counseling:class-detail", args=[objects["own_class"]])
        )
        assert reverse("counseling:student-edit", args=[objects["own_student"]]) in (
            response.content.decode()
        )

    @pytest.mark.parametrize("username", ["member", "student"])
    def test_members_and_students_have_no_network(self, signed_in_as, username):
        client = signed_in_as(username)
        for name in ("department-list", "class-list", "student-list"):
            assert client.get(reverse(f"counseling:{name}")).status_code == 403
        html = client.get(reverse("home")).content.decode()
        assert reverse("counseling:department-list") not in html
        assert reverse("counseling:student-list") not in html

    @pytest.mark.parametrize(
        "username, links",
        [
            ("counselor", {"department-list", "semester-list", "role-list", "audit-list"}),
            ("counselor2", {"department-list", "semester-list"}),
            ("principal", {"department-list", "semester-list", "role-list"}),
            ("liaison", {"department-list"}),
            ("teacher", {"department-list"}),
            ("member", set()),
        ],
    )
    def test_menu_matches_access(self, signed_in_as, username, links):
        html = signed_in_as(username).get(reverse("home")).content.decode()
        for name in ("department-list", "semester-list", "role-list", "audit-list"):
            shown = f'href="{reverse(f"counseling:{name}")}"' in html
            assert shown == (name in links), name

    def test_whole_school_figures_only_for_whole_school_roles(self, signed_in_as):
        assert signed_in_as("principal").get(reverse("home")).context["figures"]["students"] == 20
        assert "figures" not in signed_in_as("teacher").get(reverse("home")).context


class TestOtherSchool:
    """A second school on the same portal is invisible to the first one's staff."""

    @pytest.fixture
    def stranger(self, world):
        return StudentFactory()

    @pytest.mark.parametrize("username", ["principal", "counselor", "liaison", "teacher"])
    def test_the_schools_staff_cannot_see_it(self, signed_in_as, stranger, username):
        client = signed_in_as(username)
        cls = stranger.school_class
        url = reverse("counseling:class-detail", args=[cls.pk])
        assert client.get(url).status_code == 404
        url = reverse("counseling:department-detail", args=[cls.department_id])
        assert client.get(url).status_code == 404
        response = client.get(reverse("counseling:student-list"), {"q": stranger.student_number})
        assert response.context["page"].paginator.count == 0

    def test_counselor_cannot_edit_it(self, signed_in_as, stranger):
        client = signed_in_as("counselor")
        url = reverse("counseling:student-edit", args=[stranger.pk])
        assert client.get(url).status_code == 404
        response = client.post(reverse("counseling:class-toggle", args=[stranger.school_class_id]))
        assert response.status_code == 404
        stranger.school_class.refresh_from_db()
        assert stranger.school_class.is_active

    def test_its_own_counselor_sees_only_it(self, client, stranger):
        counselor = RoleFactory(school=stranger.school, kind=Role.Kind.COUNSELOR).user
        client.force_login(counselor)
        response = client.get(reverse("counseling:class-list"))
        assert [c.pk for c in response.context["page"]] == [stranger.school_class_id]

    def test_sysadmin_sees_both(self, signed_in_as, stranger):
        response = signed_in_as("admin").get(
            reverse("counseling:class-detail", args=[stranger.school_class_id])
        )
        assert response.status_code == 200


class TestFailsClosed:
    MODELS = [Department, SchoolClass, Student, Semester, Role, AuditEntry]

    def test_user_without_role_sees_nothing(self, world, persona):
        record(persona("counselor"), AuditEntry.Action.UPDATE, world.school)
        nobody = UserFactory()
        for model in self.MODELS:
            assert model.objects.all().exists(), model
            assert not model.objects.visible_to(nobody).exists(), model

    def test_anonymous_sees_nothing(self, world):
        anonymous = AnonymousUser()
        for model in self.MODELS:
            assert not model.objects.visible_to(anonymous).exists(), model

    def test_ended_role_gives_nothing(self, world):
        yesterday = timezone.localdate() - datetime.timedelta(days=2)
        role = RoleFactory(school=world.school, kind=Role.Kind.COUNSELOR, ends_on=yesterday)
        assert not SchoolClass.objects.visible_to(role.user).exists()
        assert not role.user.has_perm("counseling.see_network")

    def test_future_role_gives_nothing_yet(self, world):
        later = timezone.localdate() + datetime.timedelta(days=30)
        role = RoleFactory(school=world.school, kind=Role.Kind.COUNSELOR, starts_on=later)
        assert not Student.objects.visible_to(role.user).exists()

    def test_inactive_account_sees_nothing(self, persona):
        counselor = persona("counselor")
        counselor.is_active = False
        assert not access_of(counselor).authenticated
        assert not SchoolClass.objects.visible_to(counselor).exists()
        assert not counselor.has_perm("counseling.see_network")

    def test_class_teacher_of_an_inactive_class_loses_it(self, persona):
        teacher = persona("teacher")
        cls = SchoolClass.objects.get(class_teacher=teacher)
        cls.is_active = False
        cls.save()
        assert not SchoolClass.objects.visible_to(persona("teacher")).exists()

    def test_no_role_user_pages(self, client, db):
        client.force_login(UserFactory())
        assert client.get(reverse("home")).status_code == 200
        for name in ("department-list", "class-list", "department-new", "audit-list"):
            assert client.get(reverse(f"counseling:{name}")).status_code == 403, name

    def test_sysadmin_is_held_to_the_rules(self, persona):
        """A superuser passes Django's own checks but not the portal's narrower ones."""
        admin = persona("admin")
        assert admin.has_perm("counseling.see_network")
        assert admin.has_perm("counseling.see_audit")
        assert admin.has_perm("counseling.change_department")  # Django admin permissions
        assert not admin.has_perm("counseling.import_roster")
        assert not admin.has_perm("counseling.grant_counselor_role")

    def test_sysadmin_cannot_grant_a_counselor_role(self, signed_in_as):
        client = signed_in_as("admin")
        nobody = UserFactory()
        response = client.post(
            reverse("counseling:role-new"), {"user": nobody.username, "kind": Role.Kind.COUNSELOR}
        )
        assert response.status_code == 200
        assert "kind" in response.context["form"].errors
        assert not Role.objects.filter(user=nobody).exists()

    def test_department_and_class_helpers(self, world):
        """A liaison's scope is its department even for classes created later."""
        liaison_role = Role.objects.get(user=world.liaison)
        new_class = SchoolClassFactory(department=liaison_role.department)
        elsewhere = SchoolClassFactory(department=DepartmentFactory(school=world.school))
        visible = SchoolClass.objects.visible_to(liaison_role.user)
        assert new_class in visible
        assert elsewhere not in visible
