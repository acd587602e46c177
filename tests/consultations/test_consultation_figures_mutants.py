"""Consultation figures that scripts/mutants.py found no test holding: each test here fails
when its rule is bent (the mutant named in its docstring)."""

import datetime

import pytest
from django.utils import timezone

from consultations import figures
from consultations.cases import services
from consultations.cases.models import Risk
from consultations.letters import services as letters
from consultations.letters.models import Letter
from tests.consultations.case_world import World

pytestmark = pytest.mark.django_db


def _values(world):
    return {f["key"]: f["value"] for f in figures.semester_figures(world.school, world.semester)}


def test_a_case_closed_at_the_rating_it_opened_with_is_not_better():
    """closed-cases-rated-better: better means a higher rating at closing, not an equal one."""
    world = World()
    case = world.case(risk=Risk.YELLOW, rating=5)
    services.close_case(case, world.counselor, outcome="稳定", rating=5, risk=Risk.NONE)
    v = _values(world)
    assert v["consultations.rating_better"] == 0
    assert v["consultations.rating_same"] == 1


def test_a_letter_of_the_semesters_last_day_counts_in_the_semester():
    """the-semester-ends-after-its-last-day: the last day is the semester's until midnight."""
    world = World()
    letter, _code = letters.write_letter(world.school, "期末最后一天")
    last_noon = datetime.datetime.combine(
        world.semester.last_day, datetime.time(12), tzinfo=timezone.get_current_timezone()
    )
    Letter.objects.filter(pk=letter.pk).update(received_at=last_noon)
    assert _values(world)["consultations.letters_received"] == 1
