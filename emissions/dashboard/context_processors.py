"""Which main-navigation section the current page belongs to (for aria-current)."""

NAV_SECTIONS = {
    "home": "overview",
    "facility_list": "facilities",
    "facility_detail": "facilities",
    "ledger": "ledger",
    "record_detail": "ledger",
    "offsets": "offsets",
    "targets": "targets",
    "report": "report",
    "report_year": "report",
    "import": "import",
    "import_batch": "import",
    "interval_import": "import",
    "interval_upload": "import",
    "periods": "periods",
    "approvals": "approvals",
    "jobs": "jobs",
    "job": "jobs",
    "restatements": "restatements",
    "restatement": "restatements",
    "restatement_load": "restatements",
    "energy": "energy",
    "scope2_hourly": "scope2_hourly",
    "suppliers": "suppliers",
    "supplier_request": "suppliers",
    "supplier_request_new": "suppliers",
    "products": "products",
    "cbam": "products",
    "product_report": "products",
    "completeness": "completeness",
    "completeness_mine": "completeness",
    "forecast": "forecast",
    "forecast_compare": "forecast",
}


def navigation(request):
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "dashboard":
        return {"nav_section": ""}
    return {"nav_section": NAV_SECTIONS.get(match.url_name, "")}
