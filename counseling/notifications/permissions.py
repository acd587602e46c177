"""Who may configure the school's group robot and who watches the outgoing queue."""

import rules

from counseling.permissions import is_counselor, is_school_admin, is_sysadmin

rules.add_perm("counseling.manage_webhook", is_sysadmin | is_school_admin | is_counselor)
# Deliveries name their recipients and errors, never the text: the system administrator's
# view of the queue must not open what a notification says (it may concern a student).
rules.add_perm("counseling.see_deliveries", is_sysadmin)
