from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.booking.services import student_of
from consultations.online import services
from consultations.online.forms import LinkForm, MessageForm, ThreadForm
from consultations.online.models import Thread
from consultations.room.models import RoomSettings
from counseling.errors import PortalError
from counseling.views.helpers import paginate, school_of


def _school(request):
    if not request.user.has_perm("consultations.see_room"):
        raise PermissionDenied
    return school_of(request)


def inbox(request):
    """Both sides: the threads this person is in (the head counselor may look at all)."""
    school = _school(request)
    threads = (
        Thread.objects.visible_to(request.user)
        .filter(school=school)
        .with_unread(request.user)
        .select_related("counselor", "student__school_class")
    )
    is_counselor = school.pk in request.user.access.counselor_school_ids
    scope = request.GET.get("scope", "mine")
    if is_counselor and scope != "all":
        threads = threads.filter(counselor=request.user)
    return render(
        request,
        "consultations/inbox.html",
        {
            "page": paginate(request, threads),
            "is_counselor": is_counselor,
            "scope": scope,
            "room": RoomSettings.for_school(school),
            "head": school.pk in request.user.access.head_counselor_school_ids,
        },
    )


def thread_new(request):
    if not request.user.has_perm("consultations.book"):
        raise PermissionDenied
    try:
        student = student_of(request.user)
    except PortalError:
        raise PermissionDenied from None
    form = ThreadForm(request.POST or None, school=student.school)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = services.start_thread(
                    request.user,
                    counselor_id=data["counselor"].pk,
                    subject=data["subject"],
                    body=data["body"],
                    request=request,
                )
            except PortalError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Sent. Your counselor will answer here."))
                return redirect("consultations:thread-detail", pk=thread.pk)
        else:
            status = 400
    return render(
        request,
        "consultations/thread_new.html",
        {"form": form, "room": RoomSettings.for_school(student.school)},
        status=status,
    )


def thread_detail(request, pk):
    thread = get_object_or_404(
        Thread.objects.visible_to(request.user).select_related(
            "student__school_class", "counselor", "school"
        ),
        pk=pk,
    )
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post(request.user, thread, form.cleaned_data["body"], request=request)
            except PortalError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                return redirect("consultations:thread-detail", pk=pk)
        else:
            status = 400
    services.read(request.user, thread, request=request)
    side = services._side(request.user, thread)
    return render(
        request,
        "consultations/thread_detail.html",
        {
            "thread": thread,
            "rows": services.reply_times(thread.messages.select_related("author")),
            "form": form,
            "side": side,
            "link_form": LinkForm(initial={"meeting_link": thread.meeting_link}),
            "room": RoomSettings.for_school(thread.school),
        },
        status=status,
    )


@require_POST
def thread_link(request, pk):
    thread = get_object_or_404(Thread.objects.visible_to(request.user), pk=pk)
    form = LinkForm(request.POST)
    try:
        if not form.is_valid():
            raise PortalError("bad_link", _("Give a meeting link that starts with https://."))
        services.set_meeting_link(
            request.user, thread, form.cleaned_data["meeting_link"], request=request
        )
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("consultations:thread-detail", pk=pk)


@require_POST
def thread_close(request, pk):
    thread = get_object_or_404(Thread.objects.visible_to(request.user), pk=pk)
    try:
        services.close(request.user, thread, request=request)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The conversation is closed."))
    return redirect("consultations:inbox")
