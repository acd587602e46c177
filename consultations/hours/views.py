import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.booking.models import Booking
from consultations.hours import services
from consultations.hours.forms import ExceptionForm, HoursForm
from consultations.hours.models import CounselorHours, HoursException
from consultations.online.services import counselors_of
from consultations.shared.access import counselor_school, is_head
from counseling import audit
from counseling.audit import AuditEntry
from counseling.errors import PortalError


def _monday(request):
    try:
        day = datetime.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def week(request):
    """A counselor's week: its slots, free or booked, and bookings outside them. The head
    counselor can look at anyone's week, or everyone's at once."""
    school = counselor_school(request)
    head = is_head(request, school)
    monday = _monday(request)
    sunday = monday + datetime.timedelta(days=6)
    wanted = request.GET.get("counselor", "")
    counselor = request.user
    if wanted == "all" and head:
        counselor = None
    elif wanted.isdigit() and head:
        counselor = get_object_or_404(counselors_of(school), pk=wanted)
    slots = services.slots(school, monday, sunday, counselor=counselor, with_bookings=False)
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    bookings = (
        Booking.objects.visible_to(request.user)
        .filter(
            school=school, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=7)
        )
        .active()
        .select_related("student__school_class", "counselor")
    )
    if counselor is not None:
        bookings = bookings.filter(counselor=counselor)
    in_slots = {(s.counselor.pk, s.starts_at) for s in slots}
    # Each slot gets the booking with its student loaded (the slot's own lookup has none).
    by_key = {(b.counselor_id, b.starts_at): b for b in bookings}
    for slot in slots:
        slot.booking = by_key.get((slot.counselor.pk, slot.starts_at))
    extra = [b for b in by_key.values() if (b.counselor_id, b.starts_at) not in in_slots]
    days = []
    for n in range(7):
        day = monday + datetime.timedelta(days=n)
        days.append(
            {
                "date": day,
                "slots": [s for s in slots if timezone.localtime(s.starts_at).date() == day],
                "extra": [b for b in extra if timezone.localtime(b.starts_at).date() == day],
            }
        )
    return render(
        request,
        "consultations/week.html",
        {
            "days": days,
            "monday": monday,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "counselor": counselor,
            "wanted": wanted,
            "head": head,
            "counselors": counselors_of(school) if head else [],
            "today": timezone.localdate(),
        },
    )


def hours_list(request):
    school = counselor_school(request)
    head = is_head(request, school)
    hours = (
        CounselorHours.objects.filter(school=school).active().select_related("counselor", "room")
    )
    exceptions = HoursException.objects.filter(
        school=school, ends_on__gte=timezone.localdate()
    ).select_related("counselor")
    if not head:
        hours = hours.filter(counselor=request.user)
        exceptions = exceptions.filter(Q(counselor=request.user) | Q(counselor__isnull=True))
    return render(
        request,
        "consultations/hours_list.html",
        {"hours": hours, "exceptions": exceptions, "head": head},
    )


def hours_edit(request, pk=None):
    school = counselor_school(request)
    instance = None
    if pk is not None:
        instance = get_object_or_404(CounselorHours.objects.filter(school=school).active(), pk=pk)
        if instance.counselor_id != request.user.pk and not is_head(request, school):
            raise PermissionDenied
    form = HoursForm(request.POST or None, instance=instance, school=school, user=request.user)
    return _save_page(request, form, services.save_hours, _("Consultation hours"))


def _save_page(request, form, save, title):
    """The hours' forms: save through the service, back to the list; its refusal on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(request.user, form.instance, request=request)
        except PortalError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("consultations:hours")
    return render(
        request,
        "consultations/form.html",
        {"form": form, "title": title, "back": "consultations:hours"},
        status=400 if form.errors else 200,
    )


@require_POST
def hours_end(request, pk):
    school = counselor_school(request)
    hours = get_object_or_404(CounselorHours.objects.filter(school=school).active(), pk=pk)
    if hours.counselor_id != request.user.pk and not is_head(request, school):
        raise PermissionDenied
    with transaction.atomic():
        hours.is_active = False
        hours.save(update_fields=["is_active", "updated_at"])
        audit.record(request.user, AuditEntry.Action.DEACTIVATE, hours, request=request)
    messages.success(request, _("These hours are no longer offered. Booked consultations stay."))
    return redirect("consultations:hours")


def exception_new(request):
    school = counselor_school(request)
    form = ExceptionForm(request.POST or None, school=school, user=request.user)
    return _save_page(request, form, services.save_exception, _("Days without hours"))


@require_POST
def exception_delete(request, pk):
    school = counselor_school(request)
    exc = get_object_or_404(HoursException, school=school, pk=pk)
    if exc.counselor_id != request.user.pk and not is_head(request, school):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(request.user, AuditEntry.Action.DELETE, exc, request=request)
        exc.delete()
    messages.success(request, _("Removed."))
    return redirect("consultations:hours")
