"""Time one password hash with each hasher the portal knows (the sign-in's main cost).

.venv/bin/python benchmarks/hashing.py [repeats]
"""

import os
import statistics
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings")
django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher  # noqa: E402

from counseling.hashers import PortalArgon2PasswordHasher  # noqa: E402


def timed(hasher, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        hasher.encode("bench12345", hasher.salt())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows = [
        ("portal Argon2id (19 MiB, t=2, p=1)", PortalArgon2PasswordHasher()),
        ("Django's Argon2id defaults (100 MiB, t=2, p=8)", Argon2PasswordHasher()),
        ("PBKDF2-SHA256 (Django 5.2 default, 1,000,000 rounds)", get_hasher("pbkdf2_sha256")),
    ]
    print("| hasher | median ms | max ms |\n|---|---|---|")
    for name, hasher in rows:
        median, worst = timed(hasher, repeats)
        print(f"| {name} | {median:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
