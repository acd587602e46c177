"""The consultation room in the demo school (called by `manage.py load_demo`); idempotent.

The room first (hours, bookings, online threads), then the letters and case files, which
need the room's counselors and students in place.
"""

from consultations.demo.cases import load_cases
from consultations.demo.room import load_room


def load(school):
    load_room(school)
    load_cases(school)
