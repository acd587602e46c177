"""Who may do what in the committee network (loaded by rules' autodiscovery)."""

import rules

from committees.network.services import is_officer
from counseling.permissions import (
    has_school_role,
    is_class_teacher,
    is_counselor,
    is_liaison,
    is_school_admin,
    is_sysadmin,
)


@rules.predicate
def is_association_officer(user):
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_association_officer", None)
    if cached is None:
        cached = user._is_association_officer = is_officer(user)
    return cached


rules.add_perm("committees.see_schedule", is_sysadmin | has_school_role)
rules.add_perm("committees.manage", is_counselor)
rules.add_perm("committees.run_meeting", is_counselor | is_association_officer)
rules.add_perm(
    "committees.see_rates", is_counselor | is_school_admin | is_liaison | is_class_teacher
)
rules.add_perm(
    "committees.see_members", is_counselor | is_school_admin | is_liaison | is_class_teacher
)
# The week board and trends: whole school for counselors and school administrators, a
# department for its liaison, a class for its teacher (scoped by SchoolClass.visible_to).
rules.add_perm(
    "committees.see_board", is_counselor | is_school_admin | is_liaison | is_class_teacher
)
# The barometer register (台账) as .xlsx: tier 2; tier-3 columns only for counselors.
# The register holds class-level text (tier 2): not for the school administrator.
rules.add_perm("committees.export_barometers", is_counselor | is_liaison)
rules.add_perm("committees.see_scorecards", is_counselor)
