"""The counselors' pages do a fixed number of queries whatever the number of cases,
letters and contacts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.cases import services
from consultations.letters import services as letters
from tests.consultations.case_world import World
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def _grow(world, n):
    for k in range(n):
        student = StudentFactory(school_class=world.school_class)
        case = world.case(student=student)
        services.add_note(case, world.counselor, f"记录{k}")
        services.add_parent_contact(case, world.counselor, "家长", f"沟通{k}")
        letters.write_letter(world.school, f"信{k}", student=student)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["consultations:case-list", "consultations:letter-list"])
def test_lists_take_a_fixed_number_of_queries(client, name):
    small, large = World("qs"), World("ql")
    _grow(small, 1)
    _grow(large, 30)
    counts = []
    for world in (small, large):
        client.force_login(world.counselor)
        counts.append(_queries(client, reverse(name) + "?show=all"))
    assert counts[0] == counts[1]


def test_case_page_takes_a_fixed_number_of_queries(client):
    counts = []
    for n, prefix in ((1, "ds"), (20, "dl")):
        world = World(prefix)
        case = world.case()
        for k in range(n):
            services.add_note(case, world.counselor, f"记录{k}")
            services.add_parent_contact(case, world.counselor, "家长", f"沟通{k}")
            referral = services.refer(case, world.counselor, world.service, f"原因{k}")
            services.follow_up(referral, world.counselor, f"跟进{k}")
        client.force_login(world.counselor)
        counts.append(_queries(client, reverse("consultations:case-detail", args=[case.pk])))
    assert counts[0] == counts[1]
