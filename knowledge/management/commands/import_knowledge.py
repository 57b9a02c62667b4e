from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from knowledge import services
from knowledge.models import KnowledgeCategory
from tenants.management.gym_option import GYM_HELP, gym_from_option
from tenants.scope import gym_scope


class Command(BaseCommand):
    help = "Import a CSV, JSON or Markdown file of questions and answers into a gym's knowledge base."

    def add_arguments(self, parser):
        parser.add_argument("--gym", required=True, help=GYM_HELP)
        parser.add_argument("file", help="A .csv (question, answer[, category, priority]), .json or .md file.")
        parser.add_argument("--category", default=KnowledgeCategory.GENERAL, choices=KnowledgeCategory.values,
                            help="Category of items that do not name one (default: general).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")

    def handle(self, *args, **options):
        gym = gym_from_option(options["gym"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if path.stat().st_size > services.MAX_IMPORT_BYTES:
            raise CommandError(f"The file is larger than {services.MAX_IMPORT_BYTES // (1024 * 1024)} MB.")

        def progress(done, total):
            if total >= 200 and (done % max(total // 10, 1) == 0 or done == total):
                self.stdout.write(f"  {done}/{total} items")

        def report(item):
            label = f"row {item.row}" if item.row is not None else "file"
            if item.action == "failed":
                self.stdout.write(self.style.ERROR(f"{label}: failed: {'; '.join(item.errors)}"))
            elif options["verbosity"] >= 2:
                self.stdout.write(f"{label}: {item.action}: {item.question}")

        with gym_scope(gym):
            try:
                job = services.import_file(gym=gym, file_name=path.name, content=path.read_bytes(),
                                           category=options["category"], dry_run=options["dry_run"],
                                           progress=progress, report=report)
            except ValueError as exc:
                raise CommandError(str(exc))
        for error in job.errors:
            if error["row"] is None:
                self.stdout.write(self.style.ERROR(error["message"]))
        prefix = "Dry run (nothing written): " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{job.total} items: {job.created} created, {job.updated} updated, "
                          f"{job.failed} failed; status {job.status}.")
        if job.status == "failed" or job.failed:
            raise CommandError(f"{job.failed} item(s) failed." if job.failed else "The import failed.")
