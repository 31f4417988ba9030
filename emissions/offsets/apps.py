from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffsetsConfig(AppConfig):
    name = "emissions.offsets"
    verbose_name = _("Offsets, certificates and allowances")
