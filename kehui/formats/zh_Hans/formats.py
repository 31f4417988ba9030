"""Simplified Chinese number format for reports: Chinese financial statements group digits in
threes with commas (12,345.6); Django's default for zh_Hans groups nothing."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403  (dates stay Django's)

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
