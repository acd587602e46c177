"""The audit trail: written by the views, searchable by the few, never rewritten."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from counseling import audit
from counseling.audit import AuditEntry
from counseling.models import Department, SchoolClass, Student
from tests.factories import SchoolFactory, StudentFactory
from tests.personas import PASSWORD, PREFIX

Action = AuditEntry.Action


def actor(name):
    """The name the trail keeps for a persona: its username."""
    return PREFIX + name


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).order_by("id")


class TestViewsRecord:
    def test_department_create_update_deactivate_reactivate(self, signed_in_as, world):
        client = signed_in_as("counselor")
        response = client.post(
            reverse("counseling:department-new"), {"name": "新能源科", "code": "NE"}
        )
        assert response.status_code == 302
        department = Department.objects.get(school=world.school, name="新能源科")
        client.post(
            reverse("counseling:department-edit", args=[department.pk]),
            {"name": "新能源汽车科", "code": "NE"},
        )
        toggle = reverse("counseling:department-toggle", args=[department.pk])
        client.post(toggle)
        client.post(toggle)

        entries = list(entries_for(department))
        assert [e.action for e in entries] == [
            Action.CREATE,
            Action.UPDATE,
            Action.DEACTIVATE,
            Action.REACTIVATE,
        ]
        for entry in entries:
            assert entry.actor == world.counselor
            assert entry.actor_name == actor("counselor")
            assert entry.school_id == world.school.pk
            assert entry.ip_address == "127.0.0.1"
        assert entries[1].changes == {"name": ["新能源科", "新能源汽车科"]}
        assert entries[1].object_repr == "新能源汽车科"

    def test_class_and_student(self, signed_in_as, world):
        client = signed_in_as("counselor2")
        department = Department.objects.filter(school=world.school).first()
        response = client.post(
            reverse("counseling:class-new"),
            {"department": department.pk, "name": "2026级新能源1班", "enrolment_year": "2026"},
        )
        assert response.status_code == 302
        cls = SchoolClass.objects.get(department=department, name="2026级新能源1班")
        assert [e.action for e in entries_for(cls)] == [Action.CREATE]
        assert entries_for(cls).get().actor_name == actor("counselor2")

        student = Student.objects.filter(school_class__department=department).first()
        response = client.post(
            reverse("counseling:student-edit", args=[student.pk]),
            {
                "student_number": student.student_number,
                "name": student.name,
                "gender": student.gender,
                "school_class": cls.pk,
                "out_of_town": "on",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        entry = entries_for(student).get()
        assert entry.action == Action.UPDATE
        assert entry.changes["school_class"][1] == "2026级新能源1班"
        assert entry.school_id == world.school.pk

    def test_class_toggle(self, signed_in_as, world):
        cls = SchoolClass.objects.filter(department__school=world.school).first()
        signed_in_as("counselor").post(reverse("counseling:class-toggle", args=[cls.pk]))
        cls.refresh_from_db()
        assert not cls.is_active
        assert entries_for(cls).get().action == Action.DEACTIVATE

    def test_invalid_form_records_nothing(self, signed_in_as, world):
        client = signed_in_as("counselor")
        before = AuditEntry.objects.count()
        taken = Department.objects.filter(school=world.school).first().name
        response = client.post(reverse("counseling:department-new"), {"name": taken})
        assert response.status_code == 200
        assert AuditEntry.objects.count() == before

    def test_refused_request_records_nothing(self, signed_in_as, world):
        client = signed_in_as("principal")
        before = AuditEntry.objects.count()
        department = Department.objects.filter(school=world.school).first()
        response = client.post(reverse("counseling:department-toggle", args=[department.pk]))
        assert response.status_code == 403
        assert AuditEntry.objects.count() == before

    def test_sign_in_and_out(self, client, world):
        client.post(reverse("login"), {"username": world.teacher.username, "password": PASSWORD})
        client.post(reverse("logout"))
        actions = list(
            AuditEntry.objects.filter(actor_name=world.teacher.username)
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [Action.LOGIN, Action.LOGOUT]

    def test_record_without_object_or_actor(self, world):
        from django.contrib.auth.models import AnonymousUser

        entry = audit.record(AnonymousUser(), Action.EXPORT, label="x" * 300, school=world.school)
        assert entry.actor is None and entry.actor_name == ""
        assert len(entry.object_repr) == 200
        assert entry.school_id == world.school.pk


@pytest.fixture
def trail(world, persona):
    """Entries on three days, by two people, in the world's school and in another one: in
    2027, after every other entry of the test database, so that they open the newest-first
    page."""
    counselor, counselor2 = persona("counselor"), persona("counselor2")
    department = Department.objects.filter(school=world.school).order_by("name").first()
    stranger = StudentFactory()
    tz = datetime.timezone(datetime.timedelta(hours=8))
    entries = []
    with time_machine.travel(datetime.datetime(2027, 9, 1, 10, tzinfo=tz), tick=False):
        entries.append(audit.record(counselor, Action.CREATE, department))
    with time_machine.travel(datetime.datetime(2027, 9, 15, 10, tzinfo=tz), tick=False):
        entries.append(audit.record(counselor2, Action.UPDATE, department))
        entries.append(audit.record(counselor, Action.LOGIN, label="counselor"))
        entries.append(audit.record(counselor2, Action.LOGIN, label="counselor2"))
    with time_machine.travel(datetime.datetime(2027, 10, 8, 10, tzinfo=tz), tick=False):
        entries.append(audit.record(counselor2, Action.DEACTIVATE, department))
        entries.append(audit.record(None, Action.UPDATE, stranger))
    return {"department": department, "stranger": stranger, "ids": {e.pk for e in entries}}


def listed(response, trail):
    """(who, action) of the trail's entries on the page, newest first.

    Signing the test client in records a sign-in of its own; it is left out here.
    """
    assert response.status_code == 200
    return [(e.actor_name, e.action) for e in response.context["entries"] if e.pk in trail["ids"]]


class TestAuditPage:
    @pytest.mark.parametrize("username", ["counselor", "admin"])
    def test_visible_to_head_counselor_and_sysadmin(self, signed_in_as, trail, username):
        response = signed_in_as(username).get(reverse("counseling:audit-list"))
        assert response.status_code == 200
        assert trail["department"].name in response.content.decode()

    @pytest.mark.parametrize(
        "username", ["principal", "counselor2", "liaison", "teacher", "member", "student"]
    )
    def test_refused_to_everyone_else(self, signed_in_as, username):
        assert signed_in_as(username).get(reverse("counseling:audit-list")).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client, world):
        response = client.get(reverse("counseling:audit-list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_head_counselor_sees_its_school_and_own_sign_ins(self, signed_in_as, trail):
        rows = listed(signed_in_as("counselor").get(reverse("counseling:audit-list")), trail)
        assert rows == [
            (actor("counselor2"), Action.DEACTIVATE),
            (actor("counselor"), Action.LOGIN),
            (actor("counselor2"), Action.UPDATE),
            (actor("counselor"), Action.CREATE),
        ]
        # Not the other school's entry, nor another person's sign-in.

    def test_sysadmin_sees_everything(self, signed_in_as, trail):
        response = signed_in_as("admin").get(reverse("counseling:audit-list"))
        rows = listed(response, trail)
        assert ("", Action.UPDATE) in rows
        assert (actor("counselor2"), Action.LOGIN) in rows
        assert len(rows) == 6
        assert len(response.context["entries"]) == AuditEntry.objects.count()

    @pytest.mark.parametrize(
        "query, expected",
        [
            (
                {"q": actor("counselor2")},
                [(actor("counselor2"), "deactivate"), (actor("counselor2"), "update")],
            ),
            ({"action": "create"}, [(actor("counselor"), "create")]),
            ({"action": "nonsense"}, None),
            (
                {"since": "2027-09-10"},
                [
                    (actor("counselor2"), "deactivate"),
                    (actor("counselor"), "login"),
                    (actor("counselor2"), "update"),
                ],
            ),
            ({"until": "2027-09-01"}, [(actor("counselor"), "create")]),
            (
                {"since": "2027-09-15", "until": "2027-09-15", "action": "update"},
                [(actor("counselor2"), "update")],
            ),
            ({"since": "not a date"}, None),
        ],
    )
    def test_filters(self, signed_in_as, trail, query, expected):
        client = signed_in_as("counselor")
        everything = listed(client.get(reverse("counseling:audit-list")), trail)
        rows = listed(client.get(reverse("counseling:audit-list"), query), trail)
        assert rows == (everything if expected is None else expected)

    def test_search_by_object(self, signed_in_as, trail):
        department = trail["department"]
        client = signed_in_as("counselor")
        rows = listed(client.get(reverse("counseling:audit-list"), {"q": department.name}), trail)
        assert len(rows) == 3
        rows = listed(
            client.get(reverse("counseling:audit-list"), {"q": str(department.pk)}), trail
        )
        assert len(rows) >= 3


class TestAppendOnly:
    @pytest.fixture
    def entry(self, world, persona):
        return audit.record(persona("counselor"), Action.UPDATE, world.school, changes={"a": 1})

    def test_model_refuses_save_and_delete(self, entry):
        entry.actor_name = "someone else"
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        assert AuditEntry.objects.get(pk=entry.pk).actor_name == actor("counselor")

    def test_database_refuses_update(self, entry):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone else")
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {AuditEntry._meta.db_table} SET actor_name = %s WHERE id = %s",
                    ["someone else", entry.pk],
                )
        assert AuditEntry.objects.get(pk=entry.pk).actor_name == actor("counselor")

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite's test runner needs DELETE"
    )
    def test_database_refuses_delete_on_postgresql(self, entry):
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entry.pk])
        assert AuditEntry.objects.filter(pk=entry.pk).exists()

    def test_admin_cannot_change_or_delete(self, signed_in_as, entry):
        client = signed_in_as("admin")
        assert client.get(reverse("admin:counseling_auditentry_changelist")).status_code == 200
        url = reverse("admin:counseling_auditentry_delete", args=[entry.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        change = reverse("admin:counseling_auditentry_change", args=[entry.pk])
        client.post(change, {"actor_name": "someone else"})
        assert AuditEntry.objects.get(pk=entry.pk).actor_name == actor("counselor")

    @pytest.mark.parametrize("model", ["department", "schoolclass", "student"])
    def test_network_is_never_deleted_from_the_browser(self, signed_in_as, world, model):
        obj = {
            "department": world.dept,
            "schoolclass": world.cls,
            "student": world.students[world.cls.pk][1],
        }[model]
        url = reverse(f"admin:counseling_{model}_delete", args=[obj.pk])
        assert signed_in_as("admin").post(url, {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_entries_of_another_school_are_tagged_with_it(db):
    student = StudentFactory(school_class__department__school=SchoolFactory(name="别的学校"))
    entry = audit.record(None, Action.CREATE, student)
    assert entry.school_id == student.school_id
    entry = audit.record(None, Action.CREATE, student.school_class)
    assert entry.school_id == student.school_id
