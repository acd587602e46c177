"""Session notes: drafted, signed, then changed only by an amendment (service, model, DB)."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from consultations.cases import services
from consultations.cases.models import NoteRevision, SessionNote
from counseling.errors import PortalError
from tests.consultations.case_world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_draft_is_edited_then_signed(world):
    case = world.case()
    note = services.add_note(case, world.counselor, "第一次面谈")
    services.edit_draft(note, world.counselor, "第一次面谈：情绪低落")
    note = services.sign_note(note, world.counselor)
    assert note.signed_at is not None
    with pytest.raises(PortalError) as refused:
        services.edit_draft(note, world.counselor, "改掉")
    assert refused.value.code == "signed"
    with pytest.raises(PortalError):
        services.sign_note(note, world.counselor)


def test_signed_note_changes_only_by_an_amendment(world):
    case = world.case()
    note = services.sign_note(services.add_note(case, world.counselor, "原文"), world.counselor)
    revision = services.amend_note(note, world.counselor, "补充：已联系家长", "漏记")
    assert NoteRevision.objects.get(pk=revision.pk).note == note
    note.refresh_from_db()
    assert note.body == "原文"
    # The model refuses a save of a signed note...
    note.body = "偷偷改掉"
    with pytest.raises(PermissionError):
        note.save()
    # ...and the database refuses an UPDATE that goes around the model.
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).update(body="绕过模型")
    with connection.cursor() as cursor:
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            cursor.execute(
                "UPDATE consultations_sessionnote SET kind='other' WHERE id=%s", [note.pk]
            )
    assert SessionNote.objects.get(pk=note.pk).body == "原文"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the setting is PostgreSQL's")
def test_key_rotation_lets_only_the_ciphertext_change(world):
    """rotate_encryption_key's transaction-local setting re-encrypts a signed note's body;
    it changes nothing else, deletes nothing, and is off unless the command sets it."""
    note = services.sign_note(
        services.add_note(world.case(), world.counselor, "原文"), world.counselor
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM consultations_sessionnote WHERE id=%s", [note.pk])
        (token,) = cursor.fetchone()
        with transaction.atomic():
            cursor.execute("SET LOCAL counseling.rotating_keys = 'on'")
            cursor.execute(
                "UPDATE consultations_sessionnote SET body=%s WHERE id=%s", [token, note.pk]
            )
            for sql in (
                "UPDATE consultations_sessionnote SET kind='other' WHERE id=%s",
                "UPDATE consultations_sessionnote SET signed_at=NULL WHERE id=%s",
                "DELETE FROM consultations_sessionnote WHERE id=%s",
            ):
                with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
                    cursor.execute(sql, [note.pk])
            cursor.execute("SET LOCAL counseling.rotating_keys = 'off'")
            with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
                cursor.execute(
                    "UPDATE consultations_sessionnote SET body=%s WHERE id=%s", [token, note.pk]
                )
    assert SessionNote.objects.get(pk=note.pk).body == "原文"


def test_a_draft_is_not_amended(world):
    note = services.add_note(world.case(), world.counselor, "草稿")
    with pytest.raises(PortalError) as refused:
        services.amend_note(note, world.counselor, "x")
    assert refused.value.code == "draft"


def test_only_the_author_signs(world):
    note = services.add_note(world.case(), world.counselor, "草稿")
    with pytest.raises(PortalError) as refused:
        services.sign_note(note, world.head)
    assert refused.value.code == "author"


def test_signing_and_amending_through_the_page(client, world):
    case = world.case()
    client.force_login(world.counselor)
    action = lambda name: reverse("consultations:case-action", args=[case.pk, name])  # noqa: E731
    client.post(action("note"), {"kind": "session", "body": "面谈记录"})
    note = SessionNote.objects.get(case=case)
    client.post(action("sign"), {"note": note.pk})
    client.post(action("amend"), {"note": note.pk, "body": "补记一句", "reason": "补充"})
    page = client.get(reverse("consultations:case-detail", args=[case.pk])).content.decode()
    assert "面谈记录" in page and "补记一句" in page and "sign-note" not in page


def test_note_text_is_encrypted_at_rest(world):
    note = services.add_note(world.case(), world.counselor, "她提到家里的矛盾")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM consultations_sessionnote WHERE id=%s", [note.pk])
        assert "家里的矛盾" not in cursor.fetchone()[0]
