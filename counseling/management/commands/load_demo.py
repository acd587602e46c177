"""Load a demo school modelled on the seed reports; running it again changes nothing.

A 职教中心 with six departments, 60 classes and 3,000 students (1,200 of them new), the
current semester with its holidays, and one account per role, all with the password
demo12345 (listed in the README).
"""

import datetime
import random
from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from counseling.models import (
    Department,
    Role,
    School,
    SchoolClass,
    Semester,
    SemesterBreak,
    Student,
)

DEMO_PASSWORD = "demo12345"
SCHOOL_NAME = "示范市职业教育中心"

# Department → majors; each department has 4 new classes, 3 second-year and 3 third-year.
DEPARTMENTS = [
    ("信息技术科", "IT", ["计算机应用", "电子商务"]),
    ("机电技术科", "ME", ["机电技术", "数控技术"]),
    ("财经商贸科", "FB", ["会计", "市场营销"]),
    ("旅游服务科", "TS", ["酒店服务", "旅游管理"]),
    ("汽车运用科", "AU", ["汽车运用与维修", "汽车营销"]),
    ("学前教育科", "PE", ["学前教育", "幼儿保育"]),
]
CLASSES_PER_YEAR = {2026: 4, 2025: 3, 2024: 3}
STUDENTS_PER_CLASS = 50

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"


def person_name(rng, given_names=GIVEN):
    """A made-up Chinese name: a surname and one or two given characters. The bench data
    draws from its own given names, so that its schools stay the ones it always built."""
    given = rng.choice(given_names) + (rng.choice(given_names) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


PEOPLE = {
    "principal": "周校长",
    "counselor": "林老师",
    "counselor2": "陈老师",
    "counselor3": "赵老师",
    "liaison": "王主任",
}


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        with transaction.atomic():
            school, created = School.objects.get_or_create(
                name=SCHOOL_NAME, defaults={"short_name": "示范职教中心"}
            )
            if created:
                self.load(school)
            # Each feature app adds its part (its `demo.load(school)`) and skips what it has.
            for module in self.app_demos():
                module.load(school)
        if created:
            self.stdout.write(
                self.style.SUCCESS("Demo school loaded. Password for every demo account: demo12345")
            )
        else:
            self.stdout.write("Demo school already present.")

    @staticmethod
    def app_demos():
        for config in apps.get_app_configs():
            if config.name == "counseling":
                continue
            # An app's `demo` calls its features' demos; an app without one has none.
            try:
                yield import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise

    def load(self, school):
        User = get_user_model()
        rng = random.Random(2026)
        password = make_password(DEMO_PASSWORD)

        def user(username, full_name, **extra):
            return User.objects.create(
                username=username, full_name=full_name, password=password, **extra
            )

        self.load_semesters(school)

        classes = []
        for dept_name, code, majors in DEPARTMENTS:
            dept = Department.objects.create(school=school, name=dept_name, code=code)
            for year, count in CLASSES_PER_YEAR.items():
                for i in range(count):
                    major = majors[i % len(majors)]
                    name = f"{year}级{major}{i // len(majors) + 1}班"
                    classes.append(
                        SchoolClass(department=dept, name=name, enrolment_year=year, size=50)
                    )
        SchoolClass.objects.bulk_create(classes)
        classes = list(
            SchoolClass.objects.filter(department__school=school).select_related("department")
        )
        classes.sort(key=lambda c: c.pk)  # creation order: departments as listed above

        # Class teachers: one account each; `teacher` teaches the first class of 信息技术科.
        teachers = [
            User(
                username="teacher" if n == 0 else f"teacher{n + 1:02d}",
                full_name=self.name(rng) + "老师",
                password=password,
                # Made-up numbers, for the alert page's "call the class teacher".
                phone=f"13900{n + 1:06d}",
            )
            for n in range(len(classes))
        ]
        User.objects.bulk_create(teachers)
        teachers = {u.username: u for u in User.objects.filter(username__startswith="teacher")}
        for n, cls in enumerate(classes):
            cls.class_teacher = teachers["teacher" if n == 0 else f"teacher{n + 1:02d}"]
        SchoolClass.objects.bulk_update(classes, ["class_teacher"])

        students = []
        for n, cls in enumerate(classes):
            for k in range(STUDENTS_PER_CLASS):
                students.append(
                    Student(
                        school=school,
                        school_class=cls,
                        student_number=f"{cls.enrolment_year}{n + 1:02d}{k + 1:02d}",
                        name=self.name(rng),
                        gender=rng.choice("MF"),
                        out_of_town=rng.random() < 0.3,
                    )
                )
        Student.objects.bulk_create(students, batch_size=1000)

        principal = user("principal", PEOPLE["principal"])
        Role.objects.create(user=principal, kind=Role.Kind.SCHOOL_ADMIN, school=school)
        for username in ("counselor", "counselor2", "counselor3"):
            Role.objects.create(
                user=user(username, PEOPLE[username]),
                kind=Role.Kind.COUNSELOR,
                school=school,
                is_head=username == "counselor",
            )
        liaison = user("liaison", PEOPLE["liaison"])
        Role.objects.create(
            user=liaison, kind=Role.Kind.LIAISON, school=school, department=classes[0].department
        )
        User.objects.create_superuser(
            "admin", "admin@example.com", DEMO_PASSWORD, full_name="系统管理员"
        )

        # One committee member per class: a student of the class with an account.
        # `member` serves in `teacher`'s class.
        first_students = {}
        for student in Student.objects.filter(school=school).order_by("student_number"):
            first_students.setdefault(student.school_class_id, student)
        for n, cls in enumerate(classes):
            student = first_students[cls.pk]
            account = user("member" if n == 0 else f"member{n + 1:02d}", student.name)
            student.user = account
            student.save(update_fields=["user"])
            Role.objects.create(
                user=account, kind=Role.Kind.COMMITTEE_MEMBER, school=school, school_class=cls
            )

        # `student`: an out-of-town first-year in another class of the same department.
        pupil = Student.objects.filter(school_class=classes[1]).order_by("student_number")[5]
        pupil.out_of_town = True
        pupil.user = user("student", pupil.name)
        pupil.save(update_fields=["out_of_town", "user"])
        Role.objects.create(
            user=pupil.user, kind=Role.Kind.STUDENT, school=school, school_class=classes[1]
        )

    @staticmethod
    def name(rng):
        return person_name(rng)

    @staticmethod
    def load_semesters(school):
        spring = Semester.objects.create(
            school=school,
            name="2025-2026学年第二学期",
            first_monday=datetime.date(2026, 3, 2),
            weeks=20,
        )
        SemesterBreak.objects.create(semester=spring, name="劳动节", first_week=10, last_week=10)
        SemesterBreak.objects.create(
            semester=spring,
            name="期末考试",
            kind=SemesterBreak.Kind.EXAMS,
            first_week=20,
            last_week=20,
        )
        autumn = Semester.objects.create(
            school=school,
            name="2026-2027学年第一学期",
            first_monday=datetime.date(2026, 8, 31),
            weeks=20,
        )
        SemesterBreak.objects.create(semester=autumn, name="国庆节", first_week=5, last_week=5)
        SemesterBreak.objects.create(
            semester=autumn,
            name="期末考试",
            kind=SemesterBreak.Kind.EXAMS,
            first_week=20,
            last_week=20,
        )
