"""The floor page: what every page costs before it does anything (benchmarks/pages.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render


@login_required
def floor(request):
    """A constant template through the same middleware and base layout as every page."""
    if not settings.BENCHMARK_MODE:
        raise Http404
    return render(request, "counseling/floor.html")
