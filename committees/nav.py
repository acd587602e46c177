"""The committee network's entries in the main menu (counseling.nav)."""

from django.utils.translation import gettext_lazy as _

from committees.models import Alert
from counseling import nav
from counseling.permissions import is_committee_member, is_counselor, is_liaison


def open_red_alerts(user):
    """Open red alerts the user may see: one COUNT for counselors, no query for others
    (their alert scope is empty)."""
    return Alert.objects.visible_to(user).open().filter(grade=Alert.Grade.RED).count()


see_schedule = nav.perm("committees.see_schedule")

nav.register(
    nav.Menu(
        "committees.barometer",
        _("Barometer"),
        order=20,
        html_id="nav-barometer",
        active=nav.in_app(
            "committees",
            names=[
                "barometer-file",
                "barometer-detail",
                "immediate-report",
                "week-board",
                "class-trend",
                "department-trend",
                "school-trend",
                "alert-list",
                "alert-detail",
                "talk-tasks",
                "suggestion-list",
                "absence-list",
                "barometer-settings",
                "scorecards",
            ],
        ),
        items=[
            nav.Item(
                _("File the barometer"),
                "committees:barometer-file",
                shows=is_committee_member,
                icon="bi-cloud-sun",
            ),
            nav.Item(
                _("Immediate report"),
                "committees:immediate-report",
                shows=is_committee_member,
                icon="bi-exclamation-octagon",
            ),
            nav.Item(_("Talk tasks"), "committees:talk-tasks", shows=is_committee_member),
            nav.Item(
                _("Week board"), "committees:week-board", shows=nav.perm("committees.see_board")
            ),
            nav.Item(
                _("Alerts"),
                "committees:alert-list",
                shows=is_counselor,
                badge=open_red_alerts,
                badge_title=_("Open red alerts"),
            ),
            nav.Item(
                _("Course suggestions"),
                "committees:suggestion-list",
                shows=is_liaison | is_committee_member | is_counselor,
            ),
            nav.Item(
                _("Scorecards"),
                "committees:scorecards",
                shows=nav.perm("committees.see_scorecards"),
            ),
            nav.Item(_("Class absences"), "committees:absence-list", shows=is_counselor, section=1),
            nav.Item(
                _("Barometer settings"),
                "committees:barometer-settings",
                shows=is_counselor,
                section=1,
            ),
        ],
    )
)

nav.register(
    nav.Menu(
        "committees.network",
        _("Committee members"),
        order=30,
        html_id="nav-committees",
        active=nav.in_app(
            "committees",
            names=[
                "my-record",
                "member-list",
                "member-detail",
                "member-appoint",
                "member-end",
                "schedule",
                "meeting-detail",
                "meeting-new",
                "meeting-edit",
                "attendance",
                "minutes",
                "material-upload",
                "association",
                "module-list",
                "module-new",
                "module-edit",
                "rates",
            ],
        ),
        items=[
            nav.Item(
                _("My record"), "committees:my-record", shows=see_schedule & is_committee_member
            ),
            nav.Item(_("Meetings and trainings"), "committees:schedule", shows=see_schedule),
            nav.Item(
                _("Members by class"),
                "committees:member-list",
                shows=see_schedule & nav.perm("committees.see_members"),
            ),
            nav.Item(_("Committee association"), "committees:association", shows=see_schedule),
            nav.Item(_("Training curriculum"), "committees:module-list", shows=see_schedule),
            nav.Item(
                _("Attendance rates"),
                "committees:rates",
                shows=see_schedule & nav.perm("committees.see_rates"),
            ),
        ],
    )
)
