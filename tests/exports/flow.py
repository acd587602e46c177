"""Going through an export the way a browser does: ask (POST), let the task run when the
transaction commits (eager Celery in tests), open the job's page, follow its download."""

import re

from django.http import HttpResponse
from django.test import TestCase


def ask(client, url, params=None):
    """POST the request; the task runs on commit. Returns the response to the POST."""
    query = "?" + "&".join(f"{k}={v}" for k, v in (params or {}).items()) if params else ""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url + query)


def download(client, url, params=None):
    """The download's response (its body read into `.body`), or the refusal."""
    response = ask(client, url, params)
    if response.status_code != 302:
        return response
    page = client.get(response["Location"])
    found = re.search(r'href="([^"]*/download/)"', page.content.decode())
    assert found, page.content.decode()[:2000]
    response = client.get(found.group(1))
    if not response.streaming:
        response.body = response.content
        return response
    # Read once into a plain response, so that callers may read `.content` or `.body`.
    body = b"".join(response.streaming_content)
    plain = HttpResponse(body, status=response.status_code)
    for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
        if header in response:
            plain[header] = response[header]
    plain.body = body
    return plain
