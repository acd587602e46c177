from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation room")

    def ready(self):
        from consultations.cases import panels as case_panels
        from consultations.room import panels
        from counseling.notifications import register_kind
        from counseling.panels import register_panel

        register_panel(panels.student_panel, order=5)
        register_panel(panels.counselor_panel, order=8)
        register_panel(panels.head_counselor_panel, order=9)
        register_panel(case_panels.red_cases_panel, order=11)
        register_panel(case_panels.tasks_panel, order=12)
        register_panel(case_panels.student_panel, order=50)
        # Everything about a consultation is tier 3: never to a group robot, and the texts
        # say a time and nothing else (consultations.shared.notices).
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
        # Letters and cases: the same rule, tier 3 everywhere.
        for key, label in [
            ("consultations.letter_crisis", _("A letter that reads as a crisis (at once)")),
            ("consultations.letter_reply", _("The room answered my letter")),
            ("consultations.case_assigned", _("A case assigned to me")),
            ("consultations.break_glass", _("A counselor opened a case not assigned to it")),
            ("consultations.crisis_head", _("A case at risk level red")),
            ("consultations.crisis_teacher", _("A student of my class needs me now")),
        ]:
            register_kind(key, label=label, email=True, sensitive=True)
