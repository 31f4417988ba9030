"""A job: long work run by a worker process, and what a person sees of it.

The task queue (django.tasks with django-tasks-db) knows how to run a function later; a Job
row is what the Jobs page shows: who asked for what, when, how far it got, and how it ended.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobKind(models.TextChoices):
    # Recalculations and restatements rewrite stored figures: pages warn while one is unfinished.
    RECALCULATION = "recalculation", _("Recalculation")
    RESTATEMENT = "restatement", _("Restatement")
    IMPORT = "import", _("Import")
    ROLLUPS = "rollups", _("Rollup rebuild")
    EXPORT = "export", _("Export")
    PREVIEW = "preview", _("Preview")


# The kinds whose unfinished jobs make every page say its figures may change.
CHANGES_FIGURES = (JobKind.RECALCULATION, JobKind.RESTATEMENT, JobKind.ROLLUPS)


class Job(models.Model):
    # The dotted path of the function the worker calls with `params` (jobs.registry keeps
    # the list of functions a job may run, so a row can never name arbitrary code).
    function = models.CharField(_("function"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    description = models.CharField(_("what"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=20, choices=JobKind, default=JobKind.RECALCULATION
    )
    # Where the job's result is seen (an import's page, a download), once it has finished.
    result_url = models.CharField(_("result"), max_length=300, blank=True)
    # The reporting years whose figures the job changes ([]: every year), for the notice pages
    # show while it is unfinished.
    years = models.JSONField(_("years affected"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus, default=JobStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    records = models.PositiveBigIntegerField(_("records changed"), null=True, blank=True)
    # Progress while running, in the job's own steps (records, factors, statements).
    done = models.PositiveBigIntegerField(_("done"), null=True, blank=True)
    total = models.PositiveBigIntegerField(_("of"), null=True, blank=True)
    progress_at = models.DateTimeField(_("progress reported at"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    # The queue's own id for the task run, to find it in the queue (stuck-queue checks).
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    # The job this one runs again (restarted from the Jobs page after a failure).
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("retry of"),
    )

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=["queued", "running"]),
                name="job_unfinished",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.description} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def years_label(self) -> str:
        return ", ".join(str(year) for year in self.years)

    @property
    def percent_done(self) -> int | None:
        if not self.total or self.done is None:
            return None
        return min(100, self.done * 100 // self.total)


def export_upload_to(instance: "ExportFile", filename: str) -> str:
    """A random storage name under exports/: the name offered for download is kept apart."""
    import uuid

    from django.utils import timezone

    # Only the extension is taken from the given name (csv or xlsx, chosen by the code).
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ExportFile(models.Model):
    """A file a job wrote for one person to download, kept until `expires_at`.

    Stored under MEDIA_ROOT like evidence files, never served as media: only a permission-checked
    view hands it out (to its requester or an administrator).
    """

    job = models.OneToOneField(
        Job, on_delete=models.CASCADE, related_name="export_file", verbose_name=_("job")
    )
    # SET_NULL: a deleted user's files stay until they expire, fetchable by administrators only.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    file = models.FileField(_("stored file"), upload_to=export_upload_to, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    expires_at = models.DateTimeField(_("expires at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export file")
        verbose_name_plural = _("export files")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expires_at"], name="export_expires_at")]

    def __str__(self):
        return self.filename
