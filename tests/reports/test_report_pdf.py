"""The PDF: WeasyPrint on the preview's own HTML, holding the figures, an embedded and
subset CJK font, the expected pages and the charts; its fetcher opens only static files."""

import http.server
import os
import shutil
import subprocess
import threading

import pytest
from django.conf import settings

from reports.semester_report import services
from reports.semester_report.fetcher import BASE_URL, Refused, static_file
from reports.semester_report.render import document_html, pdf_bytes, pdf_from_html
from tests.reports.report_world import ReportWorld, frozen_time

pytestmark = pytest.mark.django_db
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils is not installed")


def pdf_text(path, *pages):
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    return subprocess.run([*args, path, "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker, tmp_path_factory):
    """One submitted report of the hand-counted school, its HTML and its PDF (made once)."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            with frozen_time():
                world = ReportWorld()
                version = services.start_report(world.counselor, world.semester).versions.get()
                services.save_section(
                    world.counselor, version, 0, "工作概述", "本学期讲座〔lectures.sessions〕场。"
                )
                version = services.submit(world.counselor, version)
                html = document_html(version, for_pdf=True)
                content = pdf_bytes(version)
                figures = version.figure_set()
            transaction.set_rollback(True)
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(content)
    return {"path": str(path), "html": html, "figures": figures, "version": version}


@needs_poppler
def test_the_pdf_holds_the_figures(made):
    text = pdf_text(made["path"])
    figures = made["figures"]
    assert f"本学期讲座{figures['lectures.sessions'].display(counselor=False)}场" in text
    assert made["version"].title[:10] in text
    for key in ("lectures.attendance", "barometer.filed", "committee.members"):
        assert figures[key].label in text, key
    # The appendix's records: lecture A by title, its sessions and attendance.
    assert "适应新生活" in text


@needs_poppler
def test_the_pdf_embeds_a_subset_cjk_font_in_every_face(made):
    fonts = subprocess.run(
        ["pdffonts", made["path"]], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    names = [row[0] for row in rows]
    assert any("Noto-Serif-CJK-SC" in name for name in names), fonts
    assert any("Noto-Sans-CJK-SC" in name for name in names), fonts
    for row in rows:
        # emb and sub columns: every font embedded and subset (a "+" prefix on its name).
        assert "+" in row[0] and row[-5:-3] == ["yes", "yes"], row


@needs_poppler
def test_the_pages_cover_contents_narrative_tables_charts_appendix(made):
    path = made["path"]
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))
    assert pages >= 6
    assert "A4" in info or "595.276 x 841.89" in info
    cover, contents = pdf_text(path, 1), pdf_text(path, 2)
    version = made["version"]
    assert version.report.school.name in cover and version.report.semester.name in cover
    assert "— " not in cover  # no page number on the cover
    assert "一、" in contents and "……" not in contents
    texts = [pdf_text(path, n) for n in range(1, pages + 1)]
    numbered = [n for n, t in enumerate(texts, start=1) if f"— {n} —" in t]
    assert numbered and numbered[-1] == pages  # "— N —" at the foot of the body pages
    # The appendix starts a page of its own, headed 附件 (or Appendix in English).
    appendix = [
        n for n, t in enumerate(texts, start=1) if t.lstrip().startswith(("附件", "Appendix"))
    ]
    assert appendix, "no page opens with the appendix's heading"


def test_the_charts_are_inline_svg_with_named_fonts(made):
    html = made["html"]
    assert html.count("<svg") >= 3
    assert 'font-family="&quot;Noto Sans CJK SC&quot;' in html or "Noto Sans CJK SC" in html


def test_the_preview_and_the_pdf_are_the_same_document(made):
    version = made["version"]
    preview = document_html(version)
    assert preview.replace(' class="report"', ' class="report pdf"') == made["html"]


# --- The fetcher ----------------------------------------------------------------------------


def test_static_files_are_fetched():
    path = static_file(BASE_URL + "static/reports/report.css")
    assert path.endswith(os.path.join("static", "reports", "report.css"))
    inside = os.path.join(settings.BASE_DIR, "static", "reports", "report.css")
    assert static_file("file://" + inside) == os.path.realpath(inside)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://" + os.path.join(str(settings.BASE_DIR), "manage.py"),
        "file://" + os.path.join(str(settings.BASE_DIR), "static", "..", "manage.py"),
        "http://127.0.0.1:8299/",
        "https://127.0.0.1/static/reports/report.css",
        "https://example.org/static/reports/report.css",
        BASE_URL + "static/%2e%2e/manage.py",
        BASE_URL + "static/%252e%252e/%252e%252e/etc/passwd",
        BASE_URL + "static/reports/..%2f..%2fmanage.py",
        BASE_URL + "media/exports/x.pdf",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x",
    ],
)
def test_the_fetcher_refuses(url):
    with pytest.raises(Refused):
        static_file(url)


class _Server(http.server.BaseHTTPRequestHandler):
    hits = []

    def do_GET(self):  # noqa: N802
        _Server.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Server.hits = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def _doc(inner):
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body>{inner}<p>x</p></body></html>'


def test_weasyprint_fetches_no_network_address_and_follows_no_redirect(server):
    html = _doc(
        f'<link rel="stylesheet" href="{server}/style.css">'
        f'<img src="{server}/redirect.png"><img src="http://localhost:{server.rsplit(":", 1)[1]}/x.png">'
    )
    pdf = pdf_from_html(html)
    assert pdf.startswith(b"%PDF")
    assert _Server.hits == []


@needs_poppler
def test_weasyprint_reads_no_file_outside_static(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red } p::after { content: 'SECRET-MARK' }")
    html = _doc(
        f'<link rel="stylesheet" href="file://{secret}">'
        '<link rel="stylesheet" href="/static/%2e%2e/%2e%2e/etc/passwd">'
        f'<img src="file://{tmp_path}/x.png">'
    )
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf_from_html(html))
    assert "SECRET-MARK" not in pdf_text(str(path))


def test_weasyprint_embeds_no_attachment():
    # A static file, which the fetcher would read: attachments are dropped all the same.
    css = os.path.join(settings.BASE_DIR, "static", "reports", "report.css")
    html = _doc(
        f'<link rel="attachment" href="file://{css}" title="a">'
        f'<a rel="attachment" href="file://{css}">file</a>'
    )
    pdf = pdf_from_html(html)
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf
    assert b"/EmbeddedFiles" not in pdf
