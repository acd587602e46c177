"""Each role and the report's pages: counselors write and preview, the head counselor
submits, the school administrator reads and downloads the submitted versions only, and
the system administrator, a liaison, a class teacher and strangers see nothing."""

import pytest
import time_machine
from django.test import TestCase
from django.urls import reverse

from counseling.models import Role
from reports.semester_report import services
from tests.board_world import NOW, World
from tests.exports.flow import download
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        world = World(classes=2)
        world.counselor2 = world.user("w-counselor2", Role.Kind.COUNSELOR)
        world.sysadmin = UserFactory(username="w-admin", is_superuser=True, is_staff=True)
        world.stranger = UserFactory(username="w-stranger")
        report = services.start_report(world.counselor, world.semester)
        first = report.versions.get()
        services.save_section(world.counselor, first, 0, "工作概述", "第一版的文字")
        world.submitted = services.submit(world.counselor, first)
        world.draft = services.revise(world.counselor, report)
        services.save_section(world.counselor, world.draft, 0, "工作概述", "草稿里的文字")
    return world


def pages(version):
    return [
        reverse("reports:report-version", args=[version.pk]),
        reverse("reports:report-preview", args=[version.pk]),
    ]


def test_counselors_read_every_version_and_write_the_draft(world, client):
    client.force_login(world.counselor2)
    home = client.get(reverse("reports:report"), {"semester": world.semester.pk})
    assert home.status_code == 200 and home.content.decode().count("report-version") >= 0
    for url in pages(world.draft) + pages(world.submitted):
        assert client.get(url).status_code == 200, url
    assert "草稿里的文字" in client.get(pages(world.draft)[1]).content.decode()
    section = reverse("reports:report-section", args=[world.draft.pk, 0])
    response = client.post(section, {"heading": "工作概述", "body": "改了〔lectures.sessions〕"})
    assert response.status_code == 302
    response = client.post(section, {"heading": "工作概述", "body": "错了〔不存在的数字〕"})
    assert response.status_code == 200 and "〔不存在的数字〕" in response.content.decode()
    # Not the submitted one, and not the submission.
    frozen = reverse("reports:report-section", args=[world.submitted.pk, 0])
    assert client.get(frozen).status_code == 403
    assert client.post(reverse("reports:report-submit", args=[world.draft.pk])).status_code == 403
    world.draft.refresh_from_db()
    assert world.draft.is_draft


def test_the_head_counselor_submits(world, client):
    client.force_login(world.counselor)
    page = client.get(pages(world.draft)[0]).content.decode()
    assert 'id="report-submit"' in page
    response = client.post(reverse("reports:report-submit", args=[world.draft.pk]))
    assert response.status_code == 302
    world.draft.refresh_from_db()
    assert world.draft.status == "submitted"


def test_the_school_administrator_reads_and_downloads_submitted_versions_only(world, client):
    client.force_login(world.principal)
    home = client.get(reverse("reports:report"), {"semester": world.semester.pk}).content.decode()
    assert reverse("reports:report-version", args=[world.submitted.pk]) in home
    assert reverse("reports:report-version", args=[world.draft.pk]) not in home
    for url in pages(world.submitted):
        assert client.get(url).status_code == 200
    page = client.get(pages(world.submitted)[0]).content.decode()
    assert "第一版的文字" in page and 'id="edit-section-0"' not in page
    assert 'id="report-submit"' not in page and 'id="report-revise"' not in page
    for url in pages(world.draft):
        assert client.get(url).status_code == 404
    response = download(client, reverse("reports:report-export", args=[world.submitted.pk, "pdf"]))
    assert response.status_code == 200 and response.body.startswith(b"%PDF")
    assert (
        client.post(reverse("reports:report-export", args=[world.draft.pk, "pdf"])).status_code
        == 404
    )
    assert (
        client.post(reverse("reports:report-revise", args=[world.submitted.pk])).status_code == 403
    )


@pytest.mark.parametrize("who", ["sysadmin", "liaison", "teacher", "stranger"])
def test_others_see_nothing(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("reports:report"), {"semester": world.semester.pk}).status_code in (
        403,
        404,
    )
    for version in (world.draft, world.submitted):
        for url in pages(version):
            assert client.get(url).status_code in (403, 404), url
        export = reverse("reports:report-export", args=[version.pk, "pdf"])
        assert client.post(export).status_code in (403, 404)


def test_a_shared_pdf_job_is_downloaded_by_the_principal_too(world, client):
    from reports.semester_report.exports import pdf_job

    job = pdf_job(world.submitted)
    assert job is not None and job.requested_by == world.counselor
    client.force_login(world.principal)
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 200
    client.force_login(world.sysadmin)
    assert client.get(reverse("exports:job", args=[job.pk])).status_code == 404
