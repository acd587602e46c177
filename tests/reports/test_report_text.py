"""The report's text: the draft drafted from the figures, placeholders that follow the
data while a draft and stay put once submitted, unknown ones refused, text never a template."""

import pytest

from counseling.errors import PortalError
from reports.figures import gather
from reports.semester_report import services
from reports.semester_report.text import PLACEHOLDER, fill, paragraphs, unknown_placeholders
from tests.reports.report_world import ReportWorld, frozen_time
from tests.reports.world import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with frozen_time():
        yield ReportWorld()


@pytest.fixture
def draft(world):
    with frozen_time():
        report = services.start_report(world.counselor, world.semester)
        return report.versions.get()


def body(version):
    return "\n".join(s["heading"] + "\n" + s["body"] for s in version.sections)


def test_the_draft_follows_the_seeds_outline(draft):
    assert len(draft.sections) == 6
    assert all(s["heading"] and s["body"] for s in draft.sections)
    assert draft.title.startswith(draft.report.school.name)


def test_every_draft_sentence_names_real_figures_and_shows_their_values(world, draft):
    with frozen_time():
        figures = gather(world.school, world.semester, now=NOW)
        text = body(draft)
        keys = set(PLACEHOLDER.findall(text))
        assert not unknown_placeholders(text, figures)
        assert len(keys) >= 30  # every section speaks of its figures
        filled = fill(text, figures)
        assert "〔" not in filled
        for key in keys:
            assert figures[key].display(counselor=False) in filled, key
        # Hand-counted (tests/reports/world.py): 2 held sessions of lecture A, 5 present.
        first = fill(draft.sections[1]["body"].splitlines()[1], figures)
        assert figures["lectures.sessions"].value == 2 and "2" in first
        assert str(figures["lectures.attendance"].value) in first


def test_a_placeholder_follows_the_data_while_a_draft_and_is_frozen_after(world, draft):
    services.save_section(world.counselor, draft, 0, "概述", "本学期讲座〔lectures.sessions〕场。")
    with frozen_time():
        before = draft.figure_set()["lectures.sessions"].value
        assert paragraphs(draft.sections[0]["body"], draft.figure_set())  # sanity
        draft.refresh_from_db()
        assert f"讲座{before}场" in fill(draft.sections[0]["body"], draft.figure_set())
        world.session(world.lecture_a, 11, 7, "held", [(world.a4, 1, 1)])
        after = draft.figure_set()["lectures.sessions"].value
        assert after == before + 1
        assert f"讲座{after}场" in fill(draft.sections[0]["body"], draft.figure_set())
        submitted = services.submit(world.counselor, draft)
        world.session(world.lecture_a, 12, 8, "held", [(world.a4, 1, 1)])
        assert gather(world.school, world.semester)["lectures.sessions"].value == after + 1
        submitted.refresh_from_db()
        assert f"讲座{after}场" in fill(submitted.sections[0]["body"], submitted.figure_set())


def test_a_label_works_as_a_placeholder_too(world, draft):
    with frozen_time():
        figures = draft.figure_set()
        label = figures["lectures.sessions"].label
        assert fill(f"〔{label}〕", figures) == figures["lectures.sessions"].display(
            counselor=False
        )


def test_an_unknown_placeholder_is_refused_with_its_name(world, draft):
    with frozen_time(), pytest.raises(PortalError) as refused:
        services.save_section(world.counselor, draft, 0, "概述", "共〔lectures.sesions〕场")
    assert refused.value.code == "unknown_placeholder"
    assert "〔lectures.sesions〕" in refused.value.message
    draft.refresh_from_db()
    assert "sesions" not in draft.sections[0]["body"]


def test_the_text_is_data_never_a_template(world, draft):
    nasty = "{{ request.user }} {% load static %} <script>alert(1)</script> 〔lectures.sessions〕"
    with frozen_time():
        services.save_section(world.counselor, draft, 0, "概述", nasty)
        html = "".join(paragraphs(nasty, draft.figure_set()))
    assert "{{ request.user }}" in html and "{% load static %}" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'data-key="lectures.sessions"' in html


def test_a_line_opening_with_a_chinese_ordinal_is_a_level_two_heading(draft):
    html = "".join(paragraphs("（一）讲座\n正文", draft.figure_set()))
    assert '<p class="level2">（一）讲座</p>' in html and '<p class="para">正文</p>' in html
