"""QuickSelect renders the same HTML as Django's Select, only faster."""

import pytest
from django import forms

from emissions.dashboard.widgets import QuickSelect

CHOICES = [
    ("", "All facilities"),
    ("XT-01", "XT-01 邢台 <main> & “plant”"),
    (2025, "2025"),
    ('a"b', "quoted"),
    (None, "none"),
    ("XT-01", "the same value again"),
]


@pytest.mark.parametrize("value", [None, "", "XT-01", 2025, "2025", 'a"b', "unknown"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_facility", "required": True, "x": False}])
def test_it_renders_what_django_select_renders(value, attrs):
    expected = forms.Select(choices=CHOICES).render("facility", value, attrs=attrs)
    assert QuickSelect(choices=CHOICES).render("facility", value, attrs=attrs) == expected


def test_labels_are_escaped():
    html = QuickSelect(choices=CHOICES).render("facility", "XT-01")
    assert "&lt;main&gt; &amp;" in html
    assert '<option value="XT-01" selected>' in html


def test_it_refuses_option_groups_rather_than_drop_them():
    grouped = [("Scope 1", [("s1", "Stationary")])]
    with pytest.raises(ValueError, match="option groups"):
        QuickSelect(choices=grouped).render("category", None)


def test_a_form_field_renders_with_it():
    class Form(forms.Form):
        facility = forms.ChoiceField(choices=CHOICES[:3], required=False, widget=QuickSelect)

    assert str(Form({"facility": "XT-01"})["facility"]) == (
        '<select name="facility" id="id_facility">\n'
        '  <option value="">All facilities</option>\n\n'
        '  <option value="XT-01" selected>XT-01 邢台 &lt;main&gt; &amp; “plant”</option>\n\n'
        '  <option value="2025">2025</option>\n\n'
        "</select>"
    )


def test_a_model_choice_field_renders_as_with_select(hebei_plant):
    from emissions.facilities.models import Facility

    hebei_plant.name_en = "Alpha & “one” <main>"  # a label that needs escaping
    hebei_plant.save()
    queryset = Facility.objects.order_by("code")
    for value in [None, hebei_plant.pk]:
        expected = forms.ModelChoiceField(queryset, widget=forms.Select).widget
        quick = forms.ModelChoiceField(queryset, widget=QuickSelect).widget
        assert quick.render("f", value) == expected.render("f", value)
