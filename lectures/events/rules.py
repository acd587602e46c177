"""Who may see and plan lectures and group activities (registered through lectures/rules.py).

Lectures and activity sessions are school events: every adult with a role in the school and
every committee member sees them. A student's only way in is the public feedback form, which
needs no account at all.
"""

import rules

from counseling.permissions import access_of, is_counselor, is_sysadmin


@rules.predicate
def has_staff_or_member_role(user):
    """Any role in a school other than "student" (class teachers included)."""
    return bool(access_of(user).role_names - {"student", "sysadmin"})


rules.add_perm("lectures.see_events", is_sysadmin | has_staff_or_member_role)
rules.add_perm("lectures.manage", is_counselor)
