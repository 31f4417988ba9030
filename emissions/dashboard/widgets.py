"""Form widgets for the filter bars, which can list hundreds of facilities on every page."""

from django import forms
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A <select> rendered in Python: the same HTML, byte for byte, as Django's Select.

    Django renders each <option> through its template engine, about 0.1 ms an option, so a
    filter bar listing 200 facilities cost 25 ms per page. Option groups are not supported
    (the filters that use this widget have none).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            option
            for group_name, group_options, _index in widget["optgroups"]
            for option in group_options
        ]
        if any(group_name for group_name, _options, _index in widget["optgroups"]):
            raise ValueError("QuickSelect does not render option groups.")
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributes(widget["attrs"]),
            format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>\n',
                ((str(o["value"]), _attributes(o["attrs"]), o["label"]) for o in options),
            ),
        )


def _attributes(attrs: dict):
    # As django/forms/widgets/attrs.html, in the same order: True is a bare attribute, False is
    # left out, anything else is name="value".
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value),)
            for key, value in attrs.items()
            if value is not False
        ),
    )
