"""`manage.py semester_report`: the latest submitted version's stored PDF, a given version,
the draft, and clear errors for an unknown school, semester or version."""

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from reports.semester_report import services
from reports.semester_report.exports import pdf_job
from tests.board_world import NOW, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        world = World(classes=1)
        report = services.start_report(world.counselor, world.semester)
        world.first = services.submit(world.counselor, report.versions.get())
        world.draft = services.revise(world.counselor, report)
    return world


def run(world, tmp_path, *extra, school=None, semester=None):
    out = tmp_path / "report.pdf"
    call_command(
        "semester_report",
        "--school",
        school or str(world.school.pk),
        "--semester",
        semester or world.semester.name,
        "--out",
        str(out),
        *extra,
    )
    return out.read_bytes()


def test_the_latest_submitted_version_is_its_stored_pdf(world, tmp_path):
    stored = pdf_job(world.first)
    assert stored.is_ready
    with stored.file.open("rb") as handle:
        assert run(world, tmp_path, school=world.school.name) == handle.read()
    assert run(world, tmp_path, "--version", "1", semester=str(world.semester.pk)).startswith(
        b"%PDF"
    )


def test_the_draft_is_made_on_the_spot(world, tmp_path):
    assert run(world, tmp_path, "--draft").startswith(b"%PDF")


@pytest.mark.parametrize(
    "args, message",
    [
        ({"school": "没有这个学校"}, "unknown school"),
        ({"semester": "没有这个学期"}, "unknown semester"),
        ({"extra": ["--version", "2"]}, "no submitted version 2"),
        ({"extra": ["--version", "9"]}, "no submitted version 9"),
    ],
)
def test_clear_errors(world, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(
            world,
            tmp_path,
            *args.get("extra", []),
            school=args.get("school"),
            semester=args.get("semester"),
        )
