"""Form widgets for the filter bars, which can list hundreds of facilities on every page."""

from django import forms
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A <select> rendered in Python: the same HTML, byte for byte, as Django's Select.

    Django renders each <option> through its template engine, about 0.1 ms an option, so a
    filter bar listing 200 facilities cost 25 ms per page. Option groups are not supported
    (the filters that use this widget have none).
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Widget's context, not ChoiceWidget's: that builds a dict per option (optgroups). For
        # 1,000 facilities: 11.9 ms with it, 3.5 ms without (issue 22).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        wanted = set(widget["value"])
        options, selected_one = [], False
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                raise ValueError("QuickSelect does not render option groups.")
            text = "" if option_value is None else str(option_value)
            # As Select: only the first option with a chosen value is marked selected.
            selected = not selected_one and text in wanted
            selected_one = selected_one or selected
            options.append(
                f'\n  <option value="{escape(text)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>\n"
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributes(widget["attrs"]),
            mark_safe("".join(options)),  # noqa: S308 - every part escaped just above
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
