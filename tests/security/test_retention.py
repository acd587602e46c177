"""Retention: a period per data class, purge_expired removes what is past it, with a dry run."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from counseling import audit, retention
from counseling.audit import AuditEntry
from lectures.models import Feedback
from tests.factories import UserFactory
from tests.security.test_feedback_ballots import held_session


def feedback(session, days_old, n):
    row = Feedback.objects.create(lecture_session=session, satisfaction=4, device=f"{n:064d}")
    Feedback.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_old)
    )
    return row


def test_every_data_class_is_registered():
    assert {"audit", "barometers", "concerns", "alerts", "feedback"} <= set(retention.REGISTRY)


@pytest.mark.django_db
def test_old_feedback_is_removed_and_recent_kept(settings):
    settings.RETENTION_DAYS = {"feedback": 30}
    session = held_session(days_ago=0)
    old, recent = feedback(session, 31, 1), feedback(session, 29, 2)
    assert retention.purge_expired(dry_run=True, only=["feedback"])["feedback"] >= 1
    assert Feedback.objects.filter(pk=old.pk).exists()  # a dry run changes nothing
    call_command("purge_expired", "--only", "feedback", verbosity=0)
    assert not Feedback.objects.filter(pk=old.pk).exists()
    assert Feedback.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_audit_is_kept_at_least_180_days_and_never_deleted_by_the_application(settings):
    settings.RETENTION_DAYS = {"audit": 30}
    with pytest.raises(ImproperlyConfigured):
        retention.period("audit")
    settings.RETENTION_DAYS = {"audit": 180}
    entry = audit.record(UserFactory(), AuditEntry.Action.LOGIN, label="x")
    later = timezone.now() + datetime.timedelta(days=400)
    counted = retention.purge_expired(now=later, only=["audit"])["audit"]
    assert counted >= 1
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
