"""The bulletin board (心理橱窗): its issues and panels, and the questions it answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling import audit
from counseling.ratelimit import is_limited
from counseling.views.helpers import paginate, pick_semester, require_perm, school_of, serve_upload
from lectures.publicity.forms import AnswerForm, BulletinIssueForm, BulletinPanelForm, QuestionForm
from lectures.publicity.models import BulletinIssue, BulletinPanel, StudentQuestion
from lectures.publicity.views.common import can_manage, published_only, today

Action = audit.AuditEntry.Action

# Questions per person per hour: enough for a student, too few to flood the counselors.
QUESTION_RATE = "5/h"


def _issues(user):
    issues = BulletinIssue.objects.visible_to(user)
    if published_only(user):
        issues = issues.filter(shown_from__lte=today())
    return issues


@login_required
@require_perm("lectures.see_publicity")
def bulletin_list(request):
    semester = pick_semester(request)
    issues = (
        _issues(request.user)
        .filter(semester=semester)
        .annotate(
            panel_count=Count("panels", distinct=True),
            answered=Count("questions", filter=~Q(questions__answer=""), distinct=True),
        )
    )
    manage = can_manage(request.user)
    return render(
        request,
        "lectures/publicity/bulletin_list.html",
        {
            "semester": semester,
            "issues": issues,
            "today": today(),
            "can_manage": manage,
            "can_ask": request.user.has_perm("lectures.ask_question"),
            "waiting": (
                StudentQuestion.objects.visible_to(request.user).filter(answer="").count()
                if manage
                else None
            ),
        },
    )


@login_required
@require_perm("lectures.see_publicity")
def bulletin_detail(request, pk):
    issue = get_object_or_404(_issues(request.user).select_related("semester"), pk=pk)
    return render(
        request,
        "lectures/publicity/bulletin_detail.html",
        {
            "issue": issue,
            "panels": issue.panels.all(),
            "questions": issue.questions.exclude(answer="").order_by("asked_at"),
            "can_manage": can_manage(request.user),
            "can_ask": request.user.has_perm("lectures.ask_question"),
            "today": today(),
        },
    )


@login_required
@require_perm("lectures.manage_publicity")
def bulletin_edit(request, pk=None):
    school = school_of(request)
    issue = (
        get_object_or_404(BulletinIssue.objects.visible_to(request.user), pk=pk)
        if pk
        else BulletinIssue(school=school)
    )
    form = BulletinIssueForm(request.POST or None, instance=issue, school=issue.school)
    if request.method == "POST" and form.is_valid():
        issue = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Saved."))
        return redirect("lectures:bulletin-detail", pk=issue.pk)
    return render(
        request,
        "lectures/publicity/bulletin_form.html",
        {
            "form": form,
            "issue": issue,
            "heading": _("Edit the issue") if pk else _("New bulletin board issue"),
            "back": reverse("lectures:bulletin-detail", args=[pk])
            if pk
            else reverse("lectures:bulletin-list"),
        },
    )


@login_required
@require_perm("lectures.manage_publicity")
def panel_edit(request, issue_pk, pk=None):
    issue = get_object_or_404(BulletinIssue.objects.visible_to(request.user), pk=issue_pk)
    panel = get_object_or_404(issue.panels, pk=pk) if pk else BulletinPanel(issue=issue)
    if not pk:
        panel.order = (issue.panels.count() or 0) + 1
    form = BulletinPanelForm(request.POST or None, request.FILES or None, instance=panel)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            panel = form.save()
            issue.log_action(
                request.user,
                Action.UPDATE,
                changes={"panel": panel.title, **audit.form_changes(form)},
                request=request,
            )
        messages.success(request, _("Saved."))
        return redirect("lectures:bulletin-detail", pk=issue.pk)
    return render(
        request,
        "lectures/publicity/panel_form.html",
        {
            "form": form,
            "issue": issue,
            "panel": panel,
            "heading": _("Edit the panel") if pk else _("Add a panel"),
            "back": reverse("lectures:bulletin-detail", args=[issue.pk]),
        },
    )


@login_required
@require_POST
@require_perm("lectures.manage_publicity")
def panel_delete(request, issue_pk, pk):
    issue = get_object_or_404(BulletinIssue.objects.visible_to(request.user), pk=issue_pk)
    panel = get_object_or_404(issue.panels, pk=pk)
    with transaction.atomic():
        title, image = panel.title, panel.image
        panel.delete()
        if image:
            # The file goes only once the row is gone for good.
            transaction.on_commit(lambda: image.storage.delete(image.name))
        issue.log_action(request.user, Action.UPDATE, changes={"panel removed": title})
    messages.success(request, _("Panel removed."))
    return redirect("lectures:bulletin-detail", pk=issue.pk)


@login_required
@require_perm("lectures.see_publicity")
def panel_image(request, pk):
    """Panel images pass through here, behind the sign-in (media is not served openly)."""
    panel = get_object_or_404(BulletinPanel.objects.filter(issue__in=_issues(request.user)), pk=pk)
    return serve_upload(panel.image, f"panel-{panel.pk}", inline=True)


# --- Students' questions ----------------------------------------------------------------


@login_required
@require_perm("lectures.ask_question")
def question_ask(request):
    """Ask the bulletin board. The question is stored without its author: no user, no
    audit entry naming the asker; only a hashed, expiring rate-limit key in the cache."""
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_limited(request, "question", QUESTION_RATE, key="user"):
            form.add_error(None, _("You have asked several questions just now; try again later."))
        else:
            question = form.save(commit=False)
            question.school = school_of(request)
            question.save()
            messages.success(
                request,
                _(
                    "Thank you. Your question was sent without your name; watch the bulletin board for the answer."
                ),
            )
            return redirect("lectures:bulletin-list")
    return render(
        request,
        "lectures/publicity/question_form.html",
        {
            "form": form,
            "heading": _("Ask the bulletin board"),
            "back": reverse("lectures:bulletin-list"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_perm("lectures.manage_publicity")
def question_list(request):
    show = request.GET.get("show", "waiting")
    questions = StudentQuestion.objects.visible_to(request.user).select_related("answered_in")
    if show == "waiting":
        questions = questions.filter(Q(answer="") | Q(answered_in__isnull=True))
    elif show == "answered":
        questions = questions.exclude(answer="").filter(answered_in__isnull=False)
    return render(
        request,
        "lectures/publicity/question_list.html",
        {"page": paginate(request, questions), "show": show},
    )


@login_required
@require_perm("lectures.manage_publicity")
def question_answer(request, pk):
    question = get_object_or_404(StudentQuestion.objects.visible_to(request.user), pk=pk)
    form = AnswerForm(request.POST or None, instance=question, school=question.school)
    if request.method == "POST" and form.is_valid():
        question = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Answer saved."))
        if question.answered_in_id:
            return redirect("lectures:bulletin-detail", pk=question.answered_in_id)
        return redirect("lectures:question-list")
    return render(
        request,
        "lectures/publicity/question_answer.html",
        {
            "form": form,
            "question": question,
            "heading": _("Answer a question"),
            "back": reverse("lectures:question-list"),
        },
    )


@login_required
@require_POST
@require_perm("lectures.manage_publicity")
def question_discard(request, pk):
    """Drop a question that is not one to answer in public (spam, or a matter for a talk)."""
    question = get_object_or_404(StudentQuestion.objects.visible_to(request.user), pk=pk)
    with transaction.atomic():
        audit.record(
            request.user,
            Action.DELETE,
            question,
            request=request,
            school=question.school,
            label=_("Student question"),
        )
        question.delete()
    messages.success(request, _("Question discarded."))
    return redirect("lectures:question-list")
