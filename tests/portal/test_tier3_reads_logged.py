"""Every read of tier 3 is in the audit trail, which holds no tier 3 itself and cannot be
rewritten."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from committees.barometer import services as barometer_services
from committees.models import (
    Alert,
    TalkTask,
)
from counseling.audit import AuditEntry
from tests.exports.flow import ask
from tests.portal.tier3 import (
    NOTE_FOLLOW_UP,
    NOTES,
    Action,
    text_of,
)

# --- 4. The audit trail --------------------------------------------------------------------


def _reads(user, obj, action=Action.READ):
    return AuditEntry.objects.filter(
        actor=user,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
    )


def test_every_tier3_read_is_logged(world, client):
    before = timezone.now()
    counselor = world.user("counselor2")
    client.force_login(counselor)
    client.get(reverse("committees:barometer-detail", args=[world.concern_barometer.pk]))
    assert _reads(counselor, world.concern_barometer).get().changes["students_of_concern"] >= 1
    client.get(reverse("committees:alert-detail", args=[world.immediate_alert.pk]))
    assert _reads(counselor, world.immediate_alert).count() == 1
    # An alert that names nobody still shows its follow-up log: that read is logged too.
    storm = Alert.objects.filter(school=world.school, student_ref="").first()
    barometer_services.follow_up(storm, world.counselor, NOTE_FOLLOW_UP)
    page = text_of(client.get(reverse("committees:alert-detail", args=[storm.pk])))
    assert NOTE_FOLLOW_UP in page
    assert _reads(counselor, storm).count() == 1
    ask(client, reverse("committees:barometer-export"), {"sensitive": "1"})
    assert _reads(counselor, world.semester, Action.EXPORT).get().changes == {"sensitive": True}
    # The member's talk tasks name the classmate: each shown task is a logged read.
    client.force_login(world.member)
    open_tasks = TalkTask.objects.filter(member=world.member_row, done_at__isnull=True)
    assert open_tasks.exists()
    client.get(reverse("committees:talk-tasks"))
    for task in open_tasks:
        assert _reads(world.member, task.alert).exists()
    entries = AuditEntry.objects.filter(at__gte=before, action__in=[Action.READ, Action.EXPORT])
    assert entries.count() >= 5
    for entry in entries:
        assert entry.actor_name and entry.at and entry.school_id == world.school.pk
    # Pages without tier 3 log nothing.
    client.force_login(world.user("principal"))
    client.get(reverse("committees:barometer-detail", args=[world.concern_barometer.pk]))
    assert not AuditEntry.objects.filter(actor__username="principal", action=Action.READ)


def test_the_audit_trail_holds_no_tier3_and_cannot_be_rewritten(world, client):
    from django.db import DatabaseError, transaction

    client.force_login(world.counselor)
    client.get(reverse("committees:alert-detail", args=[world.immediate_alert.pk]))
    secret = list(world.names.values()) + NOTES
    for entry in AuditEntry.objects.all():
        text = entry.object_repr + json.dumps(entry.changes, ensure_ascii=False)
        assert not any(s in text for s in secret), (entry.action, text)
    entry = _reads(world.counselor, world.immediate_alert).latest("pk")
    entry.actor_name = "someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="someone else")
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == world.counselor.username
