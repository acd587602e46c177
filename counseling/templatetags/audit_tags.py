"""How the audit page shows an entry's details: names a person reads, not field names."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from counseling.templatetags.portal import week_label

register = template.Library()

# Keys the services write into `changes` that are not a field of the logged model.
DETAIL_LABELS = {
    "account_created": _("Account created"),
    "adopted": _("Adopted"),
    "assigned_to": _("Assigned to"),
    "attendance": _("Attendance"),
    "attendance_saved": _("Attendance saved"),
    "cancelled": _("Cancelled"),
    "carried_over": _("Carried over"),
    "classes": _("Classes"),
    "classes_created": _("New classes"),
    "created": _("Created"),
    "departments_created": _("New departments"),
    "ends_on": _("Ends on"),
    "file": _("File"),
    "from": _("Carried over from"),
    "material": _("Material"),
    "members": _("Members"),
    "minutes": _("Minutes"),
    "moved_here": _("Moved here"),
    "panel": _("Panel"),
    "panel removed": _("Panel removed"),
    "place": _("Place"),
    "read_in": _("Read out in"),
    "reason": _("Reason"),
    "reopened_hours": _("Reopened for (hours)"),
    "rows": _("Rows"),
    "sensitive": _("Sensitive"),
    "sessions_created": _("Sessions created"),
    "status": _("Status"),
    "students_created": _("Students added"),
    "students_of_concern": _("Students of concern"),
    "students_updated": _("Students updated"),
    "talk_task": _("Talk task"),
    "venue": _("Venue"),
    "week": _("Week"),
    "weekday": _("Weekday"),
    "when": _("When"),
}

# Fixed words some services write as values.
DETAIL_VALUES = {
    "done": _("done"),
    "new revision": _("new revision"),
}


def _field(entry, key):
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _label(entry, key):
    """The name of one detail: a known key's label, the logged model's field name, or the key."""
    if key in DETAIL_LABELS:
        return DETAIL_LABELS[key]
    field = _field(entry, key)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(field.verbose_name)
    return key.replace("_", " ")


def _one(value, field):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    if field is not None and getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    return DETAIL_VALUES.get(value, value) if isinstance(value, str) else value


def _value(entry, key, value):
    """A value as a person reads it: a [before, after] pair as "before → after"; yes/no,
    choice values and a few fixed words translated."""
    field = _field(entry, key)
    if key == "week" and isinstance(value, int):
        return week_label(value)
    if isinstance(value, list) and len(value) == 2:
        return f"{_one(value[0], field)} → {_one(value[1], field)}"
    if isinstance(value, list):
        return "、".join(str(_one(v, field)) for v in value)
    return _one(value, field)


@register.simple_tag
def audit_details(entry):
    """[(label, value), …] of an audit entry's details, for `{% audit_details e as rows %}`."""
    return [(_label(entry, key), _value(entry, key, value)) for key, value in entry.changes.items()]
