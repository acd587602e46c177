from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.booking.models import Booking, TalkRequest
from consultations.booking.services import no_show_blocked, no_shows, student_of
from consultations.online.models import Thread
from consultations.room.forms import ReasonCategoryForm, RoomForm, RoomSettingsForm
from consultations.room.models import ReasonCategory, Room, RoomSettings
from consultations.shared.access import counselor_school
from counseling import audit
from counseling.audit import AuditEntry
from counseling.errors import PortalError


def room(request):
    """The student's consultation room: its bookings, its request, its threads, the hotlines.
    Counselors go to their week."""
    if request.user.has_perm("consultations.counsel"):
        return redirect("consultations:week")
    if not request.user.has_perm("consultations.book"):
        raise PermissionDenied
    try:
        student = student_of(request.user)
    except PortalError as error:
        return render(request, "consultations/not_on_roster.html", {"error": error}, status=403)
    settings = RoomSettings.for_school(student.school)
    now = timezone.now()
    bookings = Booking.objects.visible_to(request.user).filter(student=student)
    return render(
        request,
        "consultations/room.html",
        {
            "room": settings,
            "upcoming": bookings.upcoming(now).select_related("counselor", "room", "category"),
            "past": bookings.exclude(pk__in=bookings.upcoming(now).values("pk"))
            .select_related("counselor")
            .order_by("-starts_at")[:10],
            "talk_request": TalkRequest.objects.visible_to(request.user)
            .filter(student=student)
            .open()
            .first(),
            "threads": Thread.objects.visible_to(request.user)
            .filter(student=student)
            .with_unread(request.user)
            .select_related("counselor")[:5],
            "blocked": no_show_blocked(student, settings),
            "no_shows": no_shows(student),
        },
    )


def settings_edit(request):
    school = counselor_school(request)
    settings = RoomSettings.for_school(school)
    form = RoomSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        audit.save_form(form, request.user, request=request)
        messages.success(request, _("Saved."))
        return redirect("consultations:settings")
    return render(
        request,
        "consultations/settings.html",
        {
            "form": form,
            "category_form": ReasonCategoryForm(),
            "room_form": RoomForm(),
            "categories": ReasonCategory.objects.filter(school=school),
            "rooms": Room.objects.filter(school=school),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def category_new(request):
    school = counselor_school(request)
    form = ReasonCategoryForm(request.POST, instance=ReasonCategory(school=school))
    return _add(request, form, school)


@require_POST
def room_new(request):
    school = counselor_school(request)
    form = RoomForm(request.POST, instance=Room(school=school))
    return _add(request, form, school)


def _add(request, form, school):
    if form.is_valid():
        name = form.cleaned_data["name"]
        model = form._meta.model
        if model.objects.filter(school=school, name=name).exists():
            messages.error(request, _("This name is already in the list."))
        else:
            audit.save_form(form, request.user, request=request)
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Give a name."))
    return redirect("consultations:settings")


@require_POST
def category_toggle(request, pk):
    school = counselor_school(request)
    category = get_object_or_404(ReasonCategory, school=school, pk=pk)
    category.is_active = not category.is_active
    category.save(update_fields=["is_active", "updated_at"])
    audit.record(
        request.user,
        AuditEntry.Action.REACTIVATE if category.is_active else AuditEntry.Action.DEACTIVATE,
        category,
        request=request,
    )
    return redirect("consultations:settings")


@require_POST
def room_toggle(request, pk):
    school = counselor_school(request)
    obj = get_object_or_404(Room, school=school, pk=pk)
    obj.is_active = not obj.is_active
    obj.save(update_fields=["is_active", "updated_at"])
    audit.record(
        request.user,
        AuditEntry.Action.REACTIVATE if obj.is_active else AuditEntry.Action.DEACTIVATE,
        obj,
        request=request,
    )
    return redirect("consultations:settings")
