"""Hand-listed mutation testing of the rules the semester report counts.

Each mutant removes or bends one business rule (a boundary, a filter, a role in a
permission) in the source, runs only the tests that cover that module, and puts the source
back. A mutant is *killed* when a test fails, *survived* when every test passes: a
survivor is a rule no test holds.

A hand list rather than mutmut: mutmut 3 runs a fresh pytest session per mutant, and each
session here loads the 3,000-student demo school (about a minute on a loaded machine);
the list names the rules that matter, and the runs reuse one SQLite test database.

    .venv/bin/python scripts/mutants.py             # every mutant
    .venv/bin/python scripts/mutants.py --list      # their names
    .venv/bin/python scripts/mutants.py storm drop  # the mutants whose names contain a word

Run from the project's root, without DATABASE_URL and REDIS_URL (SQLite, tasks inline).
"""

import argparse
import os
import pathlib
import signal
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "mutants"

BAROMETER = "committees/barometer/services.py"
# Each list starts with the file of the tests written for its survivors: with -x, a killed
# mutant then stops at its first failure.
BAROMETER_TESTS = [
    "tests/committees/test_barometer_rules_mutants.py",
    "tests/committees/test_barometer_rules.py",
    "tests/committees/test_missed_weeks_run.py",
]
COVERAGE = "lectures/coverage/services.py"
COVERAGE_TESTS = [
    "tests/lectures/test_coverage_mutants.py",
    "tests/lectures/test_coverage.py",
]
EVENTS = "lectures/events/services.py"
EVENTS_TESTS = [
    "tests/lectures/test_events_rules_mutants.py",
    "tests/lectures/test_venues.py",
    "tests/lectures/test_series.py",
    "tests/lectures/test_attendance.py",
]
# The pages' access tests (lecture access, contests, hours) take minutes a run: the table
# of who holds what decides each of these mutants in seconds.
ACCESS_TESTS = [
    "tests/reports/test_permission_mutants.py",
    "tests/reports/test_report_access.py",
    "tests/committees/test_barometer_export.py",
]

FIGURE_TESTS = ["tests/reports/test_gather.py", "tests/lectures/test_coverage.py"]
CONSULTATION_FIGURE_TESTS = [
    "tests/consultations/test_consultation_figures_mutants.py",
    "tests/consultations/test_consultation_figures.py",
]

# (name, file, text, replacement, tests). The text must occur exactly once in the file.
MUTANTS = [
    # The barometer's alerts.
    ("storm", BAROMETER, "if barometer.weather == Weather.STORM:", "if False:", BAROMETER_TESTS),
    (
        "drop-needs-two-weeks",
        BAROMETER,
        "if len(earlier) >= 2 and",
        "if len(earlier) >= 1 and",
        BAROMETER_TESTS,
    ),
    (
        "drop-boundary",
        BAROMETER,
        "sum(earlier) / len(earlier) >= config.drop_steps",
        "sum(earlier) / len(earlier) > config.drop_steps",
        BAROMETER_TESTS,
    ),
    (
        "urgent",
        BAROMETER,
        "if concern.severity == Severity.URGENT:",
        "if False:",
        BAROMETER_TESTS,
    ),
    (
        "named-member-boundary",
        BAROMETER,
        "streak >= config.named_member_weeks",
        "streak > config.named_member_weeks",
        BAROMETER_TESTS,
    ),
    (
        "named-task-boundary",
        BAROMETER,
        "streak >= config.named_task_weeks",
        "streak > config.named_task_weeks",
        BAROMETER_TESTS,
    ),
    (
        "named-case-boundary",
        BAROMETER,
        "streak > config.named_task_weeks),",
        "streak >= config.named_task_weeks + 2),",
        BAROMETER_TESTS,
    ),
    (
        "named-streak-is-a-run",
        BAROMETER,
        "        if w not in named:\n            break\n",
        "        if w not in named:\n            continue\n",
        BAROMETER_TESTS,
    ),
    (
        "missing-is-a-run",
        BAROMETER,
        "            if result.filed(cls.pk, week):\n                break\n",
        "            if result.filed(cls.pk, week):\n                continue\n",
        BAROMETER_TESTS,
    ),
    (
        "missing-boundary",
        BAROMETER,
        "if run >= config.missing_weeks:",
        "if run > config.missing_weeks:",
        BAROMETER_TESTS,
    ),
    (
        "fidelity-named-students",
        BAROMETER,
        "w != Weather.SUNNY or c or n for",
        "w != Weather.SUNNY or c for",
        BAROMETER_TESTS,
    ),
    (
        "fidelity-needs-an-open-alert",
        BAROMETER,
        "    if not open_for_student.exists():\n        return None\n",
        "",
        BAROMETER_TESTS,
    ),
    (
        "fidelity-weeks",
        BAROMETER,
        "if len(recent) < config.fidelity_weeks or",
        "if len(recent) < 1 or",
        BAROMETER_TESTS,
    ),
    (
        "expected-skips-away-weeks",
        BAROMETER,
        "if not any(a.covers_week(semester, week) for a in away):",
        "if True:",
        BAROMETER_TESTS,
    ),
    (
        "late-boundary",
        BAROMETER,
        "late=now > deadline,",
        "late=now >= deadline + datetime.timedelta(hours=1),",
        BAROMETER_TESTS,
    ),
    (
        "completeness-counts-expected-only",
        BAROMETER,
        '"completeness": len(filed & expected) / n',
        '"completeness": len(filed) / n',
        BAROMETER_TESTS,
    ),
    # Reach: classes_reached.
    (
        "reached-by-activities",
        COVERAGE,
        "set(lecture) | set(activity) | set(events)",
        "set(lecture) | set(events)",
        COVERAGE_TESTS,
    ),
    (
        "reached-by-theme-events",
        COVERAGE,
        "set(lecture) | set(activity) | set(events)",
        "set(lecture) | set(activity)",
        COVERAGE_TESTS,
    ),
    (
        "reached-by-held-lectures-only",
        COVERAGE,
        "session__lecture__semester=semester, session__status=Status.HELD",
        "session__lecture__semester=semester",
        COVERAGE_TESTS,
    ),
    (
        "reached-by-held-activities-only",
        COVERAGE,
        "semester=semester, status=Status.HELD, school_class__isnull=False",
        "semester=semester, school_class__isnull=False",
        COVERAGE_TESTS,
    ),
    (
        "reached-this-semester-only",
        COVERAGE,
        "themeevent__month__semester=semester",
        "themeevent__month__semester__school=semester.school",
        COVERAGE_TESTS,
    ),
    (
        "reach-counts-active-students",
        COVERAGE,
        'Count("students", filter=Q(students__is_active=True))',
        'Count("students")',
        COVERAGE_TESTS,
    ),
    # Venues and sessions.
    (
        "venue-may-start-when-another-ends",
        EVENTS,
        "start_time__lt=end, end_time__gt=start",
        "start_time__lte=end, end_time__gt=start",
        EVENTS_TESTS,
    ),
    (
        "venue-may-end-when-another-starts",
        EVENTS,
        "start_time__lt=end, end_time__gt=start",
        "start_time__lt=end, end_time__gte=start",
        EVENTS_TESTS,
    ),
    (
        "cancelled-frees-the-venue",
        EVENTS,
        "held_or_planned = overlap & ~Q(status=Status.CANCELLED)",
        "held_or_planned = overlap",
        EVENTS_TESTS,
    ),
    (
        "theme-events-book-the-venue",
        EVENTS,
        "        ThemeEvent.objects.filter(overlap),\n",
        "",
        EVENTS_TESTS,
    ),
    (
        "slots-may-touch",
        EVENTS,
        "if d1 == d2 and s2 < e1:",
        "if d1 == d2 and s2 <= e1:",
        EVENTS_TESTS,
    ),
    (
        "slots-overlap-refused",
        EVENTS,
        "if d1 == d2 and s2 < e1:",
        "if False:",
        EVENTS_TESTS,
    ),
    (
        "class-fits-a-full-venue",
        EVENTS,
        "too_big = [c for c, n in items if n > capacity]",
        "too_big = [c for c, n in items if n >= capacity]",
        EVENTS_TESTS,
    ),
    (
        "moved-session-fits-the-venue",
        EVENTS,
        "if seats > venue.capacity:",
        "if False:",
        EVENTS_TESTS,
    ),
    (
        "attendance-not-in-the-future",
        EVENTS,
        "if session.date > timezone.localdate():",
        "if False:",
        EVENTS_TESTS,
    ),
    (
        "attendance-not-negative",
        EVENTS,
        "if n is None or n < 0:",
        "if n is None:",
        EVENTS_TESTS,
    ),
    # What the semester report counts.
    (
        "lecture-reach-counts-held-sessions",
        "lectures/figures.py",
        "filter(session__lecture__in=lectures, session__status=Status.HELD)",
        "filter(session__lecture__in=lectures)",
        FIGURE_TESTS,
    ),
    (
        "lecture-rows-leave-out-cancelled-lectures",
        "lectures/figures.py",
        "lectures.exclude(status=Status.CANCELLED)",
        "lectures",
        FIGURE_TESTS,
    ),
    (
        "activity-rows-count-held-sessions",
        "lectures/figures.py",
        "for row in sessions.filter(status=Status.HELD)",
        "for row in sessions",
        FIGURE_TESTS,
    ),
    (
        "escalated-alerts-are-red",
        "committees/barometer/figures.py",
        'escalated=Count("pk", filter=Q(grade=Alert.Grade.RED))',
        'escalated=Count("pk", filter=~Q(grade=Alert.Grade.YELLOW))',
        FIGURE_TESTS + ["tests/committees/test_barometer_rules.py"],
    ),
    (
        "open-alerts-are-all-not-closed",
        "committees/barometer/figures.py",
        'closed=Count("pk", filter=Q(status=Alert.Status.CLOSED)),\n        open=Count("pk", filter=~Q(status=Alert.Status.CLOSED))',
        'closed=Count("pk", filter=Q(status=Alert.Status.CLOSED)),\n        open=Count("pk", filter=Q(status=Alert.Status.OPEN))',
        FIGURE_TESTS + ["tests/committees/test_barometer_rules.py"],
    ),
    (
        "anonymous-letters",
        "consultations/figures.py",
        "anonymous=Q(student__isnull=True)",
        "anonymous=Q()",
        CONSULTATION_FIGURE_TESTS,
    ),
    (
        "closed-cases-rated-better",
        "consultations/figures.py",
        'better=Q(rating_at_closing__gt=F("rating_at_opening"))',
        'better=Q(rating_at_closing__gte=F("rating_at_opening"))',
        CONSULTATION_FIGURE_TESTS,
    ),
    (
        "the-semester-ends-after-its-last-day",
        "consultations/figures.py",
        "semester.last_day + datetime.timedelta(days=1), datetime.time.min",
        "semester.last_day, datetime.time.min",
        CONSULTATION_FIGURE_TESTS,
    ),
    # Permissions.
    (
        "liaison-exports-the-register",
        "committees/rules.py",
        '"committees.export_barometers", is_counselor | is_liaison',
        '"committees.export_barometers", is_counselor',
        ACCESS_TESTS,
    ),
    (
        "school-admin-exports-no-register",
        "committees/rules.py",
        '"committees.export_barometers", is_counselor | is_liaison',
        '"committees.export_barometers", is_counselor | is_liaison | is_school_admin',
        ACCESS_TESTS,
    ),
    (
        "school-admin-reads-the-report",
        "reports/rules.py",
        '"reports.see_report", is_counselor | is_school_admin',
        '"reports.see_report", is_counselor',
        ACCESS_TESTS,
    ),
    (
        "only-the-head-counselor-submits",
        "reports/rules.py",
        '"reports.submit_report", is_head_counselor',
        '"reports.submit_report", is_counselor',
        ACCESS_TESTS,
    ),
    (
        "only-counselors-write-the-report",
        "reports/rules.py",
        '"reports.write_report", is_counselor',
        '"reports.write_report", is_counselor | is_school_admin',
        ACCESS_TESTS,
    ),
    (
        "sysadmin-sees-no-figures",
        "reports/rules.py",
        '"reports.see_figures", is_counselor',
        '"reports.see_figures", is_sysadmin | is_counselor',
        ACCESS_TESTS,
    ),
    (
        "judge-sees-no-results",
        "lectures/publicity/rules.py",
        "is_counselor & ~is_contest_judge",
        "is_counselor",
        ACCESS_TESTS,
    ),
    (
        "students-see-no-lectures",
        "lectures/events/rules.py",
        '{"student", "sysadmin"}',
        '{"sysadmin"}',
        ACCESS_TESTS,
    ),
    (
        "only-the-head-counselor-sees-everyones-week",
        "consultations/rules.py",
        '"consultations.see_everyones_week", is_head_counselor',
        '"consultations.see_everyones_week", is_counselor',
        ACCESS_TESTS,
    ),
    (
        "class-teacher-sees-rates",
        "committees/rules.py",
        '"committees.see_rates", is_counselor | is_school_admin | is_liaison | is_class_teacher',
        '"committees.see_rates", is_counselor | is_school_admin | is_liaison',
        ACCESS_TESTS,
    ),
    (
        "only-counselors-see-scorecards",
        "committees/rules.py",
        '"committees.see_scorecards", is_counselor',
        '"committees.see_scorecards", is_counselor | is_school_admin',
        ACCESS_TESTS,
    ),
]

SETTINGS = """from counseling.settings_test import *  # noqa: F403

# One test database kept between runs (--reuse-db): a run then skips the migrations.
DATABASES["default"]["TEST"] = {"NAME": %r}  # noqa: F405
"""


def run_tests(tests, env):
    existing = [t for t in tests if (ROOT / t).exists()]
    command = [
        sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly",
        "--ds=mutant_settings", "--reuse-db", *existing,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    return done.returncode, done.stdout.strip().splitlines()[-1:] or [""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="run only the mutants whose names contain one")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.words or any(w in m[0] for w in args.words)]
    if args.list:
        print("\n".join(f"{name:45} {path}" for name, path, *_ in chosen))
        return 0
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        sys.exit("Unset DATABASE_URL and REDIS_URL: the runs use SQLite and inline tasks.")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "mutant_settings.py").write_text(SETTINGS % str(WORK / "test.sqlite3"))
    env = {**os.environ, "PYTHONPATH": str(WORK), "LANG": "C.UTF-8"}
    # Stopped (kill, or Ctrl-C in a background job, which ignores SIGINT): the `finally`
    # below must still put the mutated source back.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))

    # The unmutated code must pass, or every mutant would look killed.
    for tests in dict.fromkeys(tuple(m[4]) for m in chosen):
        code, tail = run_tests(tests, env)
        if code:
            sys.exit(f"The tests fail without a mutant: {' '.join(tests)}\n{tail[0]}")

    survived = []
    for name, path, text, replacement, tests in chosen:
        source_file = ROOT / path
        source = source_file.read_text()
        if source.count(text) != 1:
            sys.exit(f"{name}: the text to mutate occurs {source.count(text)} times in {path}")
        source_file.write_text(source.replace(text, replacement))
        try:
            code, tail = run_tests(tests, env)
        finally:
            source_file.write_text(source)
        verdict = "killed" if code else "SURVIVED"
        if not code:
            survived.append(name)
        print(f"{verdict:9} {name:45} {tail[0]}", flush=True)
    print(f"{len(chosen) - len(survived)} killed, {len(survived)} survived: {' '.join(survived)}")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
