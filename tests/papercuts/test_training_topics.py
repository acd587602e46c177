"""A generated schedule's trainings take the curriculum's modules in order, each once; none
repeats, and generating again keeps what is there."""

import datetime

import pytest

from committees.models import Meeting, TrainingModule
from committees.network import services

pytestmark = pytest.mark.django_db


def generate(world):
    return services.generate_schedule(
        world.semester,
        world.counselor,
        weekday=2,
        start_time=datetime.time(16, 30),
        end_time=datetime.time(17, 30),
        place="团体活动室",
    )


def trainings(world):
    return Meeting.objects.filter(semester=world.semester, kind=Meeting.Kind.TRAINING).order_by(
        "date"
    )


def test_topics_follow_the_curriculum_in_order(world):
    titles = ["识别心理困扰", "倾听与共情", "危机信号与转介"]
    for order, title in zip([3, 1, 2], titles, strict=True):
        TrainingModule.objects.create(school=world.school, order=order, title=title)
    TrainingModule.objects.create(school=world.school, order=0, title="旧模块", is_active=False)
    TrainingModule.objects.create(school=world.other_school, order=0, title="外校模块")
    generate(world)
    rows = [(m.topic, [x.title for x in m.modules.all()]) for m in trainings(world)]
    assert rows[:3] == [
        ("倾听与共情", ["倾听与共情"]),
        ("危机信号与转介", ["危机信号与转介"]),
        ("识别心理困扰", ["识别心理困扰"]),
    ]
    # Ten even weeks less none off: the curriculum runs out and nothing repeats.
    assert all(topic == "" and modules == [] for topic, modules in rows[3:])
    assert len(rows) > 3


def test_generating_again_fills_only_new_weeks_with_modules_not_yet_covered(world):
    TrainingModule.objects.create(school=world.school, order=1, title="识别心理困扰")
    generate(world)
    week_2, week_4 = trainings(world)[:2]
    assert (week_2.topic, week_4.topic) == ("识别心理困扰", "")
    week_4.delete()
    TrainingModule.objects.create(school=world.school, order=2, title="倾听与共情")
    created = generate(world)
    assert [m.topic for m in created] == ["倾听与共情"]
    assert trainings(world).filter(topic="识别心理困扰").count() == 1
