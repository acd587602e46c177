"""Who may see the read side's pages (loaded by rules' autodiscovery)."""

import rules

from counseling.permissions import access_of, is_sysadmin


@rules.predicate
def has_school_role(user):
    return bool(access_of(user).school_ids)


# The calendar holds school events only (no names, no barometer text): everyone with a role.
rules.add_perm("reports.see_calendar", is_sysadmin | has_school_role)
