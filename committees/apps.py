from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "committees"
    verbose_name = _("Committee network")

    def ready(self):
        # Imported once the models are loaded: each of these reaches committees' models.
        from committees import panels
        from committees.barometer import exports, retention
        from counseling.notifications import register_kind
        from counseling.panels import register_panel

        retention.register()
        register_panel(panels.counselor_panel, order=10)
        register_panel(panels.member_panel, order=20)
        register_panel(panels.teacher_panel, order=30)
        register_panel(panels.liaison_panel, order=40)
        exports.register()

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
        # Alerts and talk tasks concern students of concern: they never go to a group
        # robot, which posts into a chat many people read.
        for key, label in [
            ("committees.alert_red", _("A red alert (at once)")),
            ("committees.alert", _("An alert assigned to me")),
            ("committees.alert_teacher", _("An alert for my class (without names)")),
            ("committees.talk_task", _("A classmate to talk with")),
        ]:
            register_kind(key, label=label, email=True, sensitive=True)
        for key, label, email, webhook in [
            ("committees.barometer_reminder", _("Reminder: the barometer is missing"), False, True),
            ("committees.barometer_missed", _("A class missed its barometer"), True, False),
            ("committees.suggestion", _("A course suggestion for my department"), True, False),
            (
                "committees.suggestion_answered",
                _("My class's course suggestion was answered"),
                False,
                True,
            ),
        ]:
            register_kind(key, label=label, email=email, webhook=webhook)
        register_kind(
            "committees.missed_twice",
            label=_("A committee member missed two meetings in a row"),
            email=True,
            webhook=False,
        )
