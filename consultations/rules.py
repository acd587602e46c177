"""Who may do what in the consultation room (loaded by rules' autodiscovery)."""

import rules

from counseling.permissions import is_counselor, is_head_counselor, is_student

# The room's pages: students (their own bookings and threads) and counselors. Class
# teachers, liaisons, members, the principal and the system administrator: none of it.
rules.add_perm("consultations.see_room", is_student | is_counselor)
rules.add_perm("consultations.book", is_student)
rules.add_perm("consultations.counsel", is_counselor)
rules.add_perm("consultations.manage_room", is_counselor)
rules.add_perm("consultations.see_everyones_week", is_head_counselor)
