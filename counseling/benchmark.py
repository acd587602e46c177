"""Benchmark mode only (PORTAL_BENCHMARK_MODE): figures for benchmarks/pages.py."""

import time

from django.db import connection


class BenchmarkHeadersMiddleware:
    """Outermost: the query count and the server time of the whole request, as headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response
