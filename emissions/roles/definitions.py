"""The four roles, as groups of permissions: what each may read, write and decide.

Kept in one place: a migration creates the groups and `manage.py sync_roles` brings them back
to exactly this after permissions are added (new models) or someone edited a group by hand.
Every view, htmx endpoint, export and admin page checks Django permissions, so a user's
role is the group they are in.
"""

DOMAIN_MODELS = {
    "facilities": ["organisation", "facility", "facilityoutput", "reportingyearlock"],
    "factors": ["gas", "factordataset", "emissionfactor", "exchangerate"],
    "activities": [
        "activitytype", "activityrecord", "importbatch", "recalculationrun", "intervalupload",
        "meterday",
    ],
    "offsets": [
        "creditproject", "creditbatch", "retirement", "retirementreversal", "treeplanting",
        "energycertificate", "claimedgeccode", "greenpowercontract", "contractsettlement",
        "contractgenerationday", "allowancetransaction",
    ],
    "neutrality": ["target", "reductioninitiative", "restatement"],
    "evidence": ["evidencefile"],
    "suppliers": [
        "supplier", "supplierproduct", "datarequest", "submission", "submissionline",
        "submissionfile",
    ],
    "products": ["product", "process", "production", "precursor"],
    # What each facility is expected to report: everyone sees it, administrators set it.
    # Forecast scenarios: everyone sees them, data editors write them (as initiatives).
    "planning": ["expectedstream", "scenario", "scenariomeasure"],
}  # fmt: skip

VIEWER = "Viewer"
DATA_EDITOR = "Data editor"
APPROVER = "Approver"
ADMINISTRATOR = "Administrator"


def _view_all() -> set[str]:
    return {f"{app}.view_{model}" for app, models in DOMAIN_MODELS.items() for model in models}


def _write(app: str, *models: str, actions=("add", "change", "delete")) -> set[str]:
    return {f"{app}.{action}_{model}" for model in models for action in actions}


# Data editors enter and import activity data and record the instruments bought; they
# submit records for approval. Retiring credits is a decision: approvers make it.
DATA_EDITOR_PERMISSIONS = (
    _view_all()
    | _write("activities", "activityrecord")
    | _write("evidence", "evidencefile")
    | _write("facilities", "facilityoutput")
    | _write(
        "offsets",
        "creditproject",
        "creditbatch",
        "treeplanting",
        "energycertificate",
        "greenpowercontract",
        "contractsettlement",
        "allowancetransaction",
    )  # fmt: skip
    | _write("neutrality", "reductioninitiative")
    | _write("planning", "scenario", "scenariomeasure")
    # Suppliers and what is bought from them are entered like facilities' data.
    | _write("suppliers", "supplier", "supplierproduct")
    | _write("products", "product", "process", "production", "precursor")
)

# Approvers check others' data (maker-checker), retire credits, lock verified years and
# decide restatements.
APPROVER_PERMISSIONS = _view_all() | {
    "activities.approve_activityrecord",
    "offsets.add_retirement",
    "offsets.add_retirementreversal",
    "facilities.lock_reporting_year",
    # Applying a new factor dataset to the inventory (or not) is a reviewed decision.
    "neutrality.apply_restatement",
    # Asking suppliers for data (a link leaves the company), revoking a link, and accepting
    # or returning what a supplier sent: accepted data change Scope 3 figures.
    "suppliers.add_datarequest",
    "suppliers.change_datarequest",
    "suppliers.change_submission",
}

# Administrators may do everything in these apps: users and groups (auth), the admin's log,
# login lockouts (axes) and every domain app.
ADMINISTRATOR_APPS = ("auth", "admin", "axes", *DOMAIN_MODELS)

ROLES: dict[str, set[str] | None] = {
    VIEWER: _view_all(),
    DATA_EDITOR: DATA_EDITOR_PERMISSIONS,
    APPROVER: APPROVER_PERMISSIONS,
    # Everything: users and groups, factors, the organisation, unlocking years. None means
    # every permission of ADMINISTRATOR_APPS.
    ADMINISTRATOR: None,
}
