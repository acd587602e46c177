"""One way for every heavy download: a job row, a Celery task that takes its id after
commit, a stored file, a page that polls, and a download checked again.

The core knows no feature app, so each app registers its exporters in its
AppConfig.ready():

    register_exporter(Exporter(key="committees.register", label=..., build=..., allows=...))

An exporter says who may ask (`allows(user, params)`, checked on request and again at
download), what makes two requests the same (`identity`), and how to build the file
(`build(job) -> (bytes, extension)`), which runs in the worker as the person who asked.
"""

import dataclasses
from collections.abc import Callable

_exporters = {}


@dataclasses.dataclass(frozen=True)
class Exporter:
    key: str
    label: str
    build: Callable  # build(job) -> (bytes, ".ext")
    allows: Callable  # allows(user, params) -> bool
    school_of: Callable  # school_of(params) -> School
    filename: Callable  # filename(params) -> str without extension
    # identity(user, params) -> JSON-able value; equal identities share one job and one file.
    # The default: the same person asking for the same thing (the content depends on who).
    identity: Callable | None = None
    # Shared jobs (identity without the person) may be downloaded by anyone `allows` lets in.
    shared: bool = False

    def identity_of(self, user, params):
        if self.identity is not None:
            return self.identity(user, params)
        return {"user": user.pk, "params": params}


def register_exporter(exporter):
    _exporters[exporter.key] = exporter
    return exporter


def get_exporter(key):
    try:
        return _exporters[key]
    except KeyError:
        raise LookupError(f"no exporter {key!r}") from None
