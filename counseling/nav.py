"""The main menu. The core knows no feature app, so each app registers its own entries in a
`nav.py` module of its own, imported once the apps are ready (CounselingConfig.ready), as
the home panels are registered (counseling/panels.py):

    from counseling import nav

    nav.register(nav.Link("reports.calendar", _("Calendar"), "reports:calendar", order=60,
                          shows=nav.perm("reports.see_calendar"), icon="bi-calendar3",
                          active=nav.in_app("reports", prefix="calendar")))
    nav.register(nav.Menu("lectures", _("Activities"), order=40, active=nav.in_app("lectures"),
                          items=[nav.Item(_("Lectures"), "lectures:lecture-list", shows=...)]))

A menu shows when one of its items does; a divider stands between two items of different
`section`s. `shows` is a predicate of the user (django-rules predicates combine with & and |).
"""

import dataclasses
from collections.abc import Callable, Sequence

import rules
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

_entries = {}


def perm(name):
    """A predicate: the user has the permission `name`."""
    return rules.predicate(lambda user: user.has_perm(name), name=f"perm:{name}")


def in_app(app, *, names=(), prefix=""):
    """An `active` test: the page is the app's (one of `names`, or a name with `prefix`)."""
    names = frozenset(names)

    def active(app_name, url_name):
        if app_name != app:
            return False
        if names:
            return url_name in names
        return url_name.startswith(prefix)

    return active


def _always(user):
    return True


def _never(app_name, url_name):
    return False


@dataclasses.dataclass(frozen=True)
class Item:
    """One link of a drop-down menu."""

    label: str
    url: str
    shows: Callable = _always
    icon: str = ""
    section: int = 0
    # badge(user) -> a count shown beside the label (and summed on the menu), 0 for none.
    badge: Callable | None = None
    badge_title: str = ""


@dataclasses.dataclass(frozen=True)
class Menu:
    """A drop-down of the main menu."""

    key: str
    label: str
    order: int
    items: Sequence[Item] = ()
    html_id: str = ""
    active: Callable = _never


@dataclasses.dataclass(frozen=True)
class Link:
    """A link of the main menu itself."""

    key: str
    label: str
    url: str
    order: int
    shows: Callable = _always
    icon: str = ""
    html_id: str = ""
    active: Callable = _never


def register(entry):
    _entries[entry.key] = entry
    return entry


def entries():
    return sorted(_entries.values(), key=lambda entry: (entry.order, entry.key))


def menu_for(request):
    """What the signed-in person's menu shows, in order, ready for includes/nav_items.html."""
    user = request.user
    match = request.resolver_match
    app_name, url_name = (match.app_name, match.url_name or "") if match else ("", "")
    shown = []
    for entry in entries():
        active = entry.active(app_name, url_name)
        if isinstance(entry, Link):
            if entry.shows(user):
                shown.append({"entry": entry, "href": reverse(entry.url), "active": active})
            continue
        items, section = [], None
        for item in entry.items:
            if not item.shows(user):
                continue
            divider = section is not None and item.section != section
            section = item.section
            badge = item.badge(user) if item.badge else 0
            items.append(
                {
                    "item": item,
                    "href": reverse(item.url),
                    "divider": divider,
                    "counts": item.badge is not None,
                    "badge": badge,
                }
            )
        if items:
            badge = sum(i["badge"] for i in items)
            shown.append({"entry": entry, "dropdown": items, "active": active, "badge": badge})
    return shown


# The core's own entries: home first, the school last.


def _register_core():
    register(Link("home", _("Home"), "home", order=0, active=lambda app, name: name == "home"))
    see_network = perm("counseling.see_network")
    register(
        Menu(
            "counseling",
            _("School"),
            order=90,
            html_id="nav-school",
            active=in_app("counseling"),
            items=[
                Item(_("Network"), "counseling:department-list", shows=see_network),
                Item(_("Classes"), "counseling:class-list", shows=see_network),
                Item(_("Students"), "counseling:student-list", shows=see_network),
                Item(
                    _("Semesters"),
                    "counseling:semester-list",
                    shows=perm("counseling.manage_semesters"),
                ),
                Item(_("Roles"), "counseling:role-list", shows=perm("counseling.manage_roles")),
                Item(_("Audit trail"), "counseling:audit-list", shows=perm("counseling.see_audit")),
            ],
        )
    )


_register_core()
