"""The one rule every feature's URL list shares: the room's pages need a signed-in person."""

from django.contrib.auth.decorators import login_required
from django.urls import path


def signed_in(route, view, name):
    # The views check the rest (role, school, the object's owner).
    return path(route, login_required(view), name=name)
