from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = _("School network")

    def ready(self):
        from counseling import signals  # noqa: F401

        _name_axes_models()
        _register_job_kinds()


def _register_job_kinds():
    """The core's background work, for reconcile_jobs and /healthz (counseling.jobs)."""
    from counseling import jobs
    from counseling.exports import services as exports
    from counseling.notifications import reconcile as notifications

    jobs.register(jobs.JobKind("notifications", notifications.reconcile, notifications.count_stuck))
    jobs.register(jobs.JobKind("exports", exports.reconcile, exports.count_stuck))


def _name_axes_models():
    """django-axes ships no Chinese names for its tables: the admin would show
    "Access attempts" in a Chinese portal."""
    from django.apps import apps

    names = {
        "AccessAttempt": (_("failed sign-in attempt"), _("failed sign-in attempts")),
        "AccessFailureLog": (_("sign-in failure"), _("sign-in failures")),
        "AccessLog": (_("sign-in record"), _("sign-in records")),
        "AccessAttemptExpiration": (
            _("sign-in lock expiry"),
            _("sign-in lock expiries"),
        ),
    }
    if not apps.is_installed("axes"):
        return
    for model in apps.get_app_config("axes").get_models():
        if model.__name__ in names:
            model._meta.verbose_name, model._meta.verbose_name_plural = names[model.__name__]
