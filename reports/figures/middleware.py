"""Marks a school's figure snapshots changed after a request that wrote what they count."""

import re

from django.db import connection

from reports.figures import snapshots

# The tables the semester's figures are counted from (lectures/figures.py,
# committees/figures.py, consultations/figures.py and the classes they count).
COUNTED = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?'
    r"(?:lectures_|committees_|consultations_|"
    r"counseling_(?:schoolclass|student|department|semester))",
    re.IGNORECASE,
)


class FigureWritesMiddleware:
    """Watches the request's SQL for a write to a counted table; after the response, marks
    the writer's schools (snapshots.mark_changed). Reads cost nothing more than the check
    of each statement's first words."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        wrote = []

        def watch(execute, sql, params, many, context):
            if not wrote and COUNTED.match(sql):
                wrote.append(True)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(watch):
            response = self.get_response(request)
        user = getattr(request, "user", None)
        if wrote and user is not None and user.is_authenticated:
            snapshots.mark_changed(user)
        return response
