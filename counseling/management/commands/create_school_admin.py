"""Create a school's first school administrator: the one account no one in the portal may
make (no one grants itself a role, and the system administrator never grants one that
reads tier 3 or grants counselor roles).

    manage.py create_school_admin --school "某某职业学校" --username principal \
        --full-name "张校长" [--email principal@example.edu.cn]

A one-time password is printed once; the administrator changes it at first sign-in. The
creation is in the school's audit trail. A school that already has a school administrator
is refused: further ones are appointed in the portal.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from counseling import audit
from counseling.models import Role, School


class Command(BaseCommand):
    help = "Create the first school administrator of a school (recorded in the audit trail)."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="the school's name or id")
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, school, username, full_name, email, **options):
        found = School.objects.filter(name=school)
        if not found and school.isdigit():
            found = School.objects.filter(pk=int(school))
        school_row = found.first()
        if school_row is None:
            raise CommandError(f"No school named {school!r}: create it in the admin first.")
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken: choose another.")
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            School.objects.select_for_update().get(pk=school_row.pk)  # one first admin
            admins = Role.objects.current().filter(school=school_row, kind=Role.Kind.SCHOOL_ADMIN)
            if admins.exists():
                raise CommandError(
                    f"{school_row} already has a school administrator: appoint further "
                    "ones in the portal (Roles)."
                )
            user = users.objects.create_user(
                username,
                email=email,
                password=password,
                full_name=full_name,
                must_change_password=True,
            )
            role = Role.objects.create(user=user, kind=Role.Kind.SCHOOL_ADMIN, school=school_row)
            audit.record(
                None,
                audit.AuditEntry.Action.CREATE,
                role,
                school=school_row,
                changes={"first_school_admin": username, "by": "manage.py create_school_admin"},
            )
        self.stdout.write(
            f"{full_name} ({username}) is the school administrator of {school_row}.\n"
            f"One-time password: {password}\n"
            "Give it to them in person; they change it at first sign-in."
        )
