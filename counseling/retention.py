"""How long each class of data is kept, and the purge of what is past its time.

Each feature app registers its data classes (in its AppConfig.ready)::

    from counseling import retention
    retention.register("feedback", label=_("Feedback answers"), default_days=730,
                       purge=purge_feedback)

`purge(cutoff, dry_run)` removes or anonymises every row older than `cutoff` (history rows
and file copies included) and returns how many it touched (or would touch). Periods come
from settings.RETENTION_DAYS (environment RETENTION_DAYS="feedback=365,alerts=1095"),
falling back to each class's default. `manage.py purge_expired [--dry-run]` runs them all;
the consultation room registers letters and cases the same way.

The audit trail is a class of its own: at least AUDIT_MIN_DAYS (180) days whatever the
setting, and never deleted by the application (its database role may not): the purge
reports how many entries are past their time, and the table's owner removes them with the
SQL in the README (Operations).
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from counseling.audit import AuditEntry

AUDIT_MIN_DAYS = 180


@dataclasses.dataclass
class DataClass:
    name: str
    label: str
    default_days: int
    purge: Callable
    minimum_days: int = 1


REGISTRY: dict[str, DataClass] = {}


def register(name, *, label, default_days, purge, minimum_days=1):
    REGISTRY[name] = DataClass(name, label, default_days, purge, minimum_days)


def period(name):
    """Days a class is kept: the setting, else the default; never below its minimum."""
    data_class = REGISTRY[name]
    days = int((getattr(settings, "RETENTION_DAYS", None) or {}).get(name, data_class.default_days))
    if days < data_class.minimum_days:
        raise ImproperlyConfigured(
            f"RETENTION_DAYS[{name!r}] = {days}: it must be at least {data_class.minimum_days}."
        )
    return days


def delete_with_files(queryset, dry_run):
    """Delete rows (cascading to their history rows) and the stored files of those rows."""
    model = queryset.model
    file_fields = [f for f in model._meta.concrete_fields if f.get_internal_type() == "FileField"]
    count = queryset.count()
    if dry_run or not count:
        return count
    names = [
        (getattr(row, f.name).storage, getattr(row, f.name).name)
        for row in queryset.only("pk", *[f.name for f in file_fields])
        for f in file_fields
        if getattr(row, f.name)
    ]
    queryset.delete()

    def remove_files():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return count


def purge_expired(*, dry_run=False, now=None, only=None):
    """{class name: rows removed or anonymised (or that would be, with dry_run)}."""
    now = now or timezone.now()
    done = {}
    for name, data_class in sorted(REGISTRY.items()):
        if only and name not in only:
            continue
        cutoff = now - datetime.timedelta(days=period(name))
        with transaction.atomic():
            done[name] = data_class.purge(cutoff, dry_run)
    return done


def _audit_past_time(cutoff, dry_run):
    return AuditEntry.objects.filter(at__lt=cutoff).count()  # counted, never deleted here


register(
    "audit",
    label="audit trail (counted only: removed by the table owner)",
    default_days=3 * 365,
    purge=_audit_past_time,
    minimum_days=AUDIT_MIN_DAYS,
)
