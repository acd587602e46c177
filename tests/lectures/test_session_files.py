"""Files of a session (photos, slides): what may be uploaded, and who is served them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lectures.models import (
    SessionFile,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class TestSessionFiles:
    @pytest.fixture
    def session(self, lw):
        """The world's first session, held on 22 September."""
        return lw.sessions[0]

    def upload(self, client, session, name, content, kind="photo"):
        return client.post(
            reverse("lectures:session-upload", args=[session.pk]),
            {"kind": kind, "title": "现场", "file": SimpleUploadedFile(name, content)},
        )

    def test_a_photo_is_uploaded_and_served_to_school_roles_only(self, sign_in, client, session):
        counselor = sign_in("counselor")
        assert self.upload(counselor, session, "hall.png", PNG).status_code == 302
        item = SessionFile.objects.get(session=session)
        url = reverse("lectures:session-file", args=[item.pk])
        response = counselor.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        client.logout()
        assert client.get(url).status_code == 302
        assert sign_in("student").get(url).status_code == 403
        assert sign_in("teacher").get(url).status_code == 200

    def test_wrong_types_are_refused(self, sign_in, session):
        client = sign_in("counselor")
        for name, content, kind in [
            ("virus.exe", b"MZ\x90\x00", "other"),
            ("fake.png", b"MZ\x90\x00 not a picture", "photo"),
            ("slides.pdf", b"%PDF-1.4", "photo"),  # a photo must be a picture
            ("notes.txt", b"hello", "other"),
        ]:
            response = self.upload(client, session, name, content, kind)
            assert response.status_code == 400, name
            assert "file" in response.context["form"].errors, name
        assert not SessionFile.objects.filter(session=session).exists()

    def test_too_large_is_refused(self, sign_in, session):
        big = b"%PDF" + b"\0" * (20 * 1024 * 1024)
        response = self.upload(sign_in("counselor"), session, "big.pdf", big, "slides")
        assert response.status_code == 400
        assert "20 MB" in str(response.context["form"].errors["file"])
        assert not SessionFile.objects.filter(session=session).exists()
