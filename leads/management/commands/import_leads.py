from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from leads.activity import Actor
from leads.csvfile import ImportFileError
from leads.importer import ON_DUPLICATE, lead_import
from tenants.management.gym_option import GYM_HELP, gym_from_option
from tenants.models import Branch
from tenants.scope import gym_scope

PROGRESS_EVERY = 10_000  # rows; a multiple of the import's batch size


class Command(BaseCommand):
    help = "Import a CSV of leads into a gym (the same import as POST /api/leads/import)."

    def add_arguments(self, parser):
        parser.add_argument("--gym", required=True, help=GYM_HELP)
        parser.add_argument("file", help="A CSV with a header row; first_name, last_name and phone are required.")
        parser.add_argument("--branch", help="Branch of the new leads: its id or exact name (default: none).")
        parser.add_argument("--on-duplicate", default="skip", choices=ON_DUPLICATE,
                            help="A row whose phone is already a lead: skip it (default), update the lead, or "
                                 "create only (the row fails).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count; write nothing.")

    def handle(self, *args, **options):
        gym = gym_from_option(options["gym"])
        branch = _branch(gym, options["branch"]) if options["branch"] else None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        verbose = options["verbosity"] >= 2

        def progress(rows, done, size):
            if rows % PROGRESS_EVERY == 0 and size:
                self.stdout.write(f"  {rows:,} rows read ({min(done / size, 1):.0%} of the file)")

        def report(outcome):
            if outcome.action == "failed":
                self.stdout.write(self.style.ERROR(f"row {outcome.row}: failed: {'; '.join(outcome.messages)}"))
            elif verbose:
                detail = f" ({'; '.join(outcome.messages)})" if outcome.messages else ""
                self.stdout.write(f"row {outcome.row}: {outcome.action}: {outcome.name}{detail}")

        with gym_scope(gym), path.open("rb") as file:
            try:
                result = lead_import(gym=gym, actor=Actor.system("Lead import (manage.py import_leads)"), file=file,
                                     file_name=path.name, branch=branch, on_duplicate=options["on_duplicate"],
                                     dry_run=options["dry_run"], progress=progress, report=report)
            except ImportFileError as exc:
                raise CommandError(str(exc))
        prefix = "Dry run (nothing written): " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{result.total} rows: {result.created} created, {result.updated} updated, "
                          f"{result.skipped} skipped, {result.failed} failed.")
        if result.failed:
            raise CommandError(f"{result.failed} row(s) failed; see the report above.")


def _branch(gym, value):
    branches = Branch.objects.for_gym(gym)
    branch = _by_id(branches, value) or branches.filter(name__iexact=value).first()
    if branch is None:
        raise CommandError(f'The gym has no branch with the id or name "{value}".')
    return branch


def _by_id(queryset, value):
    try:
        return queryset.filter(pk=value).first()
    except (ValueError, ValidationError):
        return None
