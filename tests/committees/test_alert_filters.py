"""The alert list's filter form: what the query string asks for, and refused values
ignored as if absent (an old or hand-edited link still lists)."""

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from committees.barometer.forms import AlertFilterForm


def _context(query):
    return AlertFilterForm(QueryDict(query), user=AnonymousUser()).context()


def test_without_parameters_the_open_and_followed_alerts_are_listed():
    chosen = _context("")
    assert (chosen["status"], chosen["grade"], chosen["rule"]) == ("active", "", "")
    assert (chosen["class_id"], chosen["year"]) == (None, None)


def test_the_chosen_filters_are_read():
    chosen = _context("status=closed&grade=red&rule=storm&class=12&year=2025")
    assert chosen["status"] == "closed"
    assert (chosen["grade"], chosen["rule"]) == ("red", "storm")
    assert (chosen["class_id"], chosen["year"]) == (12, 2025)


def test_refused_values_are_ignored_one_by_one():
    chosen = _context("status=gone&grade=purple&rule=storm&class=-3&year=abc")
    assert (chosen["status"], chosen["grade"], chosen["rule"]) == ("active", "", "storm")
    assert (chosen["class_id"], chosen["year"]) == (None, None)


def test_a_class_id_too_large_for_the_database_is_refused_not_a_500():
    assert _context("class=99999999999999999999")["class_id"] is None


def test_the_status_choices_are_the_ones_the_page_offers():
    statuses = [value for value, _label in _context("")["statuses"]]
    assert statuses == ["active", "open", "following", "closed", "all"]
