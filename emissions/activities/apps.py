from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "emissions.activities"
    verbose_name = _("Activity data")

    def ready(self):
        from . import signals  # noqa: F401  (connects the recalculation triggers)
