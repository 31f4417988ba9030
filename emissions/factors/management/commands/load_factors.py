from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from emissions.factors.dataset_file import DatasetFileError, load_dataset_file
from emissions.factors.loading import load_shipped_factors


class Command(BaseCommand):
    help = (
        "Load the shipped gases/GWPs, factor datasets and emission factors (safe to re-run); "
        "with --file, load a new factor dataset and preview the restatement it would make."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            help="A CSV in the shipped format holding one new dataset (e.g. a new MEE-NBS "
            "year). Changes no record: it makes a restatement preview to apply or discard.",
        )
        parser.add_argument("--publisher", default="", help="Publisher of a new dataset.")

    def handle(self, *args, file=None, publisher="", **options):
        if file is not None:
            self._load_file(file, publisher)
            return
        report = load_shipped_factors()
        self.stdout.write(
            f"Gases: {report.gases}. Datasets: {report.datasets}. Factors: {report.created} "
            f"created, {report.updated} updated, {report.unchanged} unchanged."
        )
        if report.changed_factor_ids or report.changed_gas_codes:
            # Saving a changed factor or GWP queues the recalculation of the records that use
            # it (see the receivers in emissions/activities/signals.py).
            self.stdout.write(
                f"Changed: {len(report.changed_factor_ids)} factors, "
                f"{len(report.changed_gas_codes)} gases; their records' recalculation was "
                "queued (see the Jobs page)."
            )

    def _load_file(self, file: Path, publisher: str) -> None:
        # Imported here: the restatement lives downstream of the factors (neutrality).
        from django.urls import reverse

        from emissions.neutrality.restatements import start_preview

        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            load = load_dataset_file(file.name, content, publisher=publisher)
        except DatasetFileError as refused:
            raise CommandError("Nothing was loaded:\n" + "\n".join(refused.problems)) from None
        restatement = start_preview(load.datasets[0], load.factor_ids, user=None)
        url = reverse("dashboard:restatement", args=[restatement.pk])
        self.stdout.write(
            f"Dataset {load.datasets[0].name}: {len(load.created)} factors added, "
            f"{load.unchanged} already in the library. No record has changed.\n"
            f"Restatement #{restatement.pk}: preview {restatement.get_status_display().lower()} "
            f"(job #{restatement.preview_job_id}); see {url} to apply or discard it."
        )
