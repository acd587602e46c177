"""The demo school's lectures-area data, as people trying the portal see it: the one place
where a lectures test asserts a demo figure (other tests build their own world)."""

from lectures.models import Contest
from lectures.publicity import services as publicity_services


def test_demo_contest_is_judged_and_ranked(demo):
    contest = Contest.objects.get(event__month__school=demo, event__title="学生心理漫画比赛")
    assert [c.max_points for c in contest.criteria.all()] == [40, 30, 30]
    assert sorted(contest.judges.values_list("username", flat=True)) == ["counselor2", "counselor3"]
    results = publicity_services.contest_results(contest)["results"]
    assert results[0]["mean"] == 92.0  # (38+27+27 + 37+29+26) / 2
