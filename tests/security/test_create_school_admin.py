"""A school's first school administrator comes from a management command (issue 9,
separation of duties): recorded in the audit trail, refused once the school has one."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from counseling.audit import AuditEntry
from counseling.models import Role
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def create(*args):
    out = io.StringIO()
    call_command("create_school_admin", *args, stdout=out)
    return out.getvalue()


def test_the_first_school_administrator_is_created_and_recorded():
    school = SchoolFactory(name="新建职业学校")
    out = create("--school", school.name, "--username", "new-principal", "--full-name", "周校长")
    user = get_user_model().objects.get(username="new-principal")
    role = Role.objects.get(user=user)
    assert role.kind == Role.Kind.SCHOOL_ADMIN and role.school == school
    assert user.must_change_password and "One-time password:" in out
    password = out.split("One-time password: ")[1].split()[0]
    assert user.check_password(password)
    entry = AuditEntry.objects.filter(school=school, object_id=str(role.pk)).get()
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.changes["by"] == "manage.py create_school_admin"


def test_a_school_with_an_administrator_is_refused(world):
    with pytest.raises(CommandError, match="already has a school administrator"):
        create("--school", str(world.school.pk), "--username", "second", "--full-name", "第二位")
    assert not get_user_model().objects.filter(username="second").exists()


def test_an_unknown_school_or_a_taken_username_is_refused(world):
    with pytest.raises(CommandError, match="No school named"):
        create("--school", "没有这所学校", "--username", "x", "--full-name", "x")
    school = SchoolFactory()
    with pytest.raises(CommandError, match="is taken"):
        create("--school", school.name, "--username", "w-teacher", "--full-name", "x")
    assert not Role.objects.filter(school=school).exists()
