"""Pages with tier 3 are never kept by the browser's cache (a shared office computer)."""

from django.urls import reverse

# --- 5. What else opens tier 3: the browser's cache, the system administrator's powers ----


def test_tier3_pages_are_never_cached(world, client):
    """A shared office computer: Back after signing out must not show a kept copy."""
    client.force_login(world.counselor)
    urls = [
        reverse("committees:alert-detail", args=[world.immediate_alert.pk]),
        reverse("committees:alert-list"),
        reverse("committees:barometer-detail", args=[world.concern_barometer.pk]),
        reverse("committees:barometer-file") + f"?class={world.focus.pk}",
        reverse("committees:barometer-export") + "?sensitive=1",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    client.force_login(world.member)
    for name in (
        "committees:talk-tasks",
        "committees:barometer-file",
        "committees:immediate-report",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"], name
