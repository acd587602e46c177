"""书信咨询 pages: writing and picking up (public), the counselors' letters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consultations.cases import services as cases
from consultations.letters import services
from consultations.letters.forms import (
    LetterCaseForm,
    LetterForm,
    PickupForm,
    PublishForm,
    ReplyForm,
)
from consultations.letters.models import Letter
from counseling.errors import PortalError
from counseling.http import client_ip
from counseling.models import School, Student
from counseling.permissions import access_of
from counseling.views.helpers import paginate


def _school(request):
    wanted = request.POST.get("school") or request.GET.get("school") or ""
    schools = School.objects.order_by("pk")
    if wanted.isdigit():
        return get_object_or_404(schools, pk=wanted)
    school = access_of(request.user).primary_school
    return school or get_object_or_404(schools[:1])


def _own_student(request, school):
    if not request.user.is_authenticated:
        return None
    return Student.objects.active().filter(user=request.user, school=school).first()


@login_not_required
@never_cache
def letter_write(request):
    """Any student writes, signed in or not. Nothing here logs or stores who sent a letter
    unsigned: not the user, not the address (the rate limit only hashes it into a cache key)."""
    school = _school(request)
    student = _own_student(request, school)
    form = LetterForm(request.POST or None, can_sign=student is not None)
    context = {"form": form, "school": school}
    if request.method == "POST":
        if services.rate_limited(client_ip(request)):
            return render(request, "consultations/letters/slow_down.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter, code = services.write_letter(
                    school,
                    data["body"],
                    student=student if data.get("signed") else None,
                    publish_consent=data["publish_consent"],
                )
            except PortalError as refused:
                form.add_error("body", refused.message)
            else:
                # Rendered, not redirected: the code is shown once and kept nowhere, not even
                # in the session or a message.
                return render(
                    request,
                    "consultations/letters/written.html",
                    {"letter": letter, "code": code, "school": school},
                )
    return render(
        request, "consultations/letters/write.html", context, status=400 if form.errors else 200
    )


@login_not_required
@never_cache
def letter_pickup(request):
    """The reply to an anonymous letter, for whoever holds its code (sent by POST, so that
    the code appears in no address bar, history or access log)."""
    form = PickupForm(request.POST or None)
    letter = None
    if request.method == "POST" and form.is_valid():
        letter = services.letter_by_code(form.cleaned_data["code"])
        if letter is None:
            form.add_error("code", _("No letter has this code. Check it and try again."))
    return render(
        request,
        "consultations/letters/pickup.html",
        {"form": form, "letter": letter},
        status=404 if form.errors and request.method == "POST" else 200,
    )


@login_required
def my_letters(request):
    letters = Letter.objects.filter(student__user=request.user).order_by("-received_at")
    return render(request, "consultations/letters/mine.html", {"page": paginate(request, letters)})


def _counselor_letter(request, pk):
    return get_object_or_404(
        Letter.objects.visible_to(request.user).select_related("student__school_class", "case"),
        pk=pk,
    )


@login_required
def letter_list(request):
    if not access_of(request.user).is_counselor:
        raise PermissionDenied
    letters = Letter.objects.visible_to(request.user).select_related("student")
    if request.GET.get("show") != "all":
        letters = letters.unanswered()
    return render(
        request,
        "consultations/letters/list.html",
        {
            "page": paginate(request, letters.order_by("replied_at", "-is_crisis", "due_at")),
            "now": timezone.now(),
            "show_all": request.GET.get("show") == "all",
        },
    )


@login_required
def letter_detail(request, pk):
    letter = _counselor_letter(request, pk)
    reply_form = ReplyForm(request.POST or None)
    if request.method == "POST" and reply_form.is_valid():
        try:
            services.reply(letter, request.user, reply_form.cleaned_data["reply"])
        except PortalError as refused:
            reply_form.add_error("reply", refused.message)
        else:
            messages.success(request, _("The reply is saved; the writer can read it now."))
            return redirect("consultations:letter-detail", pk=letter.pk)
    services.read_letter(letter, request.user, request)
    context = {
        "letter": letter,
        "reply_form": reply_form,
        "publish_form": PublishForm(initial={"question": letter.body, "answer": letter.reply}),
        "case_form": LetterCaseForm(),
        "now": timezone.now(),
    }
    return render(
        request,
        "consultations/letters/detail.html",
        context,
        status=400 if reply_form.errors else 200,
    )


@login_required
@require_POST
def letter_publish(request, pk):
    letter = _counselor_letter(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.publish(
                letter, request.user, form.cleaned_data["question"], form.cleaned_data["answer"]
            )
        except PortalError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The question is on the bulletin board's list."))
    else:
        messages.error(request, _("Write the question and the answer as they will be shown."))
    return redirect("consultations:letter-detail", pk=letter.pk)


@login_required
@require_POST
def letter_to_case(request, pk):
    letter = _counselor_letter(request, pk)
    form = LetterCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the concern, the risk level and a rating."))
        return redirect("consultations:letter-detail", pk=letter.pk)
    try:
        case = cases.case_from_letter(letter, request.user, **form.cleaned_data)
    except PortalError as refused:
        messages.error(request, refused.message)
        return redirect("consultations:letter-detail", pk=letter.pk)
    return redirect("consultations:case-detail", pk=case.pk)
