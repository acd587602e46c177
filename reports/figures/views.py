"""The figures' pages: the semester at a glance, and the records a figure counts where no
app page lists them (lecture sessions held, activity sessions, contest entries, feedback).

Every list goes through the owning app's `visible_to(user)`; the whole-school roles see
the school's records, a liaison its department's classes, a class teacher its class.
Counts and records only: no student's name appears on these pages.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from counseling.models import SchoolClass
from counseling.permissions import access_of
from counseling.views.helpers import paginate, pick_semester, require_perm
from lectures import figures as lecture_figures
from reports.figures.base import KEYS, make_figure
from reports.figures.charts import titled_charts
from reports.figures.links import link_for
from reports.figures.snapshots import shown_figures

# The keys listed here (those with no app page), by the kind of record they count.
RECORD_KINDS = {
    "lectures.sessions": "sessions",
    "lectures.attendance": "sessions",
    "activities.designs": "activities",
    "activities.sessions": "activities",
    "activities.participants": "activities",
    "publicity.contest_entries": "entries",
    "publicity.awards": "awards",
    "feedback.answers": "feedback",
    "feedback.average": "feedback",
    "feedback.lecture_answers": "feedback",
    "feedback.activity_answers": "feedback",
}


def reader_scope(user, semester):
    """(classes the reader may see, whole school?) for a semester's school."""
    access = access_of(user)
    whole = semester.school_id in access.whole_school_ids
    classes = SchoolClass.objects.visible_to(user).filter(department__school=semester.school)
    return classes, whole


@login_required
@require_perm("reports.see_figures")
def figure_list(request, key):
    kind = RECORD_KINDS.get(key)
    if kind is None or key not in KEYS:
        raise Http404("no such figure list")
    semester = pick_semester(request)
    classes, whole = reader_scope(request.user, semester)
    user = request.user
    context = {"semester": semester, "key": key, "kind": kind, "whole_school": whole}
    context["figure"] = make_figure(key, None)
    if kind == "sessions":
        records = lecture_figures.session_records(user, semester, classes, whole_school=whole)
        context["page"] = paginate(request, records)
    elif kind == "activities":
        records = lecture_figures.activity_records(user, semester, classes, whole_school=whole)
        context["page"] = paginate(request, records)
    elif kind == "entries":
        records = lecture_figures.contest_entry_records(user, semester, classes)
        context["page"] = paginate(request, records)
    elif kind == "awards":
        records = lecture_figures.award_records(user, semester, classes)
        context["page"] = paginate(request, records)
    else:
        if not whole:
            # Feedback is anonymous and school-wide: it has no department to scope it to.
            raise Http404("feedback is for the whole-school roles")
        context["feedback"] = lecture_figures.feedback_records(user, semester)
    return render(request, "reports/figures/list.html", context)


@login_required
@require_perm("reports.see_figures")
def overview(request):
    """The semester's figures, section by section, with their links and the charts: the
    whole school for counselors and the school administrator."""
    semester = pick_semester(request)
    access = access_of(request.user)
    if semester.school_id not in access.whole_school_ids:
        raise Http404("the whole school's figures are for counselors and administrators")
    figures, counted_at = shown_figures(semester)
    counselor = access.counsels(semester.school_id)
    sections = [
        (
            key,
            label,
            [(f, f.display(counselor=counselor), link_for(f, request.user)) for f in items],
        )
        for key, label, items in figures.sections()
    ]
    charts = titled_charts(figures, counselor=counselor)
    return render(
        request,
        "reports/figures/overview.html",
        {
            "semester": semester,
            "sections": sections,
            "charts": charts,
            "figures": figures,
            "counted_at": counted_at,
        },
    )
