"""Who signs in with a second factor, and whose sessions are held to the staff limits."""

import time

from counseling.permissions import access_of

# Session keys, written at sign-in (counseling.signals) and read by the middleware.
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
STAFF = "staff_session"
NEEDS_SECOND_FACTOR = "needs_second_factor"
VERIFIED_AT = "otp_verified_at"

# Always: they read tier 3, grant access to it, or manage every account.
ALWAYS = {"sysadmin", "counselor", "school_admin"}
# When their school says so (School.second_factor_for_class_staff).
BY_SCHOOL = {"liaison", "class_teacher"}


def is_staff(user):
    return bool(access_of(user).role_names & (ALWAYS | BY_SCHOOL))


def needs_second_factor(user):
    """Students and committee members never do; see ALWAYS and BY_SCHOOL."""
    access = access_of(user)
    names = access.role_names
    if names & ALWAYS:
        return True
    if not names & BY_SCHOOL:
        return False
    schools = {r.school for r in access.roles if r.kind == "liaison"}
    schools.update(c.department.school for c in access.taught_classes)
    return any(s.second_factor_for_class_staff for s in schools)


def start_session(request, user):
    """At sign-in: when, and which limits and factor apply to this session."""
    now = int(time.time())
    session = request.session
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[STAFF] = is_staff(user)
    session[NEEDS_SECOND_FACTOR] = needs_second_factor(user)
