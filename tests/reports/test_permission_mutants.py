"""Who holds each permission behind the semester report's pages, persona by persona.

scripts/mutants.py adds or removes one role from a permission; the pages' tests check a
role or two each, so a role slipped into (or out of) a rule could pass them all. This table
names every persona for every permission it lists: any such change fails here."""

import datetime

import pytest

from lectures.models import Contest, ContestJudge, ThemeEvent, ThemeMonth

EVERY_ADULT = {"admin", "principal", "counselor", "counselor2", "liaison", "teacher", "member"}
READERS_OF_RATES = {"principal", "counselor", "counselor2", "liaison", "teacher"}

HOLDERS = {
    "committees.export_barometers": {"counselor", "counselor2", "liaison"},
    "committees.see_rates": READERS_OF_RATES,
    "committees.see_scorecards": {"counselor", "counselor2"},
    "reports.see_figures": READERS_OF_RATES,
    "reports.see_report": {"principal", "counselor", "counselor2"},
    "reports.write_report": {"counselor", "counselor2"},
    "reports.submit_report": {"counselor"},  # the head counselor
    "lectures.see_events": EVERY_ADULT,
    "consultations.see_everyones_week": {"counselor"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("perm", sorted(HOLDERS))
def test_who_holds_the_permission(world, perm):
    holders = {name for name, user in world.people().items() if user.has_perm(perm)}
    assert holders == HOLDERS[perm]


@pytest.mark.django_db
def test_a_counselor_who_judges_a_contest_sees_no_results(world):
    """The results name the classes; judging is blind, so a judging counselor is left out."""
    month = ThemeMonth.objects.create(
        school=world.school, semester=world.semester, month=datetime.date(2026, 10, 1), theme="主题"
    )
    event = ThemeEvent.objects.create(
        month=month,
        kind=ThemeEvent.Kind.CONTEST,
        title="心理漫画比赛",
        date=datetime.date(2026, 10, 20),
    )
    contest = Contest.objects.create(event=event, entries_close_on=datetime.date(2026, 10, 16))
    ContestJudge.objects.create(contest=contest, judge=world.counselor2)
    holders = {
        name
        for name, user in world.people().items()
        if user.has_perm("lectures.see_contest_results", contest)
    }
    assert holders == {"counselor"}
