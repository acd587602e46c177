from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CounselingConfig(AppConfig):
    name = "counseling"
    verbose_name = _("School network")

    def ready(self):
        # Signal receivers need the models, which exist only once the registry is ready.
        from counseling import signals  # noqa: F401

        _name_axes_models()
        _register_job_kinds()
        make_local_folders()
        # Each app's menu entries (counseling.nav), as the admin finds each app's admin.py.
        autodiscover_modules("nav")


def _register_job_kinds():
    """The core's background work, for reconcile_jobs and /healthz (counseling.jobs)."""
    from counseling import jobs
    from counseling.exports import services as exports
    from counseling.notifications import reconcile as notifications
    from counseling.scheduled import services as scheduled

    jobs.register(jobs.JobKind("notifications", notifications.reconcile, notifications.count_stuck))
    jobs.register(jobs.JobKind("exports", exports.reconcile, exports.count_stuck))
    jobs.register(jobs.JobKind("scheduled", scheduled.reconcile, scheduled.count_stuck))


def make_local_folders():
    """The folders the embedded default needs before its first request, made at start-up
    (settings only name them): the SQLite file's folder, which SQLite does not create, and
    the collected static files' folder, without which WhiteNoise warns at every start.
    Uploads need none: the file storage makes its folders as it writes."""
    folders = []
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if (
        database["ENGINE"].endswith("sqlite3")
        and name
        and not name.startswith((":memory:", "file:"))
    ):
        folders.append(Path(name).parent)
    if settings.STATIC_ROOT:
        folders.append(Path(settings.STATIC_ROOT))
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            # A read-only deployment has made its folders (collectstatic) or uses PostgreSQL.
            pass


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
