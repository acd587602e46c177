"""Who may do what with publicity: the bulletin board, open letters, theme months, contests
(registered through lectures/rules.py)."""

import rules

from counseling.permissions import (
    has_school_role,
    is_committee_member,
    is_counselor,
    is_sysadmin,
)
from lectures.publicity.models import ContestJudge


@rules.predicate
def is_contest_judge(user, contest=None):
    """A judge of this contest; without a contest, a judge of any contest (for menus)."""
    if not user.is_authenticated:
        return False
    if contest is not None:
        return ContestJudge.objects.filter(contest=contest, judge=user).exists()
    cached = getattr(user, "_is_contest_judge", None)
    if cached is None:
        cached = user._is_contest_judge = ContestJudge.objects.filter(judge=user).exists()
    return cached


# Publicity is for the whole school: students are its readers.
rules.add_perm("lectures.see_publicity", is_sysadmin | has_school_role)
rules.add_perm("lectures.manage_publicity", is_counselor)
# Questions are asked signed in (every student has an account) but stored without a name.
rules.add_perm("lectures.ask_question", has_school_role)
rules.add_perm("lectures.confirm_letter", is_committee_member | is_counselor)
rules.add_perm("lectures.submit_entry", is_committee_member | is_counselor)
rules.add_perm("lectures.judge_contest", is_contest_judge)
# Results name the classes: a counselor who judges the contest must not see them.
rules.add_perm("lectures.see_contest_results", is_counselor & ~is_contest_judge)
