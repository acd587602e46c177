"""The counselor's week board, trends by class / department / school, the .xlsx export.
(Placeholder until built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("not built yet")


week_board = remind_missing = class_trend = department_trend = school_trend = export = _todo
