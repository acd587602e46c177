"""counseling.audit.save_form: save a ModelForm and log it as one action."""

import pytest
from django import forms

from counseling import audit
from counseling.audit import AuditEntry
from counseling.models import Department


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code"]


def entries_of(obj):
    return AuditEntry.objects.filter(object_id=str(obj.pk), object_repr=str(obj)).order_by("pk")


def test_a_new_object_is_logged_as_created_with_its_fields(world):
    form = DepartmentForm(
        {"name": "测试新科", "code": "ME"}, instance=Department(school=world.school)
    )
    assert form.is_valid()
    department = audit.save_form(form, world.counselor)
    assert department.pk
    (entry,) = entries_of(department)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == world.counselor and entry.school_id == world.school.pk
    assert entry.changes["name"] == ["", "测试新科"]


def test_an_edit_is_logged_as_changed_with_only_what_changed(world):
    form = DepartmentForm({"name": world.dept.name, "code": "IT2"}, instance=world.dept)
    assert form.is_valid()
    audit.save_form(form, world.counselor)
    entry = AuditEntry.objects.filter(object_id=str(world.dept.pk)).latest("pk")
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes == {"code": ["IT", "IT2"]}


def test_given_changes_replace_the_forms(world):
    form = DepartmentForm({"name": world.dept.name, "code": "X"}, instance=world.dept)
    assert form.is_valid()
    audit.save_form(form, world.counselor, changes={"code": ["***", "***"]})
    entry = AuditEntry.objects.filter(object_id=str(world.dept.pk)).latest("pk")
    assert entry.changes == {"code": ["***", "***"]}


def test_no_entry_no_save(world, monkeypatch):
    """One transaction: when the entry cannot be written, the object is not saved either."""

    def refuse(entry):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(audit, "_append", refuse)
    form = DepartmentForm(
        {"name": "测试新科", "code": "ME"}, instance=Department(school=world.school)
    )
    assert form.is_valid()
    with pytest.raises(RuntimeError):
        audit.save_form(form, world.counselor)
    assert not Department.objects.filter(school=world.school, name="测试新科").exists()
