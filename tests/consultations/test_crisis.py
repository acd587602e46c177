"""Crisis steps: a red level opens the school's checklist; each step timed and recorded; the
teacher gets the minimum; the head counselor sees every open red case."""

import pytest
from django.urls import reverse

from consultations.cases import services
from consultations.cases.models import Risk
from consultations.crisis import services as crisis
from consultations.crisis.models import CrisisAction, CrisisStep
from counseling.errors import PortalError
from counseling.notifications.models import Notification
from tests.consultations.case_world import SECRET, World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def test_red_opens_the_schools_checklist(world):
    CrisisStep.objects.create(school=world.school, order=1, title="通知分管校长")
    CrisisStep.objects.create(school=world.school, order=2, title="陪伴学生")
    CrisisStep.objects.create(school=world.school, order=3, title="旧步骤", is_active=False)
    case = world.case(risk=Risk.ORANGE)
    assert not case.crisis.exists()
    services.set_risk(case, world.counselor, Risk.RED, "表达轻生念头")
    assert [a.step.title for a in case.crisis.all()] == ["通知分管校长", "陪伴学生"]
    # Staying red opens nothing more; red again after a calmer spell opens a new round.
    services.set_risk(case, world.counselor, Risk.ORANGE)
    services.set_risk(case, world.counselor, Risk.RED)
    assert case.crisis.count() == 4


def test_default_checklist_and_timed_steps(world):
    case = world.case(risk=Risk.RED)
    actions = list(case.crisis.select_related("step"))
    assert len(actions) == len(crisis.DEFAULT_STEPS)
    done = crisis.complete_step(actions[3], world.counselor)
    assert done.done_at >= done.opened_at and done.done_by == world.counselor
    with pytest.raises(PortalError):
        crisis.complete_step(actions[3], world.counselor)


def test_teacher_receives_the_minimum(world):
    case = world.case(risk=Risk.RED)
    teacher_step = CrisisAction.objects.get(case=case, step__notifies="teacher")
    crisis.complete_step(teacher_step, world.counselor)
    note = Notification.objects.get(recipient=world.teacher, kind="consultations.crisis_teacher")
    text = note.title + note.body
    assert world.student.name in text and ("红" in text or "red" in text)
    for secret in (SECRET, "concern", "情绪", world.counselor.username):
        assert secret not in text


def test_head_counselor_sees_every_open_red_case(client, world):
    red = world.case(risk=Risk.RED)
    world.case(student=world.student2, risk=Risk.YELLOW)
    client.force_login(world.head)
    home = client.get(reverse("home")).content.decode()
    assert 'id="red-cases"' in home
    assert reverse("consultations:case-detail", args=[red.pk]) in home
    assert home.count("/consultations/cases/") >= 1
    client.force_login(world.other)
    assert 'id="red-cases"' not in client.get(reverse("home")).content.decode()


def test_ticking_a_step_through_the_page(client, world):
    case = world.case(risk=Risk.RED)
    action = case.crisis.first()
    client.force_login(world.counselor)
    client.post(
        reverse("consultations:case-action", args=[case.pk, "crisis_step"]), {"step": action.pk}
    )
    action.refresh_from_db()
    assert action.done_at is not None
    # Another counselor without a grant cannot tick a step.
    other = case.crisis.exclude(pk=action.pk).first()
    client.force_login(world.other)
    client.post(
        reverse("consultations:case-action", args=[case.pk, "crisis_step"]), {"step": other.pk}
    )
    other.refresh_from_db()
    assert other.done_at is None
