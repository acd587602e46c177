"""The consultation room's section is gathered when its module exists, and only then."""

from reports.figures import gathering
from reports.figures.base import KEYS


class Semester:
    pk = 1
    school_id = 1


class School:
    pk = 1


def test_gathered_when_the_module_exists(monkeypatch):
    monkeypatch.setattr(gathering, "CONSULTATIONS_MODULE", "tests.reports.fake_consultations")
    (figure,) = gathering.consultation_figures(School(), Semester())
    assert (figure.key, figure.section, figure.value) == ("consultations.cases", "consultations", 2)
    assert figure.display(counselor=False) == "<3"
    assert figure.display(counselor=True) == "2"


def test_nothing_when_it_does_not(monkeypatch):
    monkeypatch.setattr(gathering, "CONSULTATIONS_MODULE", "tests.reports.no_such_module")
    assert gathering.consultation_figures(School(), Semester()) == []
    assert not any(key.startswith("consultations.") for key in KEYS)
