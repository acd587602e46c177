"""Feedback on a session: the public form students open from a QR code, and the results.

The form needs no account. What is kept is the answer, a keyed hash of a random cookie (so a
device answers once per session) and a keyed hash of address and browser string (so a device
that drops its cookie answers at most FEEDBACK_MAX_PER_SIGNAL times); no name, no account,
no address, no browser string in clear. The form is open from the session's day for
FEEDBACK_OPEN_DAYS days.
"""

import datetime
import secrets

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required, login_required
from django.db.models import Avg, Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from counseling.views.helpers import paginate, require_perm
from lectures.activities.models import ActivitySession
from lectures.activities.views import activity_session_or_404
from lectures.events.models import Lecture, LectureSession, Status
from lectures.events.views import lecture_or_404, session_or_404
from lectures.feedback import services
from lectures.feedback.forms import FeedbackForm
from lectures.feedback.models import Feedback

DEVICE_COOKIE = "fb_device"
DEVICE_COOKIE_AGE = 5 * 365 * 24 * 60 * 60  # a device stays the same device across a school career


def _target(token):
    """The lecture or activity session a feedback link names (tokens are random: no guessing)."""
    session = (
        LectureSession.objects.filter(feedback_token=token)
        .select_related("lecture", "venue")
        .first()
    )
    if session is None:
        session = (
            ActivitySession.objects.filter(feedback_token=token)
            .select_related("design", "venue")
            .first()
        )
    if session is None:
        raise Http404("no such feedback link")
    return session


def _title(target):
    if isinstance(target, LectureSession):
        return target.lecture.title
    return target.design.name


def _answers(target):
    if isinstance(target, LectureSession):
        return Feedback.objects.filter(lecture_session=target)
    return Feedback.objects.filter(activity_session=target)


def _device(request):
    """The device's cookie, or a new one (set on the response by _with_cookie)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if len(value) < 32 or len(value) > 128:
        value = secrets.token_urlsafe(32)
        request._new_device_cookie = value
    return value


def _with_cookie(request, response):
    value = getattr(request, "_new_device_cookie", None)
    if value:
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _closed_reason(target):
    if target.status == Status.CANCELLED:
        return "cancelled"
    today = timezone.localdate()
    if target.date > today:
        return "not_yet"
    if target.date + datetime.timedelta(days=settings.FEEDBACK_OPEN_DAYS) < today:
        return "over"
    return None


@login_not_required
@never_cache
def feedback_form(request, token):
    """Public: satisfaction 1–5 and two short answers, from a phone, without signing in."""
    target = _target(token)
    context = {"target": target, "title": _title(target), "token": token}
    closed = _closed_reason(target)
    if closed:
        context["closed"] = closed
        status = 410 if closed == "cancelled" else 200
        return render(request, "lectures/feedback/closed.html", context, status=status)
    # Every answer sent counts against the address, repeated ones included; the address
    # itself is only hashed into a cache key and forgotten when the window ends.
    if request.method == "POST" and services.rate_limited(request):
        return render(request, "lectures/feedback/slow_down.html", context, status=429)
    device = services.device_fingerprint(_device(request))
    signal = services.device_signal(request)
    answers = _answers(target)
    answered = answers.filter(device=device).exists() or (
        request.method == "POST"
        and answers.filter(signal=signal).count() >= settings.FEEDBACK_MAX_PER_SIGNAL
    )
    if answered:
        status = 409 if request.method == "POST" else 200
        return _with_cookie(
            request, render(request, "lectures/feedback/already.html", context, status=status)
        )
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = services.submit_feedback(
            target, device, data["satisfaction"], data["helped"], data["wish"], signal=signal
        )
        if not saved:  # two taps at once from one device: the second one loses
            return _with_cookie(
                request, render(request, "lectures/feedback/already.html", context, status=409)
            )
        return _with_cookie(request, redirect("lectures:feedback-thanks", token=token))
    context["form"] = form
    return _with_cookie(
        request,
        render(request, "lectures/feedback/form.html", context, status=400 if form.errors else 200),
    )


@login_not_required
@never_cache
def feedback_thanks(request, token):
    target = _target(token)
    return render(
        request, "lectures/feedback/thanks.html", {"target": target, "title": _title(target)}
    )


def _results_target(request, kind, pk):
    if kind == "lecture":
        return lecture_or_404(request, pk)
    if kind == "session":
        return session_or_404(request, pk)
    if kind == "activity":
        return activity_session_or_404(request, pk)
    raise Http404("unknown kind")


@login_required
@require_perm("lectures.see_feedback")
def feedback_results(request, kind, pk):
    """Average, the 1–5 distribution and the comments, for one session or a whole lecture."""
    target = _results_target(request, kind, pk)
    per_session = []
    if isinstance(target, Lecture):
        answers = Feedback.objects.for_lecture(target)
        counts = {
            row["lecture_session"]: row
            for row in answers.values("lecture_session").annotate(
                count=Count("pk"), average=Avg("satisfaction")
            )
        }
        for session in target.sessions.select_related("venue").order_by("date", "start_time"):
            per_session.append((session, counts.get(session.pk)))
        title = target.title
    else:
        answers = _answers(target)
        title = _title(target)
    summary = answers.summary()
    top = max(summary["distribution"].values()) or 1
    bars = [
        {
            "score": n,
            "count": count,
            "width": round(100 * count / top),
            "share": round(100 * count / summary["count"]) if summary["count"] else 0,
        }
        for n, count in sorted(summary["distribution"].items(), reverse=True)
    ]
    comments = answers.exclude(helped="", wish="").select_related(
        "lecture_session", "activity_session"
    )
    return render(
        request,
        "lectures/feedback/results.html",
        {
            "kind": kind,
            "target": target,
            "title": title,
            "summary": summary,
            "bars": bars,
            "comments": paginate(request, comments),
            "per_session": per_session,
        },
    )


@login_required
@require_perm("lectures.manage")
def feedback_qr(request, kind, pk):
    """A page for the projector: the QR code of the session's public feedback link."""
    if kind == "session":
        target = session_or_404(request, pk)
    elif kind == "activity":
        target = activity_session_or_404(request, pk)
    else:
        raise Http404("unknown kind")
    path = reverse("lectures:feedback-form", kwargs={"token": target.feedback_token})
    # Phones must reach the address: the portal's public one when configured (the counselor
    # may be on an internal name), else the one this page was opened at.
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    url = f"{base}{path}" if base else request.build_absolute_uri(path)
    # No size on the SVG (a viewBox instead), so CSS scales it to the projector's screen.
    svg = segno.make(url, error="m").svg_inline(scale=8, omitsize=True)
    return render(
        request,
        "lectures/feedback/qr.html",
        {"target": target, "title": _title(target), "url": url, "svg": svg, "kind": kind},
    )
