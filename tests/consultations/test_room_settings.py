"""The room's settings page: rooms added and settings changed are saved and audited."""

from django.urls import reverse

from consultations.room.models import Room, RoomSettings
from counseling.audit import AuditEntry


def test_a_room_added_is_logged_as_created(world, client):
    client.force_login(world.counselor)
    response = client.post(reverse("consultations:room-new"), {"name": "二号咨询室"})
    assert response.status_code == 302
    room = Room.objects.get(school=world.school, name="二号咨询室")
    entry = AuditEntry.objects.filter(object_id=str(room.pk)).latest("pk")
    assert entry.action == AuditEntry.Action.CREATE and entry.actor == world.counselor


def test_changed_settings_are_logged_with_what_changed(world, client):
    client.force_login(world.counselor)
    page = client.get(reverse("consultations:settings"))
    assert page.status_code == 200
    data = {
        name: ("" if value is None else value)
        for name, value in page.context["form"].initial.items()
        if name in page.context["form"].fields
    }
    data = {k: v for k, v in data.items() if v is not False}
    data["hotlines"] = "心理援助热线 12356"
    assert client.post(reverse("consultations:settings"), data).status_code == 302
    settings = RoomSettings.for_school(world.school)
    assert settings.hotlines == "心理援助热线 12356"
    entry = AuditEntry.objects.filter(object_id=str(settings.pk)).latest("pk")
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes["hotlines"][1] == "心理援助热线 12356"
