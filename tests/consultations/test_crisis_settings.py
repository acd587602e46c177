"""The counselors keep the crisis word list, the checklist and the outside services."""

import pytest
from django.urls import reverse

from consultations.cases.models import ReferralService
from consultations.crisis.models import CrisisStep
from consultations.letters import services as letters
from consultations.letters.models import CrisisWord
from tests.consultations.case_world import World

pytestmark = pytest.mark.django_db


def test_counselors_keep_words_steps_and_services(client):
    world = World()
    url = reverse("consultations:crisis-settings")
    client.force_login(world.other)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "word", "text": "撑不下去"})
    words = set(CrisisWord.objects.filter(school=world.school).values_list("word", flat=True))
    # The defaults stay when the school starts its own list.
    assert "撑不下去" in words and set(letters.DEFAULT_CRISIS_WORDS) <= words
    assert letters.write_letter(world.school, "我快撑不下去了")[0].is_crisis
    client.post(url, {"action": "word", "text": "撑不下去"})  # a repeat: a message, no error
    client.post(url, {"action": "step", "text": "通知保卫科", "notifies": ""})
    assert CrisisStep.objects.filter(school=world.school, title="通知保卫科").exists()
    client.post(url, {"action": "service", "text": "区心理援助中心", "phone": "12356"})
    assert ReferralService.objects.filter(school=world.school, name="区心理援助中心").exists()
    client.post(url, {"action": "word", "text": ""})
    assert client.get(url).status_code == 200


def test_others_cannot_change_them(client):
    world = World()
    url = reverse("consultations:crisis-settings")
    for user in (world.teacher, world.principal, world.student.user):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"action": "word", "text": "x"}).status_code == 403
    assert not CrisisWord.objects.filter(school=world.school).exists()
