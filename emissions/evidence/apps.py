from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "emissions.evidence"
    verbose_name = _("Evidence files")

    def ready(self):
        from . import signals  # noqa: F401  (removes a deleted file's bytes from storage)
