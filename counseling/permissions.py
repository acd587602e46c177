"""Who may see and do what: queryset scopes (`visible_to`) and role predicates.

Every page reaches data through `Model.objects.visible_to(user)`, and every scope is
built here from the user's current roles. A user with no role sees nothing: the scopes
start empty and only roles widen them, so a forgotten case fails closed.
"""

from functools import cached_property

import rules
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

NOTHING = Q(pk__in=[])

# Separation of duties. A counselor reads tier 3; a school administrator may open it to
# someone (it appoints a school's first head counselor). Holders of either kind are
# "guarded": the system administrator can neither hold these roles, grant them, nor take
# over (edit, reset the password of) an account that holds one.
COUNSELOR = "counselor"
SCHOOL_ADMIN = "school_admin"
GUARDED_KINDS = frozenset({COUNSELOR, SCHOOL_ADMIN})


class Access:
    """The user's roles, read once (two queries) and kept for the request."""

    def __init__(self, user):
        self.user = user

    @property
    def authenticated(self):
        return self.user.is_authenticated and self.user.is_active

    @property
    def is_sysadmin(self):
        return self.authenticated and self.user.is_superuser

    @cached_property
    def roles(self):
        if not self.authenticated:
            return []
        roles = self.user.roles.current().select_related("school", "department", "school_class")
        if self.user.is_superuser:
            # The system administrator never holds a guarded role, even if a row says so
            # (one written by hand in a shell, say): the rule holds wherever it came from.
            roles = roles.exclude(kind__in=GUARDED_KINDS)
        return list(roles)

    @cached_property
    def taught_classes(self):
        if not self.authenticated:
            return []
        return list(self.user.taught_classes.filter(is_active=True).select_related("department"))

    def _ids(self, kind, attr):
        return frozenset(getattr(r, attr) for r in self.roles if r.kind == kind)

    @cached_property
    def school_admin_school_ids(self):
        return self._ids("school_admin", "school_id")

    @cached_property
    def counselor_school_ids(self):
        return self._ids("counselor", "school_id")

    @cached_property
    def head_counselor_school_ids(self):
        return frozenset(r.school_id for r in self.roles if r.kind == "counselor" and r.is_head)

    @cached_property
    def liaison_department_ids(self):
        return self._ids("liaison", "department_id")

    @cached_property
    def member_class_ids(self):
        return self._ids("committee_member", "school_class_id")

    @cached_property
    def student_class_ids(self):
        return self._ids("student", "school_class_id")

    @cached_property
    def student_id(self):
        """The Student row of the person's own account, or None (staff have none).

        Read once, so that "a member sees its own rows" filters by this id instead of
        joining every student of the school into each query, which an OR with the school
        scope made PostgreSQL do (10 of the attendance rates' 19 ms at a 600-class school).
        """
        if not self.authenticated:
            return None
        Student = apps.get_model("counseling", "Student")
        return Student.objects.filter(user=self.user).values_list("pk", flat=True).first()

    @cached_property
    def teacher_class_ids(self):
        return frozenset(c.pk for c in self.taught_classes)

    @cached_property
    def school_ids(self):
        """Schools in which the user holds any role."""
        ids = {r.school_id for r in self.roles}
        ids.update(c.department.school_id for c in self.taught_classes)
        return frozenset(ids)

    @cached_property
    def whole_school_ids(self):
        """Schools whose whole network the user sees: administrators and counselors."""
        return self.school_admin_school_ids | self.counselor_school_ids

    @cached_property
    def primary_school(self):
        """The school new records belong to; a person works for one school in practice."""
        for role in self.roles:
            return role.school
        for cls in self.taught_classes:
            return cls.department.school
        if self.is_sysadmin:
            # Through the registry: the models import this module for their scopes.
            return apps.get_model("counseling", "School").objects.order_by("pk").first()
        return None

    # Scopes, each a Q over a path that leads to the named model ("" for the model itself).

    @staticmethod
    def _via(path, lookup):
        return f"{path}__{lookup}" if path else lookup

    @staticmethod
    def _in(path):
        return f"{path}__in" if path else "pk__in"

    def school_q(self, path):
        if self.is_sysadmin:
            return Q()
        if not self.school_ids:
            return NOTHING
        return Q(**{self._in(path): self.school_ids})

    def department_q(self, path):
        if self.is_sysadmin:
            return Q()
        q = NOTHING
        if self.whole_school_ids:
            q |= Q(**{self._via(path, "school__in"): self.whole_school_ids})
        if self.liaison_department_ids:
            q |= Q(**{self._in(path): self.liaison_department_ids})
        return q

    def class_q(self, path):
        if self.is_sysadmin:
            return Q()
        q = NOTHING
        if self.whole_school_ids:
            q |= Q(**{self._via(path, "department__school__in"): self.whole_school_ids})
        if self.liaison_department_ids:
            q |= Q(**{self._via(path, "department__in"): self.liaison_department_ids})
        if self.teacher_class_ids:
            q |= Q(**{self._in(path): self.teacher_class_ids})
        return q

    def class_text_q(self, path):
        """Tier 2 (class-level barometer text, course suggestions): counselors of the school,
        the department's liaison and the class's teacher — not the school administrator nor
        the system administrator, who see school-wide figures only (DESIGN.md)."""
        q = NOTHING
        if self.counselor_school_ids:
            q |= Q(**{self._via(path, "department__school__in"): self.counselor_school_ids})
        if self.liaison_department_ids:
            q |= Q(**{self._via(path, "department__in"): self.liaison_department_ids})
        if self.teacher_class_ids:
            q |= Q(**{self._in(path): self.teacher_class_ids})
        if self.member_class_ids:
            # A class may have two members, who report together: both see its barometers.
            q |= Q(**{self._in(path): self.member_class_ids})
        return q

    def counsels(self, school_id):
        return school_id in self.counselor_school_ids

    @property
    def is_counselor(self):
        return bool(self.counselor_school_ids)

    @property
    def role_names(self):
        """The kinds of role held, class teacher included, for menus and home pages."""
        names = {r.kind for r in self.roles}
        if self.taught_classes:
            names.add("class_teacher")
        if self.is_sysadmin:
            names.add("sysadmin")
        return names


def access_of(user):
    """The Access of any user, anonymous ones included (they get an empty one)."""
    access = getattr(user, "access", None)
    return access if isinstance(access, Access) else Access(user)


# Predicates for `rules`: templates use {% has_perm %}, views `user.has_perm`.


@rules.predicate
def is_sysadmin(user):
    return access_of(user).is_sysadmin


@rules.predicate
def is_school_admin(user):
    return bool(access_of(user).school_admin_school_ids)


@rules.predicate
def is_counselor(user):
    return access_of(user).is_counselor


@rules.predicate
def is_head_counselor(user):
    return bool(access_of(user).head_counselor_school_ids)


@rules.predicate
def is_liaison(user):
    return bool(access_of(user).liaison_department_ids)


@rules.predicate
def is_class_teacher(user):
    return bool(access_of(user).teacher_class_ids)


@rules.predicate
def is_committee_member(user):
    return bool(access_of(user).member_class_ids)


@rules.predicate
def is_student(user):
    return bool(access_of(user).student_class_ids)


@rules.predicate
def has_school_role(user):
    """Any role in any school, class teacher included: the school's own people."""
    return bool(access_of(user).school_ids)


rules.add_perm(
    "counseling.see_network",
    is_sysadmin | is_school_admin | is_counselor | is_liaison | is_class_teacher,
)
rules.add_perm("counseling.see_whole_school", is_sysadmin | is_school_admin | is_counselor)
rules.add_perm("counseling.manage_network", is_sysadmin | is_counselor)
rules.add_perm("counseling.import_roster", is_counselor)
rules.add_perm("counseling.manage_semesters", is_sysadmin | is_school_admin | is_counselor)
rules.add_perm("counseling.manage_roles", is_sysadmin | is_school_admin | is_head_counselor)
# Whether the kind "counselor" is offered at all; each grant is then decided by
# counseling.grant_role on the role itself (role_refusal below).
rules.add_perm("counseling.grant_counselor_role", is_school_admin | is_head_counselor)
rules.add_perm("counseling.see_audit", is_sysadmin | is_head_counselor)


# --- Separation of duties ------------------------------------------------------------------


def guarded_school_ids(user):
    """The schools where an account currently holds a guarded role (one query)."""
    if user is None or not user.pk:
        return frozenset()
    return frozenset(
        user.roles.current().filter(kind__in=GUARDED_KINDS).values_list("school_id", flat=True)
    )


def _school_has_head(role):
    others = (
        type(role).objects.current().filter(school_id=role.school_id, kind=COUNSELOR, is_head=True)
    )
    if role.pk:
        others = others.exclude(pk=role.pk)
    return others.exists()


def _grant_refusal(access, role, *, new):
    if role.user_id is not None and role.user_id == access.user.pk:
        return _("No one can grant or change a role of their own.")
    if role.kind in GUARDED_KINDS and role.user_id and role.user.is_superuser:
        return _("A system administrator cannot hold a counselor or school administrator role.")
    school = role.school_id
    heads = access.head_counselor_school_ids
    admins = access.school_admin_school_ids
    if role.kind == COUNSELOR:
        if school in heads:
            return None
        # Bootstrap: a school without a head counselor gets its first one from the school
        # administrator. Every other counselor role is the head counselor's to grant.
        if new and school in admins and role.is_head and not _school_has_head(role):
            return None
        return _(
            "Only the head counselor grants or changes counselor roles (a school "
            "administrator appoints only a school's first head counselor)."
        )
    if role.kind == SCHOOL_ADMIN:
        if school in heads or school in admins:
            return None
        return _(
            "Only a school administrator or the head counselor of the school grants or "
            "changes a school administrator role."
        )
    if access.is_sysadmin or school in heads or school in admins:
        return None
    return _("You cannot grant roles in this school.")


def role_refusal(actor, role, original=None):
    """Why `actor` may not give `role` (as it will be saved), or None if it may.

    `original` is the role as it was before an edit: changing a role needs the right to
    grant it as it was and as it becomes, so an edit cannot launder a grant.
    """
    access = access_of(actor)
    if not access.authenticated:
        return _("Sign in first.")
    if original is not None:
        refusal = _grant_refusal(access, original, new=False)
        if refusal:
            return refusal
    return _grant_refusal(access, role, new=original is None and not role.pk)


def end_refusal(actor, role):
    """Why `actor` may not end `role`, or None. Anyone may step down from a role of their
    own; ending someone else's is granting's mirror (the first-head exception aside: a
    school administrator may end a counselor role, which only takes access away)."""
    access = access_of(actor)
    if not access.authenticated:
        return _("Sign in first.")
    if role.user_id == access.user.pk:
        return None
    school = role.school_id
    if role.kind == COUNSELOR and school in access.school_admin_school_ids:
        return None
    return _grant_refusal(access, role, new=False)


def account_refusal(actor, target):
    """Why `actor` may not edit, reset the password of or act as `target`, or None.

    An account holding a guarded role is its own, or the business of a head counselor or
    school administrator of each school where it holds one; never the system
    administrator's (whoever sets its password reads tier 3).
    """
    access = access_of(actor)
    if not access.authenticated:
        return _("Sign in first.")
    if target.pk == access.user.pk:
        return None
    schools = guarded_school_ids(target)
    if not schools:
        return None
    keepers = access.head_counselor_school_ids | access.school_admin_school_ids
    if schools <= keepers:
        return None
    return _(
        "This account holds a counselor or school administrator role: only its school's "
        "head counselor or school administrator can change it."
    )


@rules.predicate
def may_grant_role(user, role):
    return role is not None and role_refusal(user, role) is None


@rules.predicate
def may_end_role(user, role):
    return role is not None and end_refusal(user, role) is None


@rules.predicate
def may_manage_account(user, target):
    return target is not None and account_refusal(user, target) is None


rules.add_perm("counseling.grant_role", may_grant_role)
rules.add_perm("counseling.end_role", may_end_role)
rules.add_perm("counseling.manage_account", may_manage_account)
