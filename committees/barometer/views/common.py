"""What the barometer's pages share: who counsels the school, a class's roster, posted ids."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from counseling.models import Student
from counseling.permissions import access_of


def counsels(user, school_id):
    return access_of(user).counsels(school_id)


def require_counselor(user, school_id):
    if not counsels(user, school_id):
        raise PermissionDenied


def roster_of(school_class):
    return list(
        Student.objects.filter(school_class=school_class, is_active=True).order_by("student_number")
    )


def posted_pk(request, name):
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404(f"no {name}")
    return int(value)


def page_url(name, **params):
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(f"committees:{name}") + (f"?{urlencode(query)}" if query else "")
