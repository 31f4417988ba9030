from django.core.management.base import BaseCommand, CommandError

from emissions.activities import rollups


class Command(BaseCommand):
    help = (
        "Check that the record rollups the dashboard reads equal the sums of the activity "
        "records, or rebuild them from the records."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute both rollups from the records (in one transaction), then check.",
        )

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            rollups.rebuild()
            self.stdout.write("Rebuilt the rollups from the activity records.")
        problems = rollups.mismatches()
        for problem in problems[:50]:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                f"{len(problems)} rollup rows differ from the records: run rollups --rebuild."
            )
        self.stdout.write("The rollups equal the sums of the activity records.")
