"""The "Download: CSV · XLSX" links beside a table, carrying the page's filter."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("dashboard/_downloads.html")
def downloads(url_name: str, *args, query: str = "", **params) -> dict:
    """Links to the CSV and XLSX of a table: `url_name` with `args`, then the format.

    `query` is the page's filter as a query string (PageFilter.query()); `params` add to it.
    """
    extra = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    suffix = "&".join(part for part in (query, extra) if part)
    suffix = f"?{suffix}" if suffix else ""
    return {
        "csv_url": reverse(url_name, args=[*args, "csv"]) + suffix,
        "xlsx_url": reverse(url_name, args=[*args, "xlsx"]) + suffix,
    }
