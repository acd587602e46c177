import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultations.booking import services
from consultations.booking.forms import (
    BookForm,
    CancelForm,
    OnBehalfForm,
    TalkRequestForm,
    WhenForm,
)
from consultations.booking.models import Booking, Origin, TalkRequest
from consultations.hours.models import Channel
from consultations.hours.services import find_slot, parse_key, slots
from consultations.room.models import RoomSettings
from consultations.shared.access import counselor_school, is_head
from consultations.students.forms import initial_number
from counseling import audit
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.views.helpers import paginate


def _student(request):
    if not request.user.has_perm("consultations.book"):
        raise PermissionDenied
    try:
        return services.student_of(request.user)
    except PortalError:
        raise PermissionDenied from None


def slot_list(request):
    """Free slots from the earliest bookable hour to the last bookable day."""
    student = _student(request)
    room = RoomSettings.for_school(student.school)
    now = timezone.now()
    earliest = now + datetime.timedelta(hours=room.min_notice_hours)
    today = timezone.localdate()
    channel = request.GET.get("channel", "")
    free = [
        s
        for s in slots(student.school, today, today + datetime.timedelta(days=room.days_ahead))
        if not s.taken and s.starts_at >= earliest and (not channel or channel in s.channels)
    ]
    days = {}
    for slot in free:
        days.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    return render(
        request,
        "consultations/slot_list.html",
        {
            "room": room,
            "days": sorted(days.items()),
            "channel": channel,
            "channels": Channel.choices,
            "blocked": services.no_show_blocked(student, room),
            "open_count": services.open_bookings(student, now),
        },
    )


def book(request):
    student = _student(request)
    room = RoomSettings.for_school(student.school)
    key = request.POST.get("slot") or request.GET.get("slot", "")
    try:
        counselor_id, starts_at = parse_key(key)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("consultations:slot-list")
    slot = find_slot(student.school, counselor_id, starts_at)
    if slot is None:
        messages.error(request, _("This slot does not exist."))
        return redirect("consultations:slot-list")
    form = BookForm(request.POST or None, school=student.school, channels=slot.channels)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.book(
                    request.user,
                    counselor_id=counselor_id,
                    starts_at=starts_at,
                    channel=data["channel"],
                    category=data["category"],
                    reason=data["reason"],
                    request=request,
                )
            except PortalError as error:
                form.add_error(None, error.message)
                status = 409 if error.code == "taken" else 400
            else:
                messages.success(
                    request, _("Booked. The counselor will confirm it; you will be told.")
                )
                return redirect("consultations:booking-detail", pk=booking.pk)
        else:
            status = 400
    return render(
        request,
        "consultations/book.html",
        {"form": form, "slot": slot, "key": key, "room": room},
        status=status,
    )


def booking_list(request):
    """Counselors: the school's bookings (mine by default); the reason is not on this page."""
    school = counselor_school(request)
    bookings = (
        Booking.objects.visible_to(request.user)
        .filter(school=school)
        .select_related("student__school_class", "counselor", "category")
        .order_by("-starts_at")
    )
    scope = request.GET.get("scope", "mine")
    if scope != "all":
        bookings = bookings.filter(counselor=request.user)
    status = request.GET.get("status", "")
    if status in Booking.Status.values:
        bookings = bookings.filter(status=status)
    return render(
        request,
        "consultations/booking_list.html",
        {
            "page": paginate(request, bookings),
            "scope": scope,
            "status": status,
            "statuses": Booking.Status.choices,
        },
    )


def booking_detail(request, pk):
    booking = get_object_or_404(
        Booking.objects.visible_to(request.user).select_related(
            "student__school_class", "counselor", "category", "room", "booked_by", "school"
        ),
        pk=pk,
    )
    show_reason = booking.reason_visible_to(request.user)
    is_student = booking.student.user_id == request.user.pk
    if show_reason and not is_student and booking.reason:
        audit.record(request.user, AuditEntry.Action.READ, booking, request=request)
    room = RoomSettings.for_school(booking.school)
    now = timezone.now()
    handles = services._may_handle(request.user, booking)
    return render(
        request,
        "consultations/booking_detail.html",
        {
            "booking": booking,
            "show_reason": show_reason,
            "is_student": is_student,
            "handles": handles,
            "room": room,
            "can_cancel": booking.is_open
            and (
                handles or (is_student and now <= booking.cancel_deadline(room.cancel_cutoff_hours))
            ),
            "can_close": handles
            and booking.status == Booking.Status.CONFIRMED
            and booking.starts_at <= now,
            "cancel_form": CancelForm(),
            "deadline": booking.cancel_deadline(room.cancel_cutoff_hours),
        },
    )


ACTIONS = {
    "confirm": (services.confirm, gettext_lazy("Confirmed. The student is told.")),
    "attended": (services.mark_attended, gettext_lazy("Recorded as attended.")),
    "no-show": (services.mark_no_show, gettext_lazy("Recorded as a no-show.")),
}


@require_POST
def booking_action(request, pk, action):
    booking = get_object_or_404(Booking.objects.visible_to(request.user), pk=pk)
    try:
        if action == "cancel":
            form = CancelForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.cancel(request.user, booking, note=note, request=request)
            messages.success(request, _("Cancelled."))
        elif action in ACTIONS:
            func, done = ACTIONS[action]
            func(request.user, booking, request=request)
            messages.success(request, str(done))
        else:
            raise Http404
    except PortalError as error:
        messages.error(request, error.message)
    return redirect("consultations:booking-detail", pk=pk)


def _confirm(request, form, book):
    """A counselor's booking form posted: (the redirect to the booking, 200) once booked, or
    (None, the status the page answers with) with the refusal on the form."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        booking = book(form.cleaned_data)
    except PortalError as error:
        form.add_error(None, error.message)
        return None, 409 if error.code == "taken" else 400
    messages.success(request, _("Booked and confirmed. The student is told."))
    return redirect("consultations:booking-detail", pk=booking.pk), 200


def book_for(request):
    """A counselor books for a student: walk-in, referral, alert (?student=&origin=&alert=)."""
    school = counselor_school(request)
    initial = {"student_number": initial_number(request, request.user, school)}
    origin = request.GET.get("origin", "")
    if origin in (Origin.WALK_IN, Origin.REFERRAL, Origin.ALERT):
        initial["origin"] = origin
    alert = request.GET.get("alert", "")
    alert_id = int(alert) if alert.isdigit() else None
    form = OnBehalfForm(request.POST or None, initial=initial, school=school, user=request.user)

    def book(data):
        return services.book_on_behalf(
            request.user,
            data["student"],
            starts_at=form.starts_at(),
            channel=data["channel"],
            counselor=data.get("counselor"),
            category=data["category"],
            reason=data["reason"],
            origin=data["origin"],
            alert_id=alert_id,
            request=request,
        )

    done, status = _confirm(request, form, book)
    if done:
        return done
    return render(
        request,
        "consultations/form.html",
        {"form": form, "title": _("Book for a student"), "back": "consultations:week"},
        status=status,
    )


def talk_request(request):
    student = _student(request)
    room = RoomSettings.for_school(student.school)
    form = TalkRequestForm(request.POST or None, school=student.school)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.request_talk(request.user, **form.cleaned_data, request=request)
            except PortalError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Sent. A counselor will offer you a time."))
                return redirect("consultations:room")
        else:
            status = 400
    return render(
        request, "consultations/talk_request.html", {"form": form, "room": room}, status=status
    )


@require_POST
def request_withdraw(request, pk):
    talk = get_object_or_404(TalkRequest.objects.visible_to(request.user), pk=pk)
    try:
        services.withdraw_request(request.user, talk, request=request)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("consultations:room")


def request_list(request):
    school = counselor_school(request)
    requests = (
        TalkRequest.objects.visible_to(request.user)
        .filter(school=school)
        .filter(Q(status=TalkRequest.Status.OPEN))
        .select_related("student__school_class", "category", "student")
    )
    rows = [(r, r.reason_visible_to(request.user)) for r in requests]
    return render(request, "consultations/request_list.html", {"rows": rows})


def request_answer(request, pk):
    school = counselor_school(request)
    talk = get_object_or_404(
        TalkRequest.objects.visible_to(request.user)
        .filter(school=school)
        .select_related("student", "category"),
        pk=pk,
    )
    form = WhenForm(
        request.POST or None, initial={"channel": talk.channel}, school=school, user=request.user
    )

    def book(data):
        return services.answer_request(
            request.user,
            talk,
            starts_at=form.starts_at(),
            channel=data["channel"],
            counselor=data.get("counselor"),
            request=request,
        )

    done, status = _confirm(request, form, book)
    if done:
        return done
    show_reason = talk.reason_visible_to(request.user)
    if show_reason and talk.reason:
        audit.record(request.user, AuditEntry.Action.READ, talk, school=school, request=request)
    return render(
        request,
        "consultations/request_answer.html",
        {"form": form, "talk": talk, "show_reason": show_reason, "head": is_head(request, school)},
        status=status,
    )
