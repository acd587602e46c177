"""Contests of a theme month: entries per class, judged blind on a rubric, ranked, awarded.

Blindness is kept by construction: the judge's pages (list, entry, file) are built from
`services.entries_for_judge`, address entries by their code, and never load the entry's
class or submitter; the file is sent under the code. A counselor who judges a contest is
treated as a judge: the pages that name classes are closed to it until awards are given.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling import audit
from counseling.errors import PortalError
from counseling.forms import staff_users
from counseling.models import SchoolClass
from counseling.permissions import access_of
from counseling.views.helpers import require_perm, serve_upload
from lectures.publicity import services
from lectures.publicity.forms import (
    AwardForm,
    ContestSettingsForm,
    CriterionFormSet,
    EntryForm,
    ScoreForm,
)
from lectures.publicity.models import (
    Award,
    Contest,
    ContestEntry,
    ContestJudge,
    Score,
    ThemeMonth,
)
from lectures.publicity.views.common import can_manage, today

Action = audit.AuditEntry.Action


def _contest_or_404(request, pk):
    return get_object_or_404(
        Contest.objects.filter(
            event__month__in=ThemeMonth.objects.visible_to(request.user)
        ).select_related("event__month__school"),
        pk=pk,
    )


def _log(user, action, contest, request, **changes):
    audit.record(
        user,
        action,
        contest.event,
        changes=changes,
        request=request,
        school=contest.event.month.school,
    )


def is_judge(user, contest):
    return user.has_perm("lectures.judge_contest", contest)


def judging_closed(contest):
    """Once awards are given the ranking is final: no more scores."""
    return contest.awards.exists()


def sees_identities(user, contest):
    """Who may see which class sent which entry: counselors who do not judge this contest,
    and, once the awards are given, the judging counselors too."""
    if user.has_perm("lectures.see_contest_results", contest):
        return True
    return can_manage(user) and judging_closed(contest)


def entries_open(contest):
    return today() <= contest.entries_close_on


def _entry_classes(user, contest):
    """Classes the user may submit for: a member its own; a counselor any of the school."""
    school = contest.event.month.school
    classes = SchoolClass.objects.active().filter(department__school=school)
    if can_manage(user):
        return classes.select_related("department").order_by("department__name", "name")
    return classes.filter(pk__in=access_of(user).member_class_ids).order_by("name")


@login_required
@require_perm("lectures.see_publicity")
def contest_detail(request, pk):
    contest = _contest_or_404(request, pk)
    user = request.user
    identities = sees_identities(user, contest)
    member_class_ids = access_of(user).member_class_ids
    context = {
        "contest": contest,
        "event": contest.event,
        "criteria": contest.criteria.all(),
        "judge_count": ContestJudge.objects.filter(contest=contest).count(),
        "entry_count": contest.entries.count(),
        "is_judge": is_judge(user, contest),
        "can_manage": can_manage(user),
        "sees_identities": identities,
        "entries_open": entries_open(contest),
        "can_submit": user.has_perm("lectures.submit_entry")
        and not is_judge(user, contest)
        and _entry_classes(user, contest).exists()
        and (entries_open(contest) or can_manage(user))
        and not judging_closed(contest),
        "judging_closed": judging_closed(contest),
    }
    if identities:
        context["entries"] = contest.entries.select_related(
            "school_class__department", "submitted_by"
        ).order_by("school_class__department__name", "school_class__name", "code")
    elif member_class_ids and not context["is_judge"]:
        # A member sees what its own classes sent, nothing of the others.
        context["entries"] = contest.entries.filter(
            school_class_id__in=member_class_ids
        ).select_related("school_class", "submitted_by")
    if judging_closed(contest):
        # The final word is public once given: the awards, with the classes that won them.
        context["public_awards"] = contest.awards.select_related("entry__school_class")
    return render(request, "lectures/publicity/contest_detail.html", context)


@login_required
@require_perm("lectures.manage_publicity")
def contest_settings(request, pk):
    """Closing date, judges and rubric. The rubric is frozen once a judge has scored."""
    contest = _contest_or_404(request, pk)
    school = contest.event.month.school
    scored = Score.objects.filter(entry__contest=contest).exists()
    judges_queryset = staff_users(school)
    form = ContestSettingsForm(
        request.POST or None, instance=contest, judges_queryset=judges_queryset
    )
    formset = None
    if not scored:
        formset = CriterionFormSet(request.POST or None, instance=contest, prefix="criteria")
    if request.method == "POST":
        valid = form.is_valid() and (formset is None or formset.is_valid())
        if valid:
            chosen = set(form.cleaned_data["judges"])
            current = set(contest.judges.all())
            dropped = current - chosen
            # Scores of a removed judge would still count in contest_results: refuse.
            if Score.objects.filter(entry__contest=contest, judge__in=dropped).exists():
                form.add_error(
                    "judges",
                    _("A judge who has already scored cannot be removed."),
                )
                valid = False
            if formset is not None:
                kept = [
                    f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
                if not kept:
                    formset._non_form_errors = formset.error_class(
                        [_("A contest needs at least one criterion.")]
                    )
                    valid = False
        if valid:
            with transaction.atomic():
                form.save()
                ContestJudge.objects.filter(contest=contest, judge__in=dropped).delete()
                ContestJudge.objects.bulk_create(
                    ContestJudge(contest=contest, judge=j) for j in chosen - current
                )
                if formset is not None:
                    formset.save()
                _log(
                    request.user,
                    Action.UPDATE,
                    contest,
                    request,
                    judges=sorted(str(j) for j in chosen),
                    entries_close_on=str(contest.entries_close_on),
                )
            messages.success(request, _("Saved."))
            return redirect("lectures:contest-detail", pk=contest.pk)
    return render(
        request,
        "lectures/publicity/contest_settings.html",
        {"contest": contest, "form": form, "formset": formset, "scored": scored},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_perm("lectures.submit_entry")
def entry_submit(request, pk):
    contest = _contest_or_404(request, pk)
    classes = _entry_classes(request.user, contest)
    # A judge who sent an entry would know whose it is.
    if not classes.exists() or is_judge(request.user, contest):
        raise PermissionDenied
    if judging_closed(contest) or not (entries_open(contest) or can_manage(request.user)):
        messages.error(request, _("Entries are closed."))
        return redirect("lectures:contest-detail", pk=pk)
    form = EntryForm(request.POST or None, request.FILES or None, classes=classes)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            entry = form.save(commit=False)
            entry.contest = contest
            entry.submitted_by = request.user
            while ContestEntry.objects.filter(contest=contest, code=entry.code).exists():
                entry.code = ContestEntry._meta.get_field("code").get_default()
            entry.save()
            _log(
                request.user,
                Action.UPDATE,
                contest,
                request,
                entry=entry.code,
            )
        messages.success(request, _("Entry %(code)s received. Thank you!") % {"code": entry.code})
        return redirect("lectures:contest-detail", pk=pk)
    return render(
        request,
        "lectures/publicity/entry_form.html",
        {
            "contest": contest,
            "form": form,
            "heading": _("Submit an entry"),
            "back": reverse("lectures:contest-detail", args=[pk]),
        },
        status=400 if form.errors else 200,
    )


def _own_entry(request, contest, entry_pk):
    """An entry the user may handle with its class in view: a counselor who sees
    identities, or the member of the entry's class."""
    entry = get_object_or_404(contest.entries, pk=entry_pk)
    if sees_identities(request.user, contest):
        return entry
    if is_judge(request.user, contest):
        raise PermissionDenied
    if entry.school_class_id in access_of(request.user).member_class_ids:
        return entry
    raise PermissionDenied


@login_required
@require_perm("lectures.see_publicity")
def entry_file(request, pk, entry_pk):
    contest = _contest_or_404(request, pk)
    entry = _own_entry(request, contest, entry_pk)
    return serve_upload(entry.file, f"entry-{entry.code}", inline=_is_image(entry.file.name))


@login_required
@require_POST
@require_perm("lectures.submit_entry")
def entry_withdraw(request, pk, entry_pk):
    contest = _contest_or_404(request, pk)
    entry = _own_entry(request, contest, entry_pk)
    if entry.scores.exists() or entry.awards.exists():
        messages.error(request, _("Judges have scored this entry; it stays."))
    elif not (entries_open(contest) or can_manage(request.user)):
        messages.error(request, _("Entries are closed."))
    else:
        with transaction.atomic():
            code, file = entry.code, entry.file
            entry.delete()
            _log(request.user, Action.UPDATE, contest, request, withdrawn=code)
            transaction.on_commit(lambda: file.storage.delete(file.name))
        messages.success(request, _("Entry %(code)s withdrawn.") % {"code": code})
    return redirect("lectures:contest-detail", pk=pk)


def _is_image(name):
    return name.lower().endswith((".png", ".jpg", ".jpeg"))


# --- The judge's pages: codes and titles only ---------------------------------------------


def _judge_contest_or_403(request, pk):
    contest = _contest_or_404(request, pk)
    if not is_judge(request.user, contest):
        raise PermissionDenied
    return contest


@login_required
def judge_home(request):
    """The contests the user judges."""
    contests = (
        Contest.objects.filter(contestjudge__judge=request.user)
        .select_related("event")
        .annotate(entry_count=Count("entries", distinct=True))
        .order_by("-event__date")
    )
    mine = dict(
        Score.objects.filter(judge=request.user, entry__contest__in=contests)
        .values("entry__contest")
        .annotate(n=Count("entry", distinct=True))
        .values_list("entry__contest", "n")
    )
    rows = [(c, mine.get(c.pk, 0)) for c in contests]
    return render(request, "lectures/publicity/judge_home.html", {"rows": rows})


def _my_points(contest, judge):
    """{entry id: {criterion id: points}} of one judge."""
    points = {}
    for entry_id, criterion_id, value in Score.objects.filter(
        entry__contest=contest, judge=judge
    ).values_list("entry_id", "criterion_id", "points"):
        points.setdefault(entry_id, {})[criterion_id] = value
    return points


@login_required
def judge_contest(request, pk):
    contest = _judge_contest_or_403(request, pk)
    criteria = list(contest.criteria.all())
    mine = _my_points(contest, request.user)
    rows = []
    for entry in services.entries_for_judge(contest, request.user):
        points = mine.get(entry.pk, {})
        complete = len(points) == len(criteria) and bool(criteria)
        rows.append(
            {
                "code": entry.code,
                "title": entry.title,
                "done": complete,
                "total": sum(points.values()) if complete else None,
            }
        )
    return render(
        request,
        "lectures/publicity/judge_contest.html",
        {
            "contest": contest,
            "title": contest.event.title,
            "rows": rows,
            "criteria": criteria,
            "max_total": sum(c.max_points for c in criteria),
            "done": sum(1 for r in rows if r["done"]),
            "closed": judging_closed(contest),
        },
    )


def _judge_entry(contest, user, code):
    return get_object_or_404(services.entries_for_judge(contest, user), code=code)


@login_required
def judge_entry(request, pk, code):
    contest = _judge_contest_or_403(request, pk)
    entry = _judge_entry(contest, request.user, code)
    criteria = list(contest.criteria.all())
    closed = judging_closed(contest)
    mine = _my_points(contest, request.user)
    form = ScoreForm(request.POST or None, criteria=criteria, initial_points=mine.get(entry.pk, {}))
    if request.method == "POST":
        if closed:
            messages.error(request, _("Judging is closed: the awards are given."))
            return redirect("lectures:contest-judge", pk=pk)
        if form.is_valid():
            try:
                services.score_entry(entry, request.user, form.points())
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Scores saved for %(code)s.") % {"code": entry.code})
                return redirect(_next_to_score(contest, request.user, entry, pk))
    return render(
        request,
        "lectures/publicity/judge_entry.html",
        {
            "contest": contest,
            "title": contest.event.title,
            "entry": {"code": entry.code, "title": entry.title},
            "is_image": _is_image(entry.file.name),
            "form": form,
            "criteria": criteria,
            "closed": closed,
        },
        status=400 if form.errors else 200,
    )


def _next_to_score(contest, user, entry, pk):
    criteria = contest.criteria.count()
    done = {
        entry_id
        for entry_id, n in Score.objects.filter(entry__contest=contest, judge=user)
        .values("entry_id")
        .annotate(n=Count("pk"))
        .values_list("entry_id", "n")
        if n == criteria
    }
    for other in services.entries_for_judge(contest, user):
        if other.pk not in done:
            return reverse("lectures:contest-judge-entry", args=[pk, other.code])
    return reverse("lectures:contest-judge", args=[pk])


@login_required
def judge_file(request, pk, code):
    contest = _judge_contest_or_403(request, pk)
    entry = _judge_entry(contest, request.user, code)
    # Sent under the code alone: the stored name is a timestamp, never the uploader's.
    return serve_upload(entry.file, entry.code, inline=_is_image(entry.file.name))


# --- Results and awards --------------------------------------------------------------------


def ranked(contest):
    """contest_results with a competition rank (equal means share a rank: 1, 1, 3)."""
    data = services.contest_results(contest)
    rank, previous = 0, object()
    for position, row in enumerate(data["results"], start=1):
        if row["mean"] is None:
            row["rank"] = None
            continue
        if row["mean"] != previous:
            rank, previous = position, row["mean"]
        row["rank"] = rank
    return data


@login_required
@require_perm("lectures.manage_publicity")
def contest_results(request, pk):
    contest = _contest_or_404(request, pk)
    if not sees_identities(request.user, contest):
        raise PermissionDenied
    data = ranked(contest)
    awards = {a.entry_id: a for a in contest.awards.all()}
    for row in data["results"]:
        row["award"] = awards.get(row["entry"].pk)
    form = AwardForm(request.POST or None, contest=contest)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            award = form.save()
            _log(
                request.user,
                Action.UPDATE,
                contest,
                request,
                award=award.title,
                entry=award.entry.code,
            )
        messages.success(request, _("Award given to %(code)s.") % {"code": award.entry.code})
        return redirect("lectures:contest-results", pk=pk)
    return render(
        request,
        "lectures/publicity/contest_results.html",
        {
            "contest": contest,
            "results": data["results"],
            "incomplete": sum(1 for r in data["results"] if r["judged_by"] < len(data["judges"])),
            "judges": data["judges"],
            "criteria": data["criteria"],
            "max_total": sum(c.max_points for c in data["criteria"]),
            "form": form,
            "awards": contest.awards.select_related("entry__school_class"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@require_perm("lectures.manage_publicity")
def award_delete(request, pk, award_pk):
    contest = _contest_or_404(request, pk)
    if not sees_identities(request.user, contest):
        raise PermissionDenied
    award = get_object_or_404(Award.objects.filter(contest=contest), pk=award_pk)
    with transaction.atomic():
        _log(request.user, Action.UPDATE, contest, request, award_removed=award.title)
        award.delete()
    messages.success(request, _("Award removed."))
    return redirect("lectures:contest-results", pk=pk)
