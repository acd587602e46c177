from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from counseling.panels import register_panel
        from reports import panels

        register_panel(panels.principal_panel, order=5)
        register_panel(panels.liaison_panel, order=45)
        register_panel(panels.teacher_panel, order=35)

        from reports.semester_report import exports

        exports.register()
