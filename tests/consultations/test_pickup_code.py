"""The pick-up code: random, shown once, only a keyed hash stored, read by POST."""

import hashlib

import pytest
from django.urls import reverse

from consultations.letters import services
from consultations.letters.models import Letter
from tests.consultations.case_world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_code_is_random_readable_and_only_hashed(world):
    letter, code = services.write_letter(world.school, "你好")
    assert len(services.normalise_code(code)) == services.CODE_LENGTH
    assert set(services.normalise_code(code)) <= set(services.CODE_ALPHABET)
    stored = Letter.objects.get(pk=letter.pk).pickup_hash
    plain = services.normalise_code(code)
    assert plain not in stored and code not in stored
    # Keyed: a plain hash of the code (what a thief of the table could compute) is not it.
    assert stored != hashlib.sha256(plain.encode()).hexdigest()
    assert stored == services.code_hash(code.lower().replace("-", " "))
    codes = {services.write_letter(world.school, "x")[1] for _ in range(20)}
    assert len(codes) == 20


def test_code_opens_the_reply(client, world):
    letter, code = services.write_letter(world.school, "我的信")
    url = reverse("consultations:letter-pickup")
    waiting = client.post(url, {"code": code}).content.decode()
    assert "我的信" in waiting and "老师的回信" not in waiting
    services.reply(letter, world.counselor, "老师的回信")
    page = client.post(url, {"code": code.lower()}).content.decode()
    assert "老师的回信" in page


def test_wrong_code_finds_nothing(client, world):
    services.write_letter(world.school, "我的信")
    url = reverse("consultations:letter-pickup")
    response = client.post(url, {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 404 and "我的信" not in response.content.decode()
    assert services.letter_by_code("") is None and services.letter_by_code("ABC") is None


def test_code_is_never_read_from_the_address(client, world):
    _letter, code = services.write_letter(world.school, "我的信")
    page = client.get(reverse("consultations:letter-pickup"), {"code": code}).content.decode()
    assert "我的信" not in page


def test_code_is_shown_once_on_the_page(client, world):
    response = client.post(
        reverse("consultations:letter-write"), {"school": world.school.pk, "body": "你好"}
    )
    code = response.context["code"]
    assert code in response.content.decode()
    assert code not in str(dict(client.session))
    assert services.letter_by_code(code).school == world.school
