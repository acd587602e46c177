"""Which figure links a reader may follow: a link only to a page that opens for them."""

from counseling.permissions import is_class_teacher, is_counselor, is_liaison
from reports.figures.gathering import LIST_PAGES

# The permission each list page checks (pages that check in the view are mirrored here).
PAGE_PERMS = {
    "lectures:lecture-list": "lectures.see_events",
    "lectures:coverage": "lectures.see_coverage",
    "lectures:bulletin-list": "lectures.see_publicity",
    "lectures:question-list": "lectures.manage_publicity",
    "lectures:letter-list": "lectures.see_publicity",
    "lectures:theme-month-list": "lectures.see_publicity",
    "committees:member-list": "committees.see_members",
    "committees:schedule": "committees.see_schedule",
    "committees:rates": "committees.see_rates",
    "committees:school-trend": "committees.see_board",
    "committees:alert-list": is_counselor,
    "committees:suggestion-list": is_counselor | is_liaison | is_class_teacher,
    "reports:figure-list": "reports.see_figures",
}


def may_open(figure, user):
    if figure.section == "consultations":
        return True  # the consultation room's pages check access themselves
    perm = PAGE_PERMS.get(LIST_PAGES.get(figure.key, "reports:figure-list"))
    if perm is None:
        return False
    return user.has_perm(perm) if isinstance(perm, str) else bool(perm(user))


def link_for(figure, user):
    """The figure's link when this reader may open it, else None."""
    if not figure.url or not user.is_authenticated:
        return None
    return figure.url if may_open(figure, user) else None
