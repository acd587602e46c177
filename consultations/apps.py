from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation room")

    def ready(self):
        from consultations.room import panels
        from counseling.notifications import register_kind
        from counseling.panels import register_panel

        register_panel(panels.student_panel, order=5)
        register_panel(panels.counselor_panel, order=8)
        register_panel(panels.head_counselor_panel, order=9)
        # Everything about a consultation is tier 3: never to a group robot, and the texts
        # say a time and nothing else (consultations.notices).
        for key, label in [
            ("consultations.booking_new", _("A booking waits for my confirmation")),
            (
                "consultations.booking_changed",
                _("My consultation is confirmed, moved or cancelled"),
            ),
            ("consultations.booking_reminder", _("Reminder the day before a consultation")),
            ("consultations.talk_request", _("A student asks to talk")),
            ("consultations.message", _("A new online consultation message")),
        ]:
            register_kind(key, label=label, email=True, sensitive=True)
