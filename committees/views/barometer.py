"""Filing the weekly barometer, immediate reports, alerts, talk tasks, course suggestions,
class absences and the school's barometer settings. (Placeholder until built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("not built yet")


file = detail = reopen = immediate = alert_list = alert_detail = _todo
talk_tasks = suggestion_list = suggestion_answer = absence_list = settings_edit = _todo
