"""Who may see the read side's pages (loaded by rules' autodiscovery)."""

import rules

from counseling.permissions import (
    has_school_role,
    is_class_teacher,
    is_counselor,
    is_head_counselor,
    is_liaison,
    is_school_admin,
    is_sysadmin,
)

# The calendar holds school events only (no names, no barometer text): everyone with a role.
rules.add_perm("reports.see_calendar", is_sysadmin | has_school_role)

# The figures' own record lists and the figure pages: the whole-school roles and the
# liaison and class teacher (their department's or class's records); not the sysadmin.
rules.add_perm(
    "reports.see_figures", is_counselor | is_school_admin | is_liaison | is_class_teacher
)
# The semester report: counselors write it, the head counselor submits it, the school
# administrator reads the submitted versions; the system administrator sees none of it.
rules.add_perm("reports.see_report", is_counselor | is_school_admin)
rules.add_perm("reports.write_report", is_counselor)
rules.add_perm("reports.submit_report", is_head_counselor)
