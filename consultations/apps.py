from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultation room")

    def ready(self):
        from consultations import panels
        from counseling.notifications import register_kind
        from counseling.panels import register_panel

        register_panel(panels.tasks_panel, order=12)
        register_panel(panels.red_cases_panel, order=11)
        register_panel(panels.student_panel, order=50)
        # Everything about letters and cases is tier 3: never a group robot, and the texts
        # say only that something is waiting, never what.
        for key, label in [
            ("consultations.letter_crisis", _("A letter that reads as a crisis (at once)")),
            ("consultations.letter_reply", _("The room answered my letter")),
            ("consultations.case_assigned", _("A case assigned to me")),
            ("consultations.break_glass", _("A counselor opened a case not assigned to it")),
            ("consultations.crisis_head", _("A case at risk level red")),
            ("consultations.crisis_teacher", _("A student of my class needs me now")),
        ]:
            register_kind(key, label=label, email=True, sensitive=True)
