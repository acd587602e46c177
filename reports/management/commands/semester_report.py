"""Write the PDF of a school's semester report, for the school's archive and for cron.

    python manage.py semester_report --school 示范市职业教育中心 --semester 2026-2027学年第一学期 \
        --out report.pdf [--version 2 | --draft]

The latest submitted version by default, a given one with --version, the current draft
with --draft. School and semester by id or by name. A submitted version's stored PDF is
written as it is; a draft's is made now.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from counseling.models import School, Semester
from reports.semester_report.models import Report, ReportVersion


def _by_id_or_name(queryset, value, what):
    found = queryset.filter(pk=int(value)) if value.isdigit() else queryset.none()
    found = found or queryset.filter(name=value)
    found = list(found[:2])
    if len(found) != 1:
        raise CommandError(f"unknown {what}: {value!r}")
    return found[0]


class Command(BaseCommand):
    help = __doc__

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Django's own --version (its release) gives way to the report's version number.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="id or name")
        parser.add_argument("--semester", required=True, help="id or name")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--version", type=int, dest="number", help="a submitted version's number"
        )
        which.add_argument("--draft", action="store_true", help="the current draft")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, **options):
        from reports.semester_report.exports import pdf_job
        from reports.semester_report.render import pdf_bytes
        from reports.semester_report.services import previous_submitted

        school = _by_id_or_name(School.objects.all(), options["school"], "school")
        semester = _by_id_or_name(
            Semester.objects.filter(school=school), options["semester"], "semester"
        )
        report = Report.objects.filter(school=school, semester=semester).first()
        if report is None:
            raise CommandError(f"{school} has no report for {semester}")
        versions = report.versions.all()
        if options["draft"]:
            version = versions.filter(status=ReportVersion.Status.DRAFT).first()
            if version is None:
                raise CommandError("this report has no draft")
        elif options["number"] is not None:
            version = versions.filter(number=options["number"]).first()
            if version is None or version.is_draft:
                raise CommandError(f"no submitted version {options['number']}")
        else:
            version = versions.filter(status=ReportVersion.Status.SUBMITTED).first()
            if version is None:
                raise CommandError("no version of this report is submitted (use --draft)")
        job = pdf_job(version)
        if job is not None and job.is_ready:
            with job.file.open("rb") as handle:
                content = handle.read()
        else:
            content = pdf_bytes(version, previous=previous_submitted(report))
        out = Path(options["out"])
        out.write_bytes(content)
        self.stdout.write(f"{out}: {version} ({len(content)} bytes)")
