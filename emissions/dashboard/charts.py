"""Chart.js configurations built on the server, sent to the page with json_script.

static/js/charts.js draws every <canvas data-chart="ID"> from the JSON in the element with
that id, so pages need no JavaScript of their own. Values are tonnes as floats rounded to
3 decimals: Chart.js only draws them; every number a person reads comes from the table beside.

A dataset may carry `links`, one URL (or None) per value: charts.js opens it when that bar or
point is clicked, so a chart leads to the records behind a figure as its table's links do.
"""

from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .tables import ledger_link

KG_PER_TONNE = Decimal(1000)

# One colour per meaning, used on every page.
COLOURS = {
    "scope1": "#1f7a55",
    "scope2": "#3a9ad9",
    "scope2_location": "#9cc9ea",
    "scope3": "#e0a030",
    "credits": "#8e6cc0",
    "removals": "#5b3f99",
    "avoidance": "#b9a3de",
    "net": "#1c2a26",
    "pathway": "#b42318",
    "grid": "#7a8a85",
    "certificates": "#3a9ad9",
    "onsite": "#f2c230",
    "this_year": "#1f7a55",
    "last_year": "#b7c9c2",
}
PALETTE = [
    "#1f7a55",
    "#3a9ad9",
    "#e0a030",
    "#8e6cc0",
    "#d9534f",
    "#5bc0be",
    "#7a8a85",
    "#f2c230",
    "#9cc9ea",
    "#b9a3de",
    "#2e4a42",
    "#c97b63",
    "#6c8e3f",
    "#a0a0a0",
    "#d48fb8",
]


# Month names as a chart's axis shows them: short, and in the page's language ("Jan", "1月").
MONTH_LABELS = {
    1: pgettext_lazy("month on a chart axis", "Jan"),
    2: pgettext_lazy("month on a chart axis", "Feb"),
    3: pgettext_lazy("month on a chart axis", "Mar"),
    4: pgettext_lazy("month on a chart axis", "Apr"),
    5: pgettext_lazy("month on a chart axis", "May"),
    6: pgettext_lazy("month on a chart axis", "Jun"),
    7: pgettext_lazy("month on a chart axis", "Jul"),
    8: pgettext_lazy("month on a chart axis", "Aug"),
    9: pgettext_lazy("month on a chart axis", "Sep"),
    10: pgettext_lazy("month on a chart axis", "Oct"),
    11: pgettext_lazy("month on a chart axis", "Nov"),
    12: pgettext_lazy("month on a chart axis", "Dec"),
}


def month_label(month: int) -> str:
    return str(MONTH_LABELS[month])


def ledger_url(**query) -> str:
    """The ledger filtered to one slice of a chart, as the tables' figures link to it."""
    query = {key: value for key, value in query.items() if value is not None}
    return ledger_link(None, **query).href


def facility_url(code: str, **query) -> str:
    """A facility's page, for the bars that stand for a facility."""
    # Codes are capitals, digits, "-" and "_" (facility_code_validator): safe in a path as is.
    path = _facility_path(get_script_prefix()).replace(CODE_SLOT, code)
    query = {key: value for key, value in query.items() if value is not None}
    return f"{path}?{urlencode(query)}" if query else path


CODE_SLOT = "CODE-SLOT"


@lru_cache(maxsize=8)
def _facility_path(script_prefix: str) -> str:
    # reverse() costs some 50 µs and the overview's facility chart has a bar per facility:
    # resolved once per prefix, as tables.ledger_link does.
    return reverse("dashboard:facility_detail", args=[CODE_SLOT])


def tonnes(kg) -> float:
    return round(float(Decimal(kg or 0) / KG_PER_TONNE), 3)


def dataset(label, values, colour, *, links=None, **extra) -> dict:
    """One series; `links` (one URL or None per value) makes its bars or points clickable."""
    series = {
        "label": str(label),
        "data": values,
        "backgroundColor": colour,
        "borderColor": colour,
        **extra,
    }
    if links is not None:
        series["links"] = list(links)
    return series


def bar_chart(labels, datasets, *, stacked=False, horizontal=False, y_title="tCO2e") -> dict:
    axis = {"stacked": stacked, "title": {"display": bool(y_title), "text": str(y_title)}}
    return {
        "type": "bar",
        "data": {"labels": [str(label) for label in labels], "datasets": datasets},
        "options": {
            "indexAxis": "y" if horizontal else "x",
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "scales": {"x": {"stacked": stacked}, "y": axis}
            if not horizontal
            else {"x": axis, "y": {"stacked": stacked}},
            # Legend keys drawn in each series' own shape: charts.js gives a line series a
            # line and a bar series a square (usePointStyle).
            "plugins": {"legend": {"position": "bottom", "labels": {"usePointStyle": True}}},
        },
    }


def pathway_dataset(values, **extra) -> dict:
    """A target pathway: a dashed red line over the years it covers (None elsewhere)."""
    return dataset(
        _("Target pathway"),
        values,
        COLOURS["pathway"],
        type="line",
        fill=False,
        borderDash=[6, 4],
        pointRadius=0,
        spanGaps=True,
        **extra,
    )


def wedge_chart(years, bau, wedges, residual, pathway) -> dict:
    """The forecast's wedge chart: the residual and each abatement wedge stacked as areas, so
    their top is business as usual, with the BAU and target pathway lines drawn over them.

    `wedges` is [(label, values)], bottom to top; values are tonnes (floats) per year, None
    where a line has no value. The areas stack among themselves only (Chart.js stacks datasets
    of one `stack`); the two lines stand alone.
    """
    areas = [
        dataset(
            label,
            values,
            colour,
            type="line",
            fill="origin" if index == 0 else "-1",
            stack="areas",
            pointRadius=0,
            borderWidth=1,
            order=2,
        )
        for index, (label, values, colour) in enumerate(
            [(_("Residual emissions"), residual, COLOURS["grid"] + "66")]
            + [(label, values, colour + "cc") for label, values, colour in wedges]
        )
    ]
    lines = [
        dataset(
            _("Business as usual"),
            bau,
            COLOURS["net"],
            type="line",
            fill=False,
            stack="bau",
            borderWidth=2,
            pointRadius=2,
            order=1,
        ),
        pathway_dataset(pathway, stack="pathway", order=0),
    ]
    chart = bar_chart(years, areas + lines, stacked=False)
    chart["type"] = "line"
    chart["options"]["scales"]["y"]["stacked"] = True
    chart["options"]["scales"]["y"]["beginAtZero"] = True
    chart["options"]["interaction"] = {"mode": "index", "intersect": False}
    return chart


def mac_chart(bars, unit: str) -> dict:
    """The marginal abatement cost curve in its standard form: one bar per measure, cheapest
    per tonne first, as wide as its abatement a year and as high as its cost per tonne.

    `bars` are (number, title, start_t, end_t, cost_per_t). Chart.js has no bars of their own
    widths: each bar is a filled outline of four points on a linear x axis of cumulative
    abatement (a scatter series drawn as a closed line). Its number (charts.js writes it on
    the bar) matches the key under the chart.
    """
    series = [
        dataset(
            f"{number}. {title}",
            [
                {"x": float(start_t), "y": 0},
                {"x": float(start_t), "y": float(cost_per_t)},
                {"x": float(end_t), "y": float(cost_per_t)},
                {"x": float(end_t), "y": 0},
            ],
            # Green where the measure saves money, amber where it costs.
            COLOURS["scope1" if cost_per_t < 0 else "scope3"],
            borderColor="#ffffff",
            borderWidth=1,
            showLine=True,
            fill="origin",
            pointRadius=0,
            pointHitRadius=0,
            number=number,
        )
        for number, title, start_t, end_t, cost_per_t in bars
    ]
    total = float(bars[-1][3]) if bars else 0
    return {
        "type": "scatter",
        "data": {"datasets": series},
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "scales": {
                "x": {
                    "type": "linear",
                    "min": 0,
                    "max": total,
                    "title": {
                        "display": True,
                        "text": str(_("Abatement a year (tCO2e, cumulative)")),
                    },
                },
                "y": {
                    "beginAtZero": True,
                    "grace": "8%",
                    "title": {"display": True, "text": str(unit)},
                },
            },
            # Room above and below the bars for their numbers.
            "layout": {"padding": {"top": 18, "bottom": 4}},
            "plugins": {
                # The key is the list under the chart: it wraps on a phone, a legend does not.
                "legend": {"display": False},
                "tooltip": {"enabled": False},
                "barNumbers": {"display": True},
            },
        },
    }
