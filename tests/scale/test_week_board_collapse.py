"""A school too large for tiles: the week board collapses to one line per department."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def board(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("committees:week-board"), {"week": 12, **params})
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_large_school_board_is_collapsed_by_department_with_the_same_queries(
    client, world, settings
):
    settings.BOARD_TILE_LIMIT = 8
    for cls in world.classes[:2]:
        world.file(cls, 12)
    client.force_login(world.counselor)
    board(client)  # warm-up: session, settings row, content types
    html, few = board(client)
    assert "board-tile state-" in html and 'department-summary"' not in html  # 5 classes: tiles
    world.bulk_classes(40, prefix="后")
    html, many = board(client)
    assert "board-tile state-" not in html
    assert html.count('class="d-flex flex-wrap gap-2 align-items-center department-summary"') == 2
    assert many == few


def test_a_chosen_department_shows_its_tiles(client, world, settings):
    settings.BOARD_TILE_LIMIT = 8
    world.bulk_classes(40, prefix="后")
    client.force_login(world.counselor)
    html, _ = board(client, department=world.other_department.pk)
    assert html.count("board-tile state-") == 1
