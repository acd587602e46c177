"""Versions: one draft at a time, the head counselor submits, a submitted version is frozen
(refused by the model and by the database), a revision keeps the earlier versions."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from counseling.errors import PortalError
from reports.semester_report import services
from reports.semester_report.models import ReportVersion
from tests.reports.report_world import ReportWorld, frozen_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with frozen_time():
        yield ReportWorld()


@pytest.fixture
def draft(world):
    with frozen_time():
        return services.start_report(world.counselor, world.semester).versions.get()


def test_starting_twice_gives_the_same_report(world, draft):
    with frozen_time():
        again = services.start_report(world.counselor2, world.semester)
    assert again.pk == draft.report_id and again.versions.count() == 1


def test_only_counselors_start_and_write(world, draft):
    for user in (world.principal, world.liaison, world.sysadmin):
        with pytest.raises(PortalError):
            services.start_report(user, world.semester)
        with pytest.raises(PortalError):
            services.save_section(user, draft, 0, "x", "y")
    services.save_section(world.counselor2, draft, 0, "概述", "二号辅导老师写的")
    draft.refresh_from_db()
    assert draft.sections[0]["body"] == "二号辅导老师写的"


def test_only_the_head_counselor_submits(world, draft):
    for user in (world.counselor2, world.principal, world.sysadmin):
        with pytest.raises(PortalError) as refused:
            services.submit(user, draft)
        assert refused.value.code == "not_head"
    with frozen_time():
        version = services.submit(world.counselor, draft)
    assert version.status == "submitted" and version.figures["figures"]
    assert version.submitted_by == world.counselor


def test_a_submitted_version_is_frozen_in_the_model_and_the_database(world, draft):
    with frozen_time():
        version = services.submit(world.counselor, draft)
    with pytest.raises(PortalError):
        services.save_section(world.counselor, version, 0, "改", "改")
    version.title = "改过的标题"
    with pytest.raises(PortalError):
        version.save()
    with pytest.raises(PortalError):
        version.delete()
    with pytest.raises(PortalError):
        services.submit(world.counselor, version)
    # Below the application: the trigger of migration reports 0003.
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(title="改过的标题")
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(sections=[])
    version.refresh_from_db()
    assert version.title != "改过的标题" and len(version.sections) == 6


def test_a_revision_is_a_new_draft_and_the_earlier_version_stays(world, draft):
    services.save_section(world.counselor, draft, 0, "概述", "第一版")
    with frozen_time():
        first = services.submit(world.counselor, draft)
    second = services.revise(world.counselor2, first.report)
    assert (second.number, second.status) == (2, "draft")
    assert services.revise(world.counselor, first.report).pk == second.pk  # one draft
    services.save_section(world.counselor, second, 0, "概述", "第二版")
    first.refresh_from_db()
    assert first.sections[0]["body"] == "第一版" and first.status == "submitted"
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportVersion.objects.create(report=first.report, number=3, title="x")


def test_the_previous_semesters_submitted_figures_are_found(world, draft):
    assert services.previous_submitted(draft.report) is None
    with frozen_time():
        spring = services.start_report(world.counselor, world.spring).versions.get()
        assert services.previous_submitted(draft.report) is None  # a draft is not enough
        services.submit(world.counselor, spring)
    assert services.previous_submitted(draft.report).pk == spring.pk
