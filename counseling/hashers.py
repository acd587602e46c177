"""Password hashing: Argon2id, tuned for a school's server and a Monday's sign-ins."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's second configuration (19 MiB, 2 passes, 1 lane).

    Django's defaults (100 MiB, 8 lanes) hold 100 MiB per sign-in: a spike of members
    signing in at once on a two-core server would swap. The algorithm name stays "argon2",
    so a hash made with other parameters is re-made at the next sign-in (Django's
    `must_update`). benchmarks/hashing.py measures the cost; RESULTS.md has the figure.
    """

    time_cost = getattr(settings, "ARGON2_TIME_COST", 2)
    memory_cost = getattr(settings, "ARGON2_MEMORY_KIB", 19 * 1024)
    parallelism = getattr(settings, "ARGON2_PARALLELISM", 1)
