from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturesConfig(AppConfig):
    name = "lectures"
    verbose_name = _("Lectures and activities")

    def ready(self):
        # Not a cycle: apps.py is imported before any model is loaded, and both modules
        # import models, so they can only be imported once the app registry is ready.
        from counseling.notifications import register_kind
        from lectures.feedback import retention

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
