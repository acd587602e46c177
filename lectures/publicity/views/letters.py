"""Open letters (致全体同学的一封信): published by counselors, read out in every class,
confirmed by each class's committee member from a phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling.models import SchoolClass
from counseling.permissions import access_of
from counseling.views.helpers import pick_semester, require_perm, school_of
from lectures.publicity import services
from lectures.publicity.forms import OpenLetterForm
from lectures.publicity.models import LetterReading, OpenLetter
from lectures.publicity.views.common import can_manage, published_only, today


def _letters(user):
    letters = OpenLetter.objects.visible_to(user)
    if published_only(user):
        letters = letters.filter(published_on__lte=today())
    return letters


def _member_classes(user):
    ids = access_of(user).member_class_ids
    return list(
        SchoolClass.objects.filter(pk__in=ids).select_related("department").order_by("name")
    )


@login_required
@require_perm("lectures.see_publicity")
def letter_list(request):
    semester = pick_semester(request)
    letters = list(
        _letters(request.user)
        .filter(semester=semester)
        .annotate(read_in=Count("readings", distinct=True))
    )
    member_classes = _member_classes(request.user)
    done = set(
        LetterReading.objects.filter(
            letter__in=letters, school_class__in=member_classes
        ).values_list("letter_id", "school_class_id")
    )
    rows = [
        {
            "letter": letter,
            "mine": [(cls, (letter.pk, cls.pk) in done) for cls in member_classes],
        }
        for letter in letters
    ]
    manage = can_manage(request.user)
    return render(
        request,
        "lectures/publicity/letter_list.html",
        {
            "semester": semester,
            "rows": rows,
            "can_manage": manage,
            "classes": (
                SchoolClass.objects.active().filter(department__school=semester.school).count()
                if manage
                else None
            ),
            "today": today(),
        },
    )


@login_required
@require_perm("lectures.see_publicity")
def letter_detail(request, pk):
    letter = get_object_or_404(_letters(request.user), pk=pk)
    manage = can_manage(request.user)
    context = {"letter": letter, "can_manage": manage}
    if manage:
        # Which classes still have to hear it, by department: the counselor's follow-up list.
        unread = services.letter_unread_classes(letter).order_by(
            "department__name", "-enrolment_year", "name"
        )
        by_department = {}
        for cls in unread:
            by_department.setdefault(cls.department, []).append(cls)
        readings = letter.readings.select_related(
            "school_class__department", "confirmed_by"
        ).order_by("school_class__department__name", "school_class__name")
        context.update(
            unread_by_department=sorted(by_department.items(), key=lambda kv: kv[0].name),
            unread_count=sum(len(v) for v in by_department.values()),
            readings=readings,
        )
    member_classes = _member_classes(request.user)
    if member_classes:
        done = set(
            letter.readings.filter(school_class__in=member_classes).values_list(
                "school_class_id", flat=True
            )
        )
        context["mine"] = [(cls, cls.pk in done) for cls in member_classes]
    return render(request, "lectures/publicity/letter_detail.html", context)


@login_required
@require_perm("lectures.manage_publicity")
def letter_edit(request, pk=None):
    school = school_of(request)
    letter = (
        get_object_or_404(OpenLetter.objects.visible_to(request.user), pk=pk)
        if pk
        else OpenLetter(school=school)
    )
    form = OpenLetterForm(request.POST or None, instance=letter, school=letter.school)
    if request.method == "POST" and form.is_valid():
        letter, told = services.save_letter(form, request.user, request=request)
        if told:
            messages.success(
                request, _("Published; %(n)s committee members were told.") % {"n": told}
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("lectures:letter-detail", pk=letter.pk)
    return render(
        request,
        "lectures/publicity/letter_form.html",
        {
            "form": form,
            "letter": letter,
            "heading": _("Edit the letter") if pk else _("New open letter"),
            "back": reverse("lectures:letter-detail", args=[pk])
            if pk
            else reverse("lectures:letter-list"),
        },
    )


@login_required
@require_POST
@require_perm("lectures.confirm_letter")
def letter_confirm(request, pk):
    """A member confirms the letter was read out in its class (a counselor may record it
    for any class of the school, e.g. when a member reports by phone)."""
    letter = get_object_or_404(_letters(request.user), pk=pk)
    class_id = request.POST.get("school_class", "")
    if not class_id.isdigit():
        raise PermissionDenied
    school_class = get_object_or_404(
        SchoolClass.objects.filter(department__school=letter.school), pk=class_id
    )
    access = access_of(request.user)
    if school_class.pk not in access.member_class_ids and not (
        can_manage(request.user) and letter.school_id in access.counselor_school_ids
    ):
        raise PermissionDenied
    reading = services.confirm_letter_read(letter, school_class, request.user, request=request)
    if reading is None:
        messages.info(request, _("%(cls)s had already confirmed it.") % {"cls": school_class})
    else:
        messages.success(
            request, _("Confirmed: read out in %(cls)s. Thank you!") % {"cls": school_class}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("lectures:letter-detail", args=[letter.pk])
    return redirect(target)


@login_required
@require_perm("lectures.confirm_letter")
def letter_mine(request):
    """The member's phone page: this semester's letters, a button for each class."""
    member_classes = _member_classes(request.user)
    semester = pick_semester(request)
    letters = list(_letters(request.user).filter(semester=semester))
    done = set(
        LetterReading.objects.filter(
            letter__in=letters, school_class__in=member_classes
        ).values_list("letter_id", "school_class_id")
    )
    rows = [
        {"letter": letter, "mine": [(cls, (letter.pk, cls.pk) in done) for cls in member_classes]}
        for letter in letters
    ]
    # Letters still to confirm first; the rest below, for reference.
    rows.sort(key=lambda r: all(read for _cls, read in r["mine"]))
    return render(
        request,
        "lectures/publicity/letter_mine.html",
        {"rows": rows, "member_classes": member_classes, "semester": semester},
    )
