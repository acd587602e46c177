"""Separation of duties (issue 9, findings 1, 5 and 7): no one grants itself a role, the
head counselor grants counselor roles (the school administrator only a school's first head
counselor), and the system administrator never reaches tier 3 — not by a role, not through
another person's account, not in the Django admin."""

import itertools
from types import SimpleNamespace

import pytest
from django.urls import reverse

from counseling.audit import AuditEntry
from counseling.models import Notification, Role, User
from counseling.permissions import access_of, account_refusal, role_refusal
from tests.factories import DepartmentFactory, RoleFactory, SchoolFactory, UserFactory

ADMIN_ROLE_ADD = "/admin/counseling/role/add/"


@pytest.fixture
def w(db):
    school = SchoolFactory()
    admin = UserFactory(username="sd-admin", is_superuser=True, is_staff=True)
    principal = RoleFactory(kind=Role.Kind.SCHOOL_ADMIN, school=school).user
    head = RoleFactory(kind=Role.Kind.COUNSELOR, is_head=True, school=school).user
    counselor = RoleFactory(kind=Role.Kind.COUNSELOR, school=school).user
    # An account the system administrator made, and whose password it therefore knows.
    puppet = UserFactory(username="sd-puppet")
    return SimpleNamespace(
        school=school,
        admin=admin,
        principal=principal,
        head=head,
        counselor=counselor,
        puppet=puppet,
        passwords={u.pk: u.password for u in (principal, head, counselor)},
    )


def as_(client, user):
    client.force_login(user)
    return client


def portal_grant(client, actor, user, kind, *, is_head=False):
    data = {"user": user.username, "kind": kind}
    if is_head:
        data["is_head"] = "on"
    return as_(client, actor).post(reverse("counseling:role-new"), data)


def admin_grant(client, actor, user, kind, school, *, is_head=False):
    data = {"user": user.pk, "kind": kind, "school": school.pk}
    if is_head:
        data["is_head"] = "on"
    return as_(client, actor).post(ADMIN_ROLE_ADD, data)


def admin_reset_password(client, actor, user):
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    form = {"password1": "Takeover-2026!", "password2": "Takeover-2026!", "usable_password": "true"}
    return as_(client, actor).post(url, form)


def holds(user, kind, **extra):
    return Role.objects.current().filter(user=user, kind=kind, **extra).exists()


# --- Finding 1, route one: the admin gives itself school_admin, then counselor -------------


def test_the_admin_cannot_make_itself_school_admin_in_the_django_admin(w, client):
    response = admin_grant(client, w.admin, w.admin, Role.Kind.SCHOOL_ADMIN, w.school)
    assert response.status_code == 200  # the form again, with the refusal
    assert not holds(w.admin, Role.Kind.SCHOOL_ADMIN)
    response = admin_grant(client, w.admin, w.admin, Role.Kind.COUNSELOR, w.school, is_head=True)
    assert not holds(w.admin, Role.Kind.COUNSELOR)


def test_the_admin_cannot_make_itself_school_admin_in_the_portal(w, client):
    portal_grant(client, w.admin, w.admin, Role.Kind.SCHOOL_ADMIN)
    portal_grant(client, w.admin, w.admin, Role.Kind.COUNSELOR)
    assert not w.admin.roles.exists()


def test_a_guarded_role_held_by_the_admin_anyway_gives_it_nothing(w, client):
    """Even a row written by hand (a shell, a restored backup) does not make the system
    administrator a counselor: the permission layer ignores it."""
    Role.objects.create(user=w.admin, kind=Role.Kind.SCHOOL_ADMIN, school=w.school)
    Role.objects.create(user=w.admin, kind=Role.Kind.COUNSELOR, school=w.school, is_head=True)
    admin = User.objects.get(pk=w.admin.pk)
    assert not access_of(admin).is_counselor
    assert not admin.has_perm("counseling.grant_counselor_role")
    portal_grant(client, admin, w.puppet, Role.Kind.COUNSELOR)
    assert not w.puppet.roles.exists()


def test_no_one_grants_the_admin_a_counselor_role(w, client):
    portal_grant(client, w.head, w.admin, Role.Kind.COUNSELOR)
    portal_grant(client, w.principal, w.admin, Role.Kind.SCHOOL_ADMIN)
    assert not w.admin.roles.exists()


# --- Finding 1, route two: the admin takes over the principal ------------------------------


def test_the_admin_cannot_reset_the_principals_password(w, client):
    for person in (w.principal, w.head, w.counselor):
        assert admin_reset_password(client, w.admin, person).status_code == 403
        person.refresh_from_db()
        assert person.password == w.passwords[person.pk]
        change = reverse("admin:counseling_user_change", args=[person.pk])
        client.post(change, {"username": person.username, "email": "x@evil.invalid"})
        person.refresh_from_db()
        assert person.email != "x@evil.invalid"
    # Accounts without a guarded role stay the admin's to manage.
    assert admin_reset_password(client, w.admin, w.puppet).status_code == 302


def test_the_principal_cannot_grant_itself_a_counselor_role(w, client):
    portal_grant(client, w.principal, w.principal, Role.Kind.COUNSELOR, is_head=True)
    assert not holds(w.principal, Role.Kind.COUNSELOR)


# --- The rule itself -----------------------------------------------------------------------


def test_no_one_grants_itself_any_role(w):
    for actor in (w.admin, w.principal, w.head, w.counselor):
        for kind in Role.Kind.values:
            role = Role(user=actor, kind=kind, school=w.school)
            assert role_refusal(actor, role), (actor, kind)


def test_counselor_roles_come_from_the_head_counselor(w, client):
    response = portal_grant(client, w.principal, w.puppet, Role.Kind.COUNSELOR)
    assert response.status_code == 200 and not holds(w.puppet, Role.Kind.COUNSELOR)
    assert "只有心理辅导科负责人" in response.content.decode()  # the refusal says who may
    portal_grant(client, w.counselor, w.puppet, Role.Kind.COUNSELOR)
    assert not holds(w.puppet, Role.Kind.COUNSELOR)
    response = portal_grant(client, w.head, w.puppet, Role.Kind.COUNSELOR)
    assert response.status_code == 302 and holds(w.puppet, Role.Kind.COUNSELOR)


def test_the_principal_appoints_only_the_first_head_counselor(w, client):
    portal_grant(client, w.principal, w.puppet, Role.Kind.COUNSELOR, is_head=True)
    assert not holds(w.puppet, Role.Kind.COUNSELOR)  # the school has a head already

    school = SchoolFactory()
    principal = RoleFactory(kind=Role.Kind.SCHOOL_ADMIN, school=school).user
    deputy = RoleFactory(kind=Role.Kind.SCHOOL_ADMIN, school=school).user
    newcomer = UserFactory()
    response = portal_grant(client, principal, newcomer, Role.Kind.COUNSELOR)
    assert not holds(newcomer, Role.Kind.COUNSELOR)  # a plain counselor: the head's to grant
    response = portal_grant(client, principal, newcomer, Role.Kind.COUNSELOR, is_head=True)
    assert response.status_code == 302
    assert holds(newcomer, Role.Kind.COUNSELOR, is_head=True)
    entry = AuditEntry.objects.filter(actor=principal, object_repr__contains=str(newcomer))
    assert entry.get().changes["first_head_counselor"] is True
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert {newcomer.pk, principal.pk, deputy.pk} <= told
    # And only the first: a second head is the head counselor's to appoint.
    other = UserFactory()
    portal_grant(client, deputy, other, Role.Kind.COUNSELOR, is_head=True)
    assert not holds(other, Role.Kind.COUNSELOR)


def test_an_edit_cannot_launder_a_grant(w, client):
    """Changing a role is granting it as it was and as it becomes."""
    liaison_role = RoleFactory(
        kind=Role.Kind.LIAISON,
        school=w.school,
        user=w.puppet,
        department=DepartmentFactory(school=w.school),
    )
    url = reverse("counseling:role-edit", args=[liaison_role.pk])
    as_(client, w.principal).post(url, {"user": w.puppet.username, "kind": Role.Kind.COUNSELOR})
    assert not holds(w.puppet, Role.Kind.COUNSELOR)
    counselor_role = w.counselor.roles.get()
    url = reverse("counseling:role-edit", args=[counselor_role.pk])
    assert as_(client, w.principal).get(url).status_code == 403
    assert as_(client, w.admin).get(url).status_code == 403
    admin_url = reverse("admin:counseling_role_change", args=[counselor_role.pk])
    as_(client, w.admin).post(admin_url, {"user": w.admin.pk, "kind": "counselor"})
    counselor_role.refresh_from_db()
    assert counselor_role.user_id == w.counselor.pk


def test_the_admin_cannot_edit_a_guarded_account(w):
    for person in (w.principal, w.head, w.counselor):
        assert account_refusal(w.admin, person)
    assert account_refusal(w.admin, w.puppet) is None
    assert account_refusal(w.head, w.counselor) is None  # its keepers may


# --- Finding 7: a duplicate school-level role ----------------------------------------------


def test_a_duplicate_school_role_is_refused_with_a_message(w, client):
    response = portal_grant(client, w.head, w.counselor, Role.Kind.COUNSELOR)
    assert response.status_code == 200
    assert "已有此角色" in response.content.decode()
    assert w.counselor.roles.count() == 1


# --- Finding 5: no tier-2 text in the Django admin -----------------------------------------


def test_the_admin_shows_no_tier2_text(db, client):
    from django.contrib import admin

    from committees.models import Barometer, CourseSuggestion

    assert CourseSuggestion not in admin.site._registry
    barometer_admin = admin.site._registry[Barometer]
    request = SimpleNamespace(user=UserFactory(is_superuser=True, is_staff=True))
    form = barometer_admin.get_form(request)
    assert "note" not in form.base_fields
    tier2 = {"note", "text", "answer", "outcome", "comment", "comments"}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"counseling", "committees", "lectures"}:
            continue
        shown = set(model_admin.get_list_display(request)) | set(model_admin.search_fields)
        if model is Barometer:
            assert not shown & tier2, model


# --- Every combination of two steps among the admin's and the principal's powers ----------

STEPS = {
    "admin: itself school_admin (Django admin)": lambda c, w: admin_grant(
        c, w.admin, w.admin, Role.Kind.SCHOOL_ADMIN, w.school
    ),
    "admin: itself head counselor (Django admin)": lambda c, w: admin_grant(
        c, w.admin, w.admin, Role.Kind.COUNSELOR, w.school, is_head=True
    ),
    "admin: puppet school_admin (Django admin)": lambda c, w: admin_grant(
        c, w.admin, w.puppet, Role.Kind.SCHOOL_ADMIN, w.school
    ),
    "admin: puppet counselor (portal)": lambda c, w: portal_grant(
        c, w.admin, w.puppet, Role.Kind.COUNSELOR
    ),
    "admin: principal's password": lambda c, w: admin_reset_password(c, w.admin, w.principal),
    "admin: head counselor's password": lambda c, w: admin_reset_password(c, w.admin, w.head),
    "principal: itself head counselor": lambda c, w: portal_grant(
        c, w.principal, w.principal, Role.Kind.COUNSELOR, is_head=True
    ),
    "principal: puppet counselor": lambda c, w: portal_grant(
        c, w.principal, w.puppet, Role.Kind.COUNSELOR
    ),
    "principal: ends the head counselor's role": lambda c, w: as_(c, w.principal).post(
        reverse("counseling:role-end", args=[w.head.roles.get().pk])
    ),
}


@pytest.mark.parametrize("first,second", list(itertools.product(STEPS, repeat=2)))
def test_two_steps_never_open_tier3_to_the_admin(w, client, first, second):
    STEPS[first](client, w)
    STEPS[second](client, w)
    admin = User.objects.get(pk=w.admin.pk)
    assert not access_of(admin).is_counselor
    assert not admin.roles.filter(kind__in=["counselor", "school_admin"]).exists()
    # Neither an account the admin knows the password of, nor one it took over, reads tier 3
    # (an account whose guarded role was ended first is an ordinary account again).
    assert not holds(w.puppet, Role.Kind.COUNSELOR)
    for person in (w.principal, w.head, w.counselor):
        person.refresh_from_db()
        if person.roles.current().filter(kind__in=["counselor", "school_admin"]).exists():
            assert person.password == w.passwords[person.pk]
    assert not holds(w.principal, Role.Kind.COUNSELOR)


def test_the_matrix_can_fail(w, client):
    """Without the rule the matrix's first route opens: the grant goes through."""
    from counseling import permissions

    original = permissions._grant_refusal
    permissions._grant_refusal = lambda access, role, *, new: None
    try:
        portal_grant(client, w.principal, w.principal, Role.Kind.COUNSELOR, is_head=True)
        assert holds(w.principal, Role.Kind.COUNSELOR)
    finally:
        permissions._grant_refusal = original
