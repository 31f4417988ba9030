"""Chart.js configurations built on the server, sent to the page with json_script.

static/js/charts.js draws every <canvas data-chart="ID"> from the JSON in the element with
that id, so pages need no JavaScript of their own. Values are tonnes as floats rounded to
3 decimals: Chart.js only draws them; every number a person reads comes from the table beside.
"""

from decimal import Decimal

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


def tonnes(kg) -> float:
    return round(float(Decimal(kg or 0) / KG_PER_TONNE), 3)


def dataset(label, values, colour, **extra) -> dict:
    return {
        "label": str(label),
        "data": values,
        "backgroundColor": colour,
        "borderColor": colour,
        **extra,
    }


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
            "plugins": {"legend": {"position": "bottom"}},
        },
    }
