"""What the consultation room puts on a counselor's home page (see counseling.panels)."""

from django.utils import timezone

from consultations.cases.models import Case, CounselorTask, Risk


def tasks_panel(request, home):
    """The counselor's own open tasks, the earliest due first."""
    if not home["access"].is_counselor:
        return None
    tasks = list(
        CounselorTask.objects.open()
        .filter(counselor=request.user, case__school_id__in=home["access"].counselor_school_ids)
        .order_by("due_on", "pk")[:10]
    )
    return {
        "template": "consultations/panels/tasks.html",
        "tasks": tasks,
        "today": timezone.localdate(),
    }


def red_cases_panel(request, home):
    """The head counselor sees every open red case of its schools."""
    schools = home["access"].head_counselor_school_ids
    if not schools:
        return None
    cases = list(
        Case.objects.open()
        .filter(school_id__in=schools, risk=Risk.RED)
        .select_related("student__school_class", "counselor")
        .order_by("opened_at")[:50]
    )
    return {"template": "consultations/panels/red_cases.html", "cases": cases}


def student_panel(request, home):
    """A student finds the way to ask for help on its home page."""
    if not home["access"].student_class_ids:
        return None
    return {"template": "consultations/panels/student_letters.html"}
