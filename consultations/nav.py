"""The consultation room in the main menu (counseling.nav)."""

from django.utils.translation import gettext_lazy as _

from counseling import nav

nav.register(
    nav.Link(
        "consultations",
        _("Consultation room"),
        "consultations:room",
        order=50,
        shows=nav.perm("consultations.see_room"),
        icon="bi-chat-heart",
        html_id="nav-consultations",
        active=nav.in_app("consultations"),
    )
)
