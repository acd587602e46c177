"""Lectures, activities and publicity in the main menu (counseling.nav)."""

from django.utils.translation import gettext_lazy as _

from counseling import nav
from counseling.permissions import is_committee_member

see_events = nav.perm("lectures.see_events")
see_publicity = nav.perm("lectures.see_publicity")
EVENTS, PUBLICITY = 0, 1

nav.register(
    nav.Menu(
        "lectures",
        _("Activities"),
        order=40,
        html_id="nav-lectures",
        active=nav.in_app("lectures"),
        items=[
            nav.Item(_("Lectures"), "lectures:lecture-list", shows=see_events),
            nav.Item(_("Group activities"), "lectures:activity-design-list", shows=see_events),
            nav.Item(
                _("Coverage"),
                "lectures:coverage",
                shows=see_events & nav.perm("lectures.see_coverage"),
            ),
            nav.Item(
                _("Venues"), "lectures:venue-list", shows=see_events & nav.perm("lectures.manage")
            ),
            nav.Item(
                _("Bulletin board"),
                "lectures:bulletin-list",
                shows=see_publicity,
                section=PUBLICITY,
            ),
            nav.Item(
                _("Open letters"), "lectures:letter-list", shows=see_publicity, section=PUBLICITY
            ),
            nav.Item(
                _("Theme months"),
                "lectures:theme-month-list",
                shows=see_publicity,
                section=PUBLICITY,
            ),
            nav.Item(
                _("Confirm letters read out"),
                "lectures:letter-mine",
                shows=see_publicity & is_committee_member,
                icon="bi-megaphone",
                section=PUBLICITY,
            ),
            nav.Item(
                _("Ask a question"),
                "lectures:question-ask",
                shows=see_publicity & nav.perm("lectures.ask_question"),
                section=PUBLICITY,
            ),
            nav.Item(
                _("Students' questions"),
                "lectures:question-list",
                shows=see_publicity & nav.perm("lectures.manage_publicity"),
                section=PUBLICITY,
            ),
            nav.Item(
                _("Judging"),
                "lectures:contest-judge-home",
                shows=see_publicity & nav.perm("lectures.judge_contest"),
                icon="bi-clipboard-check",
                section=PUBLICITY,
            ),
        ],
    )
)
