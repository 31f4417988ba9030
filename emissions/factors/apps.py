from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactorsConfig(AppConfig):
    name = "emissions.factors"
    verbose_name = _("Emission factors and GWP")
