"""Who may see reach against the roster (registered through lectures/rules.py)."""

import rules

from counseling.permissions import is_counselor, is_school_admin

rules.add_perm("lectures.see_coverage", is_counselor | is_school_admin)
