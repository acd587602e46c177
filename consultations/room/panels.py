"""What the consultation room puts on home pages (see counseling.panels)."""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from consultations.booking.models import Booking, TalkRequest
from consultations.online.models import Thread
from consultations.room.models import RoomSettings
from counseling.models import Student


def _day_bounds(day):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _unread(threads, side):
    """Threads with a message from the other side since this side last read them."""
    other = side == "student"  # a student waits for counselors' messages
    read = f"{side}_read_at"
    return (
        threads.filter(messages__from_counselor=other)
        .filter(Q(**{f"{read}__isnull": True}) | Q(messages__created_at__gt=F(read)))
        .distinct()
        .count()
    )


def student_panel(request, home):
    if not home["access"].student_class_ids:
        return None
    student = (
        Student.objects.filter(user=request.user, is_active=True).select_related("school").first()
    )
    if student is None:
        return None
    now = timezone.now()
    return {
        "template": "consultations/panels/student.html",
        "bookings": list(
            Booking.objects.filter(student=student).upcoming(now).select_related("counselor")[:3]
        ),
        "talk_request": TalkRequest.objects.filter(student=student).open().first(),
        "unread": _unread(Thread.objects.filter(student=student), "student"),
        "room": RoomSettings.for_school(student.school),
    }


def counselor_panel(request, home):
    access = home["access"]
    school = home["school"]
    if school is None or school.pk not in access.counselor_school_ids:
        return None
    today = timezone.localdate()
    start, _end = _day_bounds(today)
    end = start + datetime.timedelta(days=2)
    mine = Booking.objects.filter(school=school, counselor=request.user)
    return {
        "template": "consultations/panels/counselor.html",
        "bookings": list(
            mine.open()
            .filter(starts_at__gte=start, starts_at__lt=end)
            .select_related("student__school_class")
        ),
        "today": today,
        "pending": mine.filter(
            status=Booking.Status.PENDING, starts_at__gte=timezone.now()
        ).count(),
        "requests": TalkRequest.objects.filter(school=school).open().count(),
        "unread": _unread(
            Thread.objects.filter(school=school, counselor=request.user), "counselor"
        ),
    }


def head_counselor_panel(request, home):
    access = home["access"]
    school = home["school"]
    if school is None or school.pk not in access.head_counselor_school_ids:
        return None
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    start, _end = _day_bounds(monday)
    rows = (
        Booking.objects.filter(
            school=school, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=7)
        )
        .values("counselor__full_name", "counselor__username")
        .annotate(
            booked=Count("pk", filter=Q(status__in=Booking.ACTIVE)),
            pending=Count("pk", filter=Q(status=Booking.Status.PENDING)),
            cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
        )
        .order_by("counselor__full_name", "counselor__username")
    )
    return {"template": "consultations/panels/head.html", "rows": list(rows), "monday": monday}
