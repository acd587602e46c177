"""Who may read feedback (registered through lectures/rules.py)."""

import rules

from counseling.permissions import is_counselor

# Students' comments are free text and may name someone: counselors read them.
rules.add_perm("lectures.see_feedback", is_counselor)
