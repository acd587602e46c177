from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturesConfig(AppConfig):
    name = "lectures"
    verbose_name = _("Lectures and activities")

    def ready(self):
        from counseling.notifications import register_kind
        from lectures import (
            publicity_rules,  # noqa: F401  (registers the publicity permissions)
            retention,
        )

        retention.register()

        register_kind(
            "lectures.session_reminder",
            label=_("Reminder the day before a lecture session"),
            email=False,
            webhook=True,
        )
        register_kind(
            "lectures.letter",
            label=_("An open letter to read out in class"),
            email=False,
            webhook=True,
        )
