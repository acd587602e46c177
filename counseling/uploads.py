"""Uploads, checked by what they are and not by what they are called.

`validate_content` (a model-field validator on every FileField of the portal) reads the
first bytes of an upload and refuses it unless they are those of its extension's format:
PDF, JPEG, PNG, the old Office formats (OLE2), Office Open XML and OpenDocument (a zip with
the parts of that kind). An HTML page named .pdf is refused (finding 9). `random_name`
gives every stored file a random name (the uploader's name is never used on disk), and
`check_count` caps the files of one object. Files are served only through views that check
who is asking (counseling.views.helpers.serve_upload).
"""

import os
import secrets
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# The part a zip of each Office Open XML kind must contain.
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ODF_TYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
SIGNATURES = {
    "pdf": [b"%PDF-"],
    "jpg": [b"\xff\xd8\xff"],
    "jpeg": [b"\xff\xd8\xff"],
    "png": [b"\x89PNG\r\n\x1a\n"],
    "gif": [b"GIF87a", b"GIF89a"],
    "doc": [OLE2],
    "xls": [OLE2],
    "ppt": [OLE2],
}


def _zip_has(upload, ext):
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if ext in OOXML_PARTS:
                return "[Content_Types].xml" in names and any(
                    n.startswith(OOXML_PARTS[ext]) for n in names
                )
            return "mimetype" in names and archive.read("mimetype").strip() == ODF_TYPES[ext]
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False
    finally:
        upload.seek(0)


def matches_extension(upload):
    """True when the upload's first bytes are those of the format its name says."""
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if ext in SIGNATURES:
        return any(head.startswith(sig) for sig in SIGNATURES[ext])
    if ext in OOXML_PARTS or ext in ODF_TYPES:
        return head.startswith(ZIP) and _zip_has(upload, ext)
    return False


def validate_content(upload):
    """Model-field validator: the content is what the extension says, and not too big."""
    if upload is None or not getattr(upload, "name", ""):
        return
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            code="too_big",
        )
    if not upload.size or not matches_extension(upload):
        raise ValidationError(
            _("The file's content is not what its name says (%(name)s): upload the file itself.")
            % {"name": os.path.basename(upload.name)[:80]},
            code="content",
        )


def random_name(folder, filename):
    """`folder/<date>/<random>.<ext>`: nothing of the uploader's file name is kept."""
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"{folder}/{timezone.now():%Y%m}/{secrets.token_hex(16)}{ext}"


def check_count(queryset, limit=None):
    """Refuse one more file once an object holds `limit` (settings.UPLOAD_MAX_FILES)."""
    limit = limit or settings.UPLOAD_MAX_FILES
    if queryset.count() >= limit:
        raise ValidationError(
            _("This already has %(n)s files, the most it may hold: remove one first.")
            % {"n": limit},
            code="count",
        )
