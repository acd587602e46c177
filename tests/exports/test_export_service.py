"""The export service: one job per identical request, queued on commit, done once when its
task is delivered twice, retried after a failure, and the download checked again."""

import io

import openpyxl
import pytest
from django.test import TestCase
from django.urls import reverse

from counseling.errors import PortalError
from counseling.exports import Exporter, register_exporter
from counseling.exports.models import ExportJob
from counseling.exports.services import request_export
from counseling.exports.tasks import run_export
from counseling.exports.worker import run
from tests.board_world import NOW, World
from tests.exports.flow import download
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "committees.register"
BUILDS = []


def _build(job):
    BUILDS.append(job.pk)
    if job.params.get("fail"):
        raise RuntimeError("the disk is full")
    return f"made for {job.params}".encode(), ".txt"


register_exporter(
    Exporter(
        key="tests.counter",
        label="counter",
        build=_build,
        allows=lambda user, params: user.username.startswith("w-counselor"),
        school_of=lambda params: World.last.school,
        filename=lambda params: "counter",
    )
)


@pytest.fixture
def world():
    import time_machine

    with time_machine.travel(NOW, tick=False):
        world = World(classes=3)
    World.last = world
    BUILDS.clear()
    for n, cls in enumerate(world.classes):
        world.file(cls, 1 + n, note=f"第{n}周的记录")
    return world


def test_the_task_is_queued_on_commit_not_before(world):
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        job = request_export(world.counselor, "tests.counter", {"n": 1})
    assert len(callbacks) == 1 and BUILDS == []
    assert job.status == ExportJob.Status.PENDING
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and BUILDS == [job.pk]


def test_identical_requests_make_one_job_and_one_file(world):
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = request_export(world.counselor, "tests.counter", {"n": 1})
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        second = request_export(world.counselor, "tests.counter", {"n": 1})
    assert first.pk == second.pk and callbacks == [] and BUILDS == [first.pk]
    with TestCase.captureOnCommitCallbacks(execute=True):
        other = request_export(world.counselor, "tests.counter", {"n": 2})
    assert other.pk != first.pk


def test_a_task_delivered_twice_makes_the_file_once(world):
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = request_export(world.counselor, "tests.counter", {"n": 1})
    run_export.apply(args=[job.pk])
    job.refresh_from_db()
    name = job.file.name
    run_export.apply(args=[job.pk])
    job.refresh_from_db()
    assert BUILDS == [job.pk] and job.attempts == 1 and job.file.name == name
    assert run(job.pk) is False


def test_a_job_left_running_by_a_dead_worker_is_made_by_the_next_delivery(world):
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = request_export(world.counselor, "tests.counter", {"n": 1})
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, attempts=1)
    run_export.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2


def test_a_failure_is_recorded_and_asking_again_retries(world):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = request_export(world.counselor, "tests.counter", {"fail": True})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "disk is full" in job.error
    assert not job.file
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        again = request_export(world.counselor, "tests.counter", {"fail": True})
    assert again.pk == job.pk and len(callbacks) == 1 and BUILDS == [job.pk, job.pk]


def test_a_person_the_exporter_refuses_cannot_ask(world):
    with pytest.raises(PortalError) as refused:
        request_export(world.principal, "tests.counter", {"n": 1})
    assert refused.value.code == "export_forbidden"
    assert not ExportJob.objects.filter(school=world.school).exists()


def test_the_download_is_checked_again_and_only_for_the_asker(world, client):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = request_export(world.counselor, "tests.counter", {"n": 1})
    url = reverse("exports:download", args=[job.pk])
    client.force_login(world.counselor)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"made")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    job.refresh_from_db()
    assert job.file.name.startswith("exports/") and "counter" not in job.file.name
    # Another counselor of the school: not its job (the content depends on who asked).
    other = world.user("w-counselor-b", "counselor")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404
    # The asker loses the right: refused at download although the file exists.
    client.force_login(world.counselor)
    world.counselor.username = "no-longer"
    world.counselor.save()
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(username="w-counselor-stranger"))
    assert client.get(url).status_code == 404


def test_the_page_polls_from_a_static_script_and_offers_the_download(world, client):
    with TestCase.captureOnCommitCallbacks(execute=False):
        job = request_export(world.counselor, "tests.counter", {"n": 1})
    client.force_login(world.counselor)
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert 'src="/static/js/export-job.js"' in page and "<script>" not in page
    assert 'data-status="pending"' in page and "/download/" not in page
    status = client.get(reverse("exports:job-status", args=[job.pk])).json()
    assert status == {"status": "pending", "ready": False}
    run(job.pk)
    page = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert f"/exports/{job.pk}/download/" in page
    assert client.get(reverse("exports:job-status", args=[job.pk])).json()["ready"] is True


def test_the_register_through_the_job_opens_in_openpyxl(world, client):
    client.force_login(world.counselor)
    url = reverse("committees:barometer-export")
    assert client.get(url, {"semester": world.semester.pk}).status_code == 200  # the form
    assert not ExportJob.objects.filter(school=world.school).exists()  # a GET makes nothing
    response = download(client, url, {"semester": world.semester.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    assert {r[1] for r in rows} == {c.name for c in world.classes}
    assert "第0周的记录" in {r[-6] for r in rows} | {c for r in rows for c in r}
    job = ExportJob.objects.get(school=world.school)
    assert job.exporter == REGISTER and job.requested_by == world.counselor
    client.force_login(world.liaison)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_register_streams_through_the_portals_own_writer(world):
    """Not an openpyxl workbook held in memory: rows go to the file as they are made
    (counseling.xlsx.Book), and the worker gets the file's bytes."""
    from committees.barometer.exports import build_register, header

    data = build_register(world.counselor, world.semester, False)
    assert isinstance(data, bytes)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == header(False)


def test_a_job_never_queued_is_queued_again_when_asked_after_a_while(world):
    import datetime

    from django.utils import timezone

    with TestCase.captureOnCommitCallbacks(execute=False):
        job = request_export(world.counselor, "tests.counter", {"n": 1})
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        request_export(world.counselor, "tests.counter", {"n": 1})
    assert callbacks == []  # still young: its task may be on its way
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10),
        queued_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        request_export(world.counselor, "tests.counter", {"n": 1})
    job.refresh_from_db()
    assert len(callbacks) == 1 and job.status == ExportJob.Status.DONE
