"""The semester report's world: the figures' hand-counted school (tests/reports/world.py),
a second counselor who is not the head, a class teacher, and a previous semester."""

import datetime

import time_machine

from counseling.models import Role
from tests.factories import SemesterFactory, UserFactory
from tests.reports.world import NOW, FiguresWorld


class ReportWorld(FiguresWorld):
    def __init__(self):
        super().__init__()
        self.counselor2 = self.user("w-counselor2", Role.Kind.COUNSELOR)
        self.sysadmin = UserFactory(username="w-admin", is_superuser=True, is_staff=True)
        self.class_teacher = self.teacher
        self.stranger = UserFactory(username="w-stranger")
        self.spring = SemesterFactory(
            school=self.school,
            name="上一学期",
            first_monday=datetime.date(2026, 3, 2),
            weeks=20,
        )


def frozen_time():
    """The figures' NOW (week 13), so that every figure is the one counted by hand."""
    return time_machine.travel(NOW, tick=False)
