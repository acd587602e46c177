"""The network pages: create, edit, deactivate; search and pages; a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counseling.models import Department, SchoolClass, Student
from tests.factories import SchoolClassFactory, StudentFactory

# The world (tests/personas.py): two departments of two classes of five students each.


@pytest.fixture
def client_as(client, world):
    def sign_in(username):
        client.force_login(world.people()[username])
        return client

    return sign_in


@pytest.fixture
def counselor(client_as):
    return client_as("counselor")


@pytest.fixture
def department(world):
    return world.dept


@pytest.fixture
def school_class(world):
    return world.cls


@pytest.fixture
def sixty_classes(world):
    """The world's four classes and 56 more, 28 in each department: three pages of 25."""
    for department in (world.dept, world.other_dept):
        SchoolClassFactory.create_batch(28, department=department)


def form_errors(response):
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors


class TestDepartments:
    def test_create_and_edit(self, counselor, world):
        response = counselor.post(
            reverse("counseling:department-new"), {"name": " 新能源科 ", "code": "NE"}
        )
        department = Department.objects.get(school=world.school, name="新能源科")
        assert response["Location"] == reverse("counseling:department-detail", args=[department.pk])
        response = counselor.post(
            reverse("counseling:department-edit", args=[department.pk]),
            {"name": "新能源汽车科", "code": "NEV"},
        )
        assert response.status_code == 302
        department.refresh_from_db()
        assert (department.name, department.code) == ("新能源汽车科", "NEV")

    def test_duplicate_name_is_a_form_error(self, counselor, world, department):
        before = Department.objects.count()
        response = counselor.post(reverse("counseling:department-new"), {"name": department.name})
        assert "name" in form_errors(response)
        assert Department.objects.count() == before

    def test_renaming_onto_another_is_a_form_error(self, counselor, world, department):
        other = world.other_dept
        response = counselor.post(
            reverse("counseling:department-edit", args=[other.pk]), {"name": department.name}
        )
        assert "name" in form_errors(response)

    def test_empty_and_too_long_names(self, counselor):
        assert "name" in form_errors(
            counselor.post(reverse("counseling:department-new"), {"name": ""})
        )
        assert "name" in form_errors(
            counselor.post(reverse("counseling:department-new"), {"name": "科" * 61})
        )

    def test_deactivate_and_reactivate(self, counselor, department):
        toggle = reverse("counseling:department-toggle", args=[department.pk])
        response = counselor.post(toggle)
        assert response["Location"] == reverse("counseling:department-detail", args=[department.pk])
        department.refresh_from_db()
        assert not department.is_active
        listed = counselor.get(reverse("counseling:department-list")).context["departments"]
        assert department not in listed
        listed = counselor.get(reverse("counseling:department-list"), {"show": "all"}).context[
            "departments"
        ]
        assert department in listed
        # Its classes and students are kept.
        assert department.classes.count() == 2
        counselor.post(toggle)
        department.refresh_from_db()
        assert department.is_active

    def test_list_counts(self, counselor, department):
        response = counselor.get(reverse("counseling:department-list"))
        listed = {d.pk: d for d in response.context["departments"]}
        assert len(listed) == 2
        assert (listed[department.pk].class_count, listed[department.pk].student_count) == (2, 10)
        inactive = department.classes.first()
        inactive.is_active = False
        inactive.save()
        response = counselor.get(reverse("counseling:department-list"))
        listed = {d.pk: d for d in response.context["departments"]}
        assert (listed[department.pk].class_count, listed[department.pk].student_count) == (1, 5)

    def test_detail_lists_its_classes(self, counselor, department):
        response = counselor.get(reverse("counseling:department-detail", args=[department.pk]))
        html = response.content.decode()
        for cls in department.classes.all():
            assert cls.name in html
        assert {c.student_count for c in response.context["classes"]} == {5}


class TestClasses:
    def test_create_and_edit(self, counselor, department, world):
        teacher = world.counselor2
        response = counselor.post(
            reverse("counseling:class-new"),
            {
                "department": department.pk,
                "name": "2026级新能源1班",
                "enrolment_year": "2026",
                "class_teacher": teacher.pk,
                "size": "45",
            },
        )
        cls = SchoolClass.objects.get(department=department, name="2026级新能源1班")
        assert response["Location"] == reverse("counseling:class-detail", args=[cls.pk])
        assert (cls.class_teacher, cls.size, cls.enrolment_year) == (teacher, 45, 2026)
        response = counselor.post(
            reverse("counseling:class-edit", args=[cls.pk]),
            {"department": department.pk, "name": "2026级新能源2班", "enrolment_year": "2026"},
        )
        assert response.status_code == 302
        cls.refresh_from_db()
        assert cls.name == "2026级新能源2班"
        assert cls.class_teacher is None

    def test_new_class_form_preselects_the_department(self, counselor, department):
        response = counselor.get(reverse("counseling:class-new"), {"department": department.pk})
        assert response.context["form"].initial["department"] == str(department.pk)

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"enrolment_year": "abc"}, "enrolment_year"),
            ({"enrolment_year": "1999"}, None),
            ({"enrolment_year": "2101"}, None),
            ({"enrolment_year": "99999"}, None),
            ({"enrolment_year": ""}, "enrolment_year"),
            ({"size": "-3"}, "size"),
            ({"name": ""}, "name"),
            ({"department": "999999"}, "department"),
        ],
    )
    def test_bad_input_is_a_form_error(self, counselor, department, change, field):
        before = SchoolClass.objects.count()
        data = {"department": department.pk, "name": "2026级新能源1班", "enrolment_year": "2026"}
        response = counselor.post(reverse("counseling:class-new"), {**data, **change})
        errors = form_errors(response)
        assert errors
        if field:
            assert field in errors
        assert SchoolClass.objects.count() == before

    def test_duplicate_name_in_department(self, counselor, department, school_class):
        data = {"department": department.pk, "name": school_class.name, "enrolment_year": "2026"}
        assert "name" in form_errors(counselor.post(reverse("counseling:class-new"), data))

    def test_same_name_in_another_department_is_fine(self, counselor, world, school_class):
        other = world.other_dept
        data = {"department": other.pk, "name": school_class.name, "enrolment_year": "2026"}
        assert not SchoolClass.objects.filter(department=other, name=school_class.name).exists()
        assert counselor.post(reverse("counseling:class-new"), data).status_code == 302

    def test_department_of_another_school_is_refused(self, counselor):
        foreign = SchoolClassFactory().department
        data = {"department": foreign.pk, "name": "2026级外校1班", "enrolment_year": "2026"}
        assert "department" in form_errors(counselor.post(reverse("counseling:class-new"), data))

    def test_deactivate_and_reactivate(self, counselor, school_class):
        toggle = reverse("counseling:class-toggle", args=[school_class.pk])
        counselor.post(toggle)
        school_class.refresh_from_db()
        assert not school_class.is_active
        page = counselor.get(reverse("counseling:class-list")).context["page"]
        assert school_class not in page.paginator.object_list
        page = counselor.get(reverse("counseling:class-list"), {"show": "all"}).context["page"]
        assert school_class in page.paginator.object_list
        # The class page still opens and shows its history.
        response = counselor.get(reverse("counseling:class-detail", args=[school_class.pk]))
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 5
        counselor.post(toggle)
        school_class.refresh_from_db()
        assert school_class.is_active

    def test_pagination(self, counselor, sixty_classes):
        url = reverse("counseling:class-list")
        first = counselor.get(url).context["page"]
        assert first.paginator.count == 60
        assert first.paginator.num_pages == 3
        assert len(first) == 25
        last = counselor.get(url, {"page": 3}).context["page"]
        assert len(last) == 10
        assert not {c.pk for c in first} & {c.pk for c in last}
        # Out of range or nonsense gives the last or first page, never an error.
        assert counselor.get(url, {"page": 99}).context["page"].number == 3
        assert counselor.get(url, {"page": "x"}).context["page"].number == 1
        html = counselor.get(url, {"page": 2}).content.decode()
        assert "page=1" in html and "page=3" in html

    def test_pages_are_in_a_stable_order(self, counselor, world, sixty_classes):
        """Every class once, in department, newest year, name order, across the pages."""
        url = reverse("counseling:class-list")
        assert counselor.get(url).context["page"].paginator.object_list.ordered
        seen = []
        for number in (1, 2, 3):
            seen += [c.pk for c in counselor.get(url, {"page": number}).context["page"]]
        expected = SchoolClass.objects.filter(department__school=world.school).order_by(
            "department__name", "-enrolment_year", "name"
        )
        assert seen == list(expected.values_list("pk", flat=True))

    def test_department_pages_are_ordered(self, counselor, world, department):
        departments = counselor.get(reverse("counseling:department-list")).context["departments"]
        assert departments.ordered
        expected = Department.objects.filter(school=world.school).order_by("name")
        assert [d.pk for d in departments] == list(expected.values_list("pk", flat=True))
        url = reverse("counseling:department-detail", args=[department.pk])
        classes = counselor.get(url).context["classes"]
        assert classes.ordered
        expected = department.classes.order_by("-enrolment_year", "name")
        assert [c.pk for c in classes] == list(expected.values_list("pk", flat=True))

    def test_search_keeps_the_query_in_page_links(self, counselor):
        response = counselor.get(reverse("counseling:class-list"), {"q": "科"})
        assert "q=%E7%A7%91" in response.content.decode() or "q=科" in response.content.decode()

    def test_search(self, counselor, world):
        url = reverse("counseling:class-list")
        page = counselor.get(url, {"q": "计算机"}).context["page"]
        assert page.paginator.count == 2  # 2026级 and 2025级计算机1班
        assert all("计算机" in c.name for c in page)
        # A department's name finds its classes too.
        page = counselor.get(url, {"q": "财经商贸"}).context["page"]
        assert page.paginator.count == 2
        assert counselor.get(url, {"q": "没有这个班"}).context["page"].paginator.count == 0

    def test_filter_by_department(self, counselor, department):
        page = counselor.get(
            reverse("counseling:class-list"), {"department": department.pk}
        ).context["page"]
        assert {c.department_id for c in page.paginator.object_list} == {department.pk}
        assert page.paginator.count == 2
        response = counselor.get(reverse("counseling:class-list"), {"department": "abc"})
        assert response.context["page"].paginator.count == 4


class TestRoster:
    def test_roster_and_its_search(self, counselor, school_class):
        url = reverse("counseling:class-detail", args=[school_class.pk])
        response = counselor.get(url)
        assert response.context["page"].paginator.count == 5
        student = school_class.students.order_by("student_number")[3]
        html = response.content.decode()
        assert student.name in html and student.student_number in html
        page = counselor.get(url, {"q": student.student_number}).context["page"]
        assert [s.pk for s in page] == [student.pk]
        page = counselor.get(url, {"q": student.name}).context["page"]
        assert student in page.paginator.object_list

    def test_roster_pages(self, counselor, school_class):
        StudentFactory.create_batch(115, school_class=school_class)
        url = reverse("counseling:class-detail", args=[school_class.pk])
        page = counselor.get(url).context["page"]
        assert (page.paginator.count, page.paginator.num_pages, len(page)) == (120, 2, 60)
        assert len(counselor.get(url, {"page": 2}).context["page"]) == 60

    def test_students_off_the_roster_are_hidden(self, counselor, school_class):
        student = school_class.students.first()
        student.is_active = False
        student.save()
        url = reverse("counseling:class-detail", args=[school_class.pk])
        assert counselor.get(url).context["page"].paginator.count == 4
        page = counselor.get(reverse("counseling:student-list")).context["page"]
        assert page.paginator.count == 19
        page = counselor.get(reverse("counseling:student-list"), {"show": "all"}).context["page"]
        assert page.paginator.count == 20

    def test_student_list_search_and_out_of_town(self, counselor, world):
        for n, student in enumerate(world.students[world.cls_b.pk][:3]):
            student.student_number = f"2025{n:04d}"
            student.out_of_town = n < 2
            student.save()
        StudentFactory.create_batch(40, school_class=world.other_cls)  # 60: three pages of 25
        url = reverse("counseling:student-list")
        page = counselor.get(url, {"q": "2025"}).context["page"]
        assert page.paginator.count == 3
        page = counselor.get(url, {"out_of_town": "1"}).context["page"]
        assert page.paginator.count == 2
        assert all(s.out_of_town for s in page)
        assert counselor.get(url, {"page": 500}).context["page"].number == 3


class TestStudents:
    def data(self, cls, **change):
        return {
            "student_number": "N2026001",
            "name": "钱一",
            "gender": "M",
            "school_class": cls.pk,
            "out_of_town": "on",
            "is_active": "on",
            **change,
        }

    def test_create_and_edit(self, counselor, world, school_class):
        response = counselor.post(reverse("counseling:student-new"), self.data(school_class))
        assert response["Location"] == reverse("counseling:class-detail", args=[school_class.pk])
        student = Student.objects.get(school=world.school, student_number="N2026001")
        assert (student.name, student.gender, student.out_of_town) == ("钱一", "M", True)
        data = self.data(school_class, name="钱壹", gender="F")
        del data["out_of_town"]
        response = counselor.post(reverse("counseling:student-edit", args=[student.pk]), data)
        assert response.status_code == 302
        student.refresh_from_db()
        assert (student.name, student.gender, student.out_of_town) == ("钱壹", "F", False)

    def test_new_student_form_preselects_the_class(self, counselor, school_class):
        response = counselor.get(reverse("counseling:student-new"), {"class": school_class.pk})
        assert response.context["form"].initial["school_class"] == str(school_class.pk)

    def test_duplicate_number_is_a_form_error(self, counselor, world, school_class):
        taken = world.students[world.cls_b.pk][0].student_number
        before = Student.objects.count()
        response = counselor.post(
            reverse("counseling:student-new"), self.data(school_class, student_number=taken)
        )
        assert "student_number" in form_errors(response)
        assert Student.objects.count() == before

    def test_number_taken_in_another_school_is_fine(self, counselor, world, school_class):
        foreign = StudentFactory(student_number="N2026001")
        assert foreign.school != world.school
        response = counselor.post(reverse("counseling:student-new"), self.data(school_class))
        assert response.status_code == 302

    @pytest.mark.parametrize(
        "change, field",
        [
            ({"gender": "X"}, "gender"),
            ({"name": ""}, "name"),
            ({"student_number": ""}, "student_number"),
            ({"school_class": "999999"}, "school_class"),
        ],
    )
    def test_bad_input(self, counselor, school_class, change, field):
        response = counselor.post(
            reverse("counseling:student-new"), self.data(school_class, **change)
        )
        assert field in form_errors(response)

    def test_class_of_another_school_is_refused(self, counselor, school_class):
        foreign = SchoolClassFactory()
        response = counselor.post(
            reverse("counseling:student-new"), self.data(school_class, school_class=foreign.pk)
        )
        assert "school_class" in form_errors(response)


def query_count(client, url):
    client.get(url)  # warm caches (content types, the session) first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


class TestQueryCounts:
    """Pages cost the same number of queries however big the school grows."""

    def test_lists_and_class_page(self, counselor, world, department, school_class):
        urls = [
            reverse("counseling:department-list"),
            reverse("counseling:department-detail", args=[department.pk]),
            reverse("counseling:class-list"),
            reverse("counseling:class-detail", args=[school_class.pk]),
            reverse("counseling:student-list"),
        ]
        before = {url: query_count(counselor, url) for url in urls}

        teacher = world.counselor2
        new_classes = SchoolClassFactory.create_batch(
            40, department=department, class_teacher=teacher
        )
        for cls in new_classes[:10]:
            StudentFactory.create_batch(5, school_class=cls)
        StudentFactory.create_batch(40, school_class=school_class)

        after = {url: query_count(counselor, url) for url in urls}
        assert after == before
        assert max(before.values()) < 20

    @pytest.mark.parametrize("username", ["liaison", "teacher"])
    def test_scoped_users_too(self, client_as, department, school_class, username):
        client = client_as(username)
        url = reverse("counseling:class-list")
        before = query_count(client, url)
        SchoolClassFactory.create_batch(30, department=department)
        assert query_count(client, url) == before
