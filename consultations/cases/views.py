"""Case files: the list (existence and risk), the file itself (content for those who may),
its actions, and breaking the glass."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consultations.cases import forms, services
from consultations.cases.models import Case, CounselorTask, Referral, SessionNote
from consultations.crisis.models import CrisisAction
from consultations.crisis.services import complete_step
from consultations.shared.access import counselor_school
from consultations.students.forms import initial_number
from counseling.auth.reauth import is_recently_verified
from counseling.errors import PortalError
from counseling.models import Student
from counseling.permissions import access_of
from counseling.views.helpers import paginate


def _counselor(request):
    if not access_of(request.user).is_counselor:
        raise PermissionDenied


def _case(request, pk):
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related(
            "student__school_class", "counselor", "school"
        ),
        pk=pk,
    )


@login_required
def case_list(request):
    _counselor(request)
    cases = Case.objects.visible_to(request.user).select_related(
        "student__school_class", "counselor"
    )
    if request.GET.get("show") != "all":
        cases = cases.open()
    return render(
        request,
        "consultations/cases/list.html",
        {"page": paginate(request, cases), "show_all": request.GET.get("show") == "all"},
    )


@login_required
def case_new(request):
    school = counselor_school(request)
    initial = {"student": initial_number(request, request.user, school)}
    form = forms.CaseForm(request.POST or None, school=school, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                request.user,
                data["student"],
                origin=data["origin"],
                concern=data["concern"],
                risk=data["risk"],
                rating=data["rating"],
                concerns=data["concerns"],
            )
        except PortalError as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("consultations:case-detail", pk=case.pk)
    return render(
        request,
        "consultations/cases/form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
def case_detail(request, pk):
    _counselor(request)
    case = _case(request, pk)
    if not case.readable_by(request.user):
        return render(
            request,
            "consultations/cases/restricted.html",
            {"case": case, "form": forms.BreakGlassForm()},
        )
    services.read_case(case, request.user, request)
    school = case.school
    context = {
        "case": case,
        "timeline": services.timeline(case),
        "plan": getattr(case, "plan", None) if hasattr(case, "plan") else None,
        "crisis": list(case.crisis.select_related("step", "done_by")),
        "tasks": list(case.tasks.open()),
        "referrals": list(case.referrals.select_related("service")),
        "note_form": forms.NoteForm(),
        "risk_form": forms.RiskForm(initial={"level": case.risk}),
        "parent_form": forms.ParentContactForm(),
        "referral_form": forms.ReferralForm(school=school),
        "plan_form": forms.PlanForm(initial=_plan_initial(case)),
        "review_form": forms.ReviewForm(),
        "task_form": forms.TaskForm(),
        "close_form": forms.CloseForm(initial={"risk": case.risk}),
        "amend_form": forms.AmendForm(),
    }
    return render(request, "consultations/cases/detail.html", context)


def _plan_initial(case):
    plan = getattr(case, "plan", None) if hasattr(case, "plan") else None
    if plan is None:
        return {}
    return {
        "goals": plan.goals,
        "measures": plan.measures,
        "responsibilities": plan.responsibilities,
        "review_on": plan.review_on,
    }


def _note(case, request):
    pk = request.POST.get("note", "")
    if not pk.isdigit():
        raise Http404
    return get_object_or_404(SessionNote.objects.select_related("case"), pk=pk, case=case)


def _do(case, request, action):
    """Run one action from a POST; returns the flash message."""
    user, post = request.user, request.POST
    if action == "note":
        form = forms.NoteForm(post)
        _valid(form)
        services.add_note(case, user, form.cleaned_data["body"], kind=form.cleaned_data["kind"])
        return _("The note is saved as a draft.")
    if action == "sign":
        services.sign_note(_note(case, request), user)
        return _("The note is signed.")
    if action == "amend":
        form = forms.AmendForm(post)
        _valid(form)
        services.amend_note(_note(case, request), user, **form.cleaned_data)
        return _("The amendment is added.")
    if action == "risk":
        form = forms.RiskForm(post)
        _valid(form)
        services.set_risk(case, user, form.cleaned_data["level"], form.cleaned_data["reason"])
        return _("The risk level is changed.")
    if action == "parent":
        form = forms.ParentContactForm(post)
        _valid(form)
        services.add_parent_contact(case, user, **form.cleaned_data)
        return _("The parent contact is recorded.")
    if action == "referral":
        form = forms.ReferralForm(post, school=case.school)
        _valid(form)
        services.refer(case, user, form.cleaned_data["service"], form.cleaned_data["why"])
        return _("The referral is recorded.")
    if action == "follow_up":
        form = forms.FollowUpForm(post)
        _valid(form)
        referral = get_object_or_404(Referral, pk=form.cleaned_data["referral"], case=case)
        services.follow_up(referral, user, form.cleaned_data["body"])
        return _("The follow-up is recorded.")
    if action == "plan":
        form = forms.PlanForm(post)
        _valid(form)
        services.save_plan(case, user, **form.cleaned_data)
        return _("The plan is saved.")
    if action == "review":
        form = forms.ReviewForm(post)
        _valid(form)
        services.review_plan(case, user, form.cleaned_data["body"])
        return _("The review is recorded.")
    if action == "task":
        form = forms.TaskForm(post)
        _valid(form)
        services.add_task(case, user, form.cleaned_data["title"], form.cleaned_data["due_on"])
        return _("The task is added.")
    if action == "task_done":
        task = get_object_or_404(CounselorTask, pk=post.get("task") or 0, case=case)
        services.complete_task(task, user)
        return _("The task is done.")
    if action == "crisis_step":
        services.require_content(case, user)
        step = get_object_or_404(CrisisAction, pk=post.get("step") or 0, case=case)
        complete_step(step, user)
        return _("The step is recorded.")
    if action == "close":
        form = forms.CloseForm(post)
        _valid(form)
        services.close_case(case, user, **form.cleaned_data)
        return _("The case is closed.")
    raise Http404


def _valid(form):
    if not form.is_valid():
        errors = "; ".join(str(e) for field in form.errors.values() for e in field)
        raise PortalError("form", errors)


@login_required
@require_POST
def case_action(request, pk, action):
    _counselor(request)
    case = _case(request, pk)
    try:
        done = _do(case, request, action)
    except PortalError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect("consultations:case-detail", pk=case.pk)


@login_required
@require_POST
def case_break_glass(request, pk):
    _counselor(request)
    case = _case(request, pk)
    if not is_recently_verified(request):
        # Breaking the glass opens tier 3: a fresh second factor first (counseling.auth).
        query = urlencode({"next": reverse("consultations:case-detail", args=[case.pk])})
        return redirect(f"{reverse('two-factor-verify')}?{query}&again=1")
    form = forms.BreakGlassForm(request.POST)
    try:
        _valid(form)
        services.break_glass(case, request.user, form.cleaned_data["reason"], request=request)
    except PortalError as refused:
        messages.error(request, refused.message)
    return redirect("consultations:case-detail", pk=case.pk)


@login_required
@require_POST
def case_from_alert(request, alert_pk):
    """One step from a barometer alert naming a student to that student's case."""
    from committees.models import Alert

    _counselor(request)
    alert = get_object_or_404(Alert.objects.visible_to(request.user), pk=alert_pk)
    student = _alert_student(alert)
    if student is None:
        messages.error(request, _("This alert names no student: open a case from the list."))
        return redirect("consultations:case-new")
    try:
        case = services.case_from_alert(alert, student, request.user)
    except PortalError as refused:
        messages.error(request, refused.message)
        existing = Case.objects.visible_to(request.user).open().filter(student=student).first()
        if existing:
            return redirect("consultations:case-detail", pk=existing.pk)
        return redirect("consultations:case-list")
    return redirect("consultations:case-detail", pk=case.pk)


def _alert_student(alert):
    if not alert.student_id_enc:
        return None
    pk = alert.student_id_enc
    if not str(pk).isdigit():
        return None
    return Student.objects.filter(pk=pk, school=alert.school).first()
