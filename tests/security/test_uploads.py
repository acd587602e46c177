"""Finding 9: uploads are checked by content (magic bytes), size and count, and stored
under random names."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from committees.models import Material
from committees.network.forms import MaterialForm
from counseling import uploads
from lectures.models import BulletinPanel, ContestEntry, SessionFile

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def office(kind):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            {
                "docx": "word/document.xml",
                "pptx": "ppt/presentation.xml",
                "xlsx": "xl/workbook.xml",
            }[kind],
            "<x/>",
        )
    return buffer.getvalue()


def odf(kind):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", uploads.ODF_TYPES[kind].decode())
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("会议纪要.pdf", PDF),
        ("photo.PNG", PNG),
        ("photo.jpg", JPEG),
        ("slides.pptx", office("pptx")),
        ("plan.docx", office("docx")),
        ("figures.xlsx", office("xlsx")),
        ("plan.odt", odf("odt")),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16),
    ],
)
def test_real_files_pass(name, content):
    uploads.validate_content(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", HTML),  # finding 9
        ("photo.png", HTML),
        ("photo.jpg", PNG),  # a PNG named .jpg: not what it says
        ("slides.pptx", office("docx")),
        ("slides.pptx", b"PK\x03\x04 not really a zip"),
        ("plan.docx", PDF),
        ("page.html", HTML),
        ("empty.pdf", b""),
        ("noext", PDF),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(name, content):
    with pytest.raises(ValidationError) as refused:
        uploads.validate_content(upload(name, content))
    assert refused.value.code == "content"


def test_oversize_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        uploads.validate_content(upload("big.pdf", PDF + b"0" * 2000))
    assert refused.value.code == "too_big"


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Material, "file"),
        (SessionFile, "file"),
        (BulletinPanel, "image"),
        (ContestEntry, "file"),
    ],
)
def test_every_upload_field_checks_content(model, field):
    assert uploads.validate_content in model._meta.get_field(field).validators


def test_stored_names_are_random_and_keep_nothing_of_the_uploader():
    first = uploads.random_name("committees/meetings/7", "张三的检讨.PDF")
    second = uploads.random_name("committees/meetings/7", "张三的检讨.PDF")
    assert first != second
    assert first.startswith("committees/meetings/7/") and first.endswith(".pdf")
    assert "张三" not in first
    assert (
        Material(meeting_id=7)
        .file.field.generate_filename(Material(meeting_id=7), "张三.pdf")
        .endswith(".pdf")
    )


@pytest.mark.django_db
def test_the_material_form_refuses_html_named_pdf():
    form = MaterialForm({"title": "材料"}, {"file": upload("材料.pdf", HTML)})
    assert not form.is_valid()
    assert "file" in form.errors
    good = MaterialForm({"title": "材料"}, {"file": upload("材料.pdf", PDF)})
    assert good.is_valid(), good.errors


class Held:
    def __init__(self, n):
        self.n = n

    def count(self):
        return self.n


def test_count_is_capped(settings):
    settings.UPLOAD_MAX_FILES = 2
    uploads.check_count(Held(1))
    with pytest.raises(ValidationError) as refused:
        uploads.check_count(Held(2))
    assert refused.value.code == "count"
