"""`{% data_table tables "name" %}`: a page's table, rendered from the Table its download writes."""

from collections.abc import Mapping

from django import template

from ..spreadsheet import Table
from ..tables import shown

register = template.Library()


@register.inclusion_tag("dashboard/_table.html")
def data_table(
    tables: Mapping[str, Table], name: str, caption: str = "", row_headers: bool = True
) -> dict:
    """The page's table `name` (tables.build_tables), with the id "table-<name>".

    Its first column is the row headers unless `row_headers` is False.
    """
    return {"t": shown(tables[name], row_headers), "name": name, "caption": caption}
