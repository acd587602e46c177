"""Fifty students try one slot at the same moment: one booking, 49 clear messages.

Only PostgreSQL runs the inserts truly at once; SQLite would queue them. Skipped without
DATABASE_URL (CI sets it).
"""

import os
import threading

import pytest
import time_machine
from django.db import connection, connections

from consultations.booking import services
from consultations.booking.models import Booking
from counseling.errors import PortalError
from tests.consultations.world import NOW, THURSDAY, World, at

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the race needs PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]

RACERS = 50


def test_fifty_students_one_slot_one_booking(transactional_db):
    assert connection.vendor == "postgresql"
    with time_machine.travel(NOW, tick=False):
        world = World()
        students = [world.pupil(f"c-racer{n}", f"同学{n}") for n in range(RACERS)]
    start = threading.Barrier(RACERS)
    results = [None] * RACERS

    def attempt(n):
        try:
            with time_machine.travel(NOW, tick=False):
                start.wait()
                try:
                    booking = services.book(
                        students[n].user,
                        counselor_id=world.counselor.pk,
                        starts_at=at(THURSDAY, 14),
                        channel="in_person",
                    )
                    results[n] = ("booked", booking.pk)
                except PortalError as error:
                    results[n] = (error.code, error.message)
        except Exception as error:  # anything else is a failure the test reports
            results[n] = ("crash", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    outcomes = [r[0] for r in results]
    assert outcomes.count("booked") == 1, outcomes
    assert outcomes.count("taken") == RACERS - 1, outcomes
    messages = {r[1] for r in results if r[0] == "taken"}
    assert len(messages) == 1 and str(next(iter(messages)))
    assert Booking.objects.filter(school=world.school).count() == 1
