"""The rich world the whole-portal tests crawl brings every kind of object they fill URLs with."""

from tests.portal.rich_world import RichWorld


def test_the_rich_world_has_one_of_every_kind(db):
    rw = RichWorld()
    missing = [kind for kind, obj in rw.objects.items() if not obj]
    assert not missing, missing
    rules = {a.rule for a in rw.alerts}
    assert len(rules) >= 3, rules
    assert rw.barometer.students.exists()
