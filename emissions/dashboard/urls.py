from django.urls import path

from .views import (
    approvals,
    completeness,
    energy,
    evidence,
    facilities,
    generation,
    imports,
    intervals,
    jobs,
    ledger,
    offsets,
    overview,
    periods,
    products,
    report,
    restatements,
    review,
    scope2_hourly,
    supplier_link,
    suppliers,
    targets,
)

app_name = "dashboard"

# Each page module lists its own routes.
urlpatterns = [
    path("", overview.overview, name="home"),
    *overview.urlpatterns,
    *facilities.urlpatterns,
    *ledger.urlpatterns,
    *evidence.urlpatterns,
    *energy.urlpatterns,
    *offsets.urlpatterns,
    *targets.urlpatterns,
    *imports.urlpatterns,
    *intervals.urlpatterns,
    *generation.urlpatterns,
    *report.urlpatterns,
    *periods.urlpatterns,
    *review.urlpatterns,
    *jobs.urlpatterns,
    *approvals.urlpatterns,
    *restatements.urlpatterns,
    *scope2_hourly.urlpatterns,
    *suppliers.urlpatterns,
    *products.urlpatterns,
    *completeness.urlpatterns,
    *supplier_link.urlpatterns,
]
