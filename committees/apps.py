from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committee network")

    def ready(self):
        from counseling.notifications import register_kind

        register_kind(
            "committees.meeting_reminder",
            label=_("Reminder the day before a meeting or training"),
            email=False,
            webhook=True,
        )
        register_kind(
            "committees.meeting_changed",
            label=_("A meeting or training is moved or cancelled"),
            email=True,
            webhook=True,
        )
        register_kind(
            "committees.missed_twice",
            label=_("A committee member missed two meetings in a row"),
            email=True,
            webhook=False,
        )
