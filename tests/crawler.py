"""Walking the portal's URL patterns, for the crawls that fetch every page as every role
(tests/portal/tier3.py, tests/security/test_canary_sweep.py).

`patterns()` lists every named URL pattern (the admin's are crawled through its registry);
`path_kwargs(o)` fills the path arguments of each from objects `o` by kind ("case",
"barometer", ...; a kind missing from `o` leaves its addresses out, so a world of its own may
bring only the kinds it needs); `text_of(response)` reads an answer the way its reader would:
HTML, the .xlsx's shared strings and sheets, the iCalendar feed unfolded, JSON decoded.
"""

import html
import io
import json
import subprocess
import urllib.parse
import zipfile

from django.urls import URLPattern, URLResolver, get_resolver

from tests.consultations import crawl as consultations_crawl

# Pages with no data of anyone's (signing in and out, passwords, the language): crawled
# once, as the anonymous visitor, to keep the crawls quick.
ANONYMOUS_ONLY = {
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
}

# URL name -> the kind of object whose pk fills its one `pk` argument.
BY_PK = {
    "counseling:class-detail": "class",
    "counseling:class-edit": "class",
    "counseling:class-toggle": "class",
    "counseling:department-detail": "department",
    "counseling:department-edit": "department",
    "counseling:department-toggle": "department",
    "counseling:role-edit": "role",
    "counseling:role-end": "role",
    "counseling:semester-edit": "semester",
    "counseling:student-edit": "student",
    "committees:attendance": "meeting",
    "committees:barometer-detail": "barometer",
    "committees:barometer-reopen": "barometer",
    "committees:class-trend": "class",
    "committees:department-trend": "department",
    "committees:material-download": "material",
    "committees:material-upload": "meeting",
    "committees:meeting-cancel": "meeting",
    "committees:meeting-detail": "meeting",
    "committees:meeting-edit": "meeting",
    "committees:member-detail": "member",
    "committees:member-end": "member",
    "committees:minutes": "meeting",
    "committees:module-edit": "module",
    "committees:officer-end": "officer",
    "committees:suggestion-answer": "suggestion",
    "lectures:activity-design-detail": "design",
    "lectures:activity-design-edit": "design",
    "lectures:activity-session-detail": "activity",
    "lectures:activity-session-edit": "activity",
    "lectures:activity-session-record": "activity",
    "lectures:bulletin-detail": "issue",
    "lectures:bulletin-edit": "issue",
    "lectures:bulletin-panel-image": "panel",
    "lectures:contest-detail": "contest",
    "lectures:contest-entry-new": "contest",
    "lectures:contest-judge": "contest",
    "lectures:contest-results": "contest",
    "lectures:contest-settings": "contest",
    "lectures:event-delete": "event",
    "lectures:event-detail": "event",
    "lectures:event-edit": "event",
    "lectures:lecture-detail": "lecture",
    "lectures:lecture-edit": "lecture",
    "lectures:lecture-status": "lecture",
    "lectures:letter-confirm": "letter",
    "lectures:letter-detail": "letter",
    "lectures:letter-edit": "letter",
    "lectures:question-answer": "question",
    "lectures:question-discard": "question",
    "lectures:series-new": "lecture",
    "lectures:session-detail": "session",
    "lectures:session-edit": "session",
    "lectures:session-file": "session_file",
    "lectures:session-record": "session",
    "lectures:session-status": "session",
    "lectures:session-upload": "session",
    "lectures:theme-month-detail": "month",
    "lectures:theme-month-edit": "month",
    "lectures:venue-edit": "venue",
    "notifications:delivery-retry": "delivery",
    "notifications:detail": "notification",
    "notifications:open": "notification",
    "reports:report-version": "report_version",
    "reports:report-preview": "report_version",
    "reports:report-submit": "report_version",
    "reports:report-revise": "report_version",
    "exports:job": "export_job",
    "exports:job-status": "export_job",
    "exports:job-retry": "export_job",
    "exports:download": "export_job",
    "consultations:case-detail": "case",
    "consultations:case-break-glass": "case",
    "consultations:letter-detail": "cons_letter",
    "consultations:letter-publish": "cons_letter",
    "consultations:letter-case": "cons_letter",
}


def patterns(resolver=None, namespace=None):
    """(name, pattern) of every URL pattern but the admin's (crawled through its registry)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns == "admin":
                continue
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from patterns(p, full)
        elif isinstance(p, URLPattern):
            if p.name is None:
                continue
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def _several(o):
    """The URL names with other arguments than one pk: name -> builder of argument sets."""
    contest, entry, issue = o.get("contest"), o.get("entry"), o.get("issue")
    session, version = o.get("session"), o.get("report_version")
    award = o.get("award")
    return {
        "committees:alert-detail": lambda: [{"pk": a.pk} for a in o["alerts"][:2]],
        "committees:member-appoint": lambda: [{"class_pk": o["class"].pk}],
        "lectures:activity-session-new": lambda: [{"design_pk": o["design"].pk}],
        "lectures:bulletin-panel-new": lambda: [{"issue_pk": issue.pk}],
        "lectures:bulletin-panel-edit": lambda: [{"issue_pk": issue.pk, "pk": o["panel"].pk}],
        "lectures:bulletin-panel-delete": lambda: [{"issue_pk": issue.pk, "pk": o["panel"].pk}],
        "lectures:event-new": lambda: [{"month_pk": o["month"].pk}],
        "lectures:contest-entry-file": lambda: [{"pk": contest.pk, "entry_pk": entry.pk}],
        "lectures:contest-entry-withdraw": lambda: [{"pk": contest.pk, "entry_pk": entry.pk}],
        "lectures:contest-award-delete": lambda: [
            {"pk": contest.pk, "award_pk": award.pk if award else 1}
        ],
        "lectures:contest-judge-entry": lambda: [{"pk": contest.pk, "code": entry.code}],
        "lectures:contest-judge-file": lambda: [{"pk": contest.pk, "code": entry.code}],
        "lectures:feedback-form": lambda: [{"token": session.feedback_token}],
        "lectures:feedback-thanks": lambda: [{"token": session.feedback_token}],
        "lectures:feedback-results": lambda: [
            {"kind": "lecture", "pk": o["lecture"].pk},
            {"kind": "session", "pk": session.pk},
            {"kind": "activity", "pk": o["activity"].pk},
        ],
        "lectures:feedback-qr": lambda: [
            {"kind": "session", "pk": session.pk},
            {"kind": "activity", "pk": o["activity"].pk},
        ],
        "counseling:roster-template": lambda: [{"fmt": "xlsx"}, {"fmt": "csv"}],
        "reports:figure-list": lambda: [
            {"key": key}
            for key in ("lectures.sessions", "activities.sessions", "feedback.answers")
            + ("publicity.contest_entries", "publicity.awards")
        ],
        "reports:report-section": lambda: [{"pk": version.pk, "index": 0}],
        "reports:report-export": lambda: [
            {"pk": version.pk, "fmt": "pdf"},
            {"pk": version.pk, "fmt": "xlsx"},
        ],
        "consultations:case-action": lambda: [{"pk": o["case"].pk, "action": "note"}],
        "consultations:case-from-alert": lambda: [{"alert_pk": a.pk} for a in o["alerts"][:1]],
        "password_reset_confirm": lambda: [{"uidb64": "MQ", "token": "set-password"}],
    }


def path_kwargs(o):
    """Each URL name with path arguments -> the argument sets to try, from objects `o`."""
    result = {name: [{"pk": o[kind].pk}] for name, kind in BY_PK.items() if o.get(kind)}
    for name, build in _several(o).items():
        try:
            result[name] = build()
        except (KeyError, AttributeError):  # a kind this world did not bring
            continue
    result.update(consultations_crawl.path_kwargs(o))
    return result


def text_of(response):
    """What a reader of the answer sees, whatever its format."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    kind = response.get("Content-Type", "")
    if raw[:5] == b"%PDF-":
        return pdf_text(raw)
    if "spreadsheetml" in kind or raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            parts = [
                book.read(n).decode("utf-8")
                for n in book.namelist()
                if n.endswith(".xml") and ("sharedStrings" in n or "worksheets/" in n)
            ]
        return html.unescape("\n".join(parts))
    text = raw.decode("utf-8", errors="replace")
    if "text/calendar" in kind:
        return text.replace("\r\n ", "").replace("\\,", ",").replace("\\n", "\n")
    if "json" in kind:
        return json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text) + "\n" + urllib.parse.unquote(text)


def pdf_text(raw):
    """The text of a PDF (poppler's pdftotext), as a reader copying it out would get it."""
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=raw, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")
