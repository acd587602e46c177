from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from counseling import audit, services
from counseling.errors import PortalError
from counseling.forms import RoleForm, school_users
from counseling.models import Role
from counseling.views.helpers import paginate, require_perm, school_of, visible_or_404


@login_required
@require_perm("counseling.manage_roles")
def role_list(request):
    roles = (
        Role.objects.visible_to(request.user)
        .select_related("user", "school", "department", "school_class")
        .exclude(kind=Role.Kind.STUDENT)
    )
    kind = request.GET.get("kind", "")
    if kind in Role.Kind.values:
        roles = roles.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        roles = roles.filter(
            Q(user__full_name__icontains=query) | Q(user__username__icontains=query)
        )
    if request.GET.get("show") != "all":
        roles = roles.current()
    roles = roles.order_by("kind", "user__full_name")
    return render(
        request,
        "counseling/role_list.html",
        {
            "page": paginate(request, roles),
            "kinds": Role.Kind.choices,
            "kind": kind,
            "query": query,
        },
    )


@login_required
@require_perm("counseling.manage_roles")
def role_edit(request, pk=None):
    role = visible_or_404(Role, request.user, pk=pk) if pk else Role(school=school_of(request))
    if pk and not request.user.has_perm("counseling.grant_role", role):
        raise PermissionDenied
    form = RoleForm(request.POST or None, instance=role, user=request.user, school=role.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_role(
                request.user,
                form.instance,
                original=form.original,
                changes=audit.form_changes(form),
                request=request,
            )
        except PortalError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Role saved."))
            return redirect("counseling:role-list")
    return render(
        request,
        "counseling/form.html",
        {
            "form": form,
            "title": _("Role"),
            "back": "counseling:role-list",
            "scripts": ["js/suggest.js"],
        },
    )


@login_required
@require_POST
@require_perm("counseling.manage_roles")
def role_end(request, pk):
    """Roles end, they are not deleted: the audit trail keeps who held what."""
    role = visible_or_404(Role, request.user, pk=pk)
    if not request.user.has_perm("counseling.end_role", role):
        raise PermissionDenied
    services.end_role(request.user, role, request=request)
    messages.success(request, _("Role ended."))
    return redirect("counseling:role-list")


@never_cache
@login_required
@require_perm("counseling.manage_roles")
def person_search(request):
    """Suggestions for the role form's person: at most 20 people of the school."""
    query = request.GET.get("q", "").strip()[:60]
    rows = []
    if query:
        rows = (
            school_users(school_of(request))
            .filter(Q(full_name__icontains=query) | Q(username__icontains=query))
            .values_list("username", "full_name")[:20]
        )
    return JsonResponse(
        {"results": [{"value": username, "label": name or username} for username, name in rows]}
    )
