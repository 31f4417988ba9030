"""Restatements: a new factor dataset's effect on the inventory, previewed, then applied or not.

1. Loading a dataset (factors/dataset_file.py) adds factors and changes no record; `start_preview`
   queues a job that works out which records the factor rule would now move to the new
   factors (activities/restating.py), and by how much: per year, facility and scope, against
   each year's recorded emissions, and the base year's change against the organisation's
   significance threshold (GHG Protocol Corporate Standard, ch. 5).
2. An approver applies it (`start_apply`: a job rewrites the records, their history naming the
   restatement, and the restatement keeps each year's figures before and after) or discards it
   (`discard`: the dataset's factors that no record uses are removed again).

Figures are kg in the stored JSON (as decimal strings, exact); pages show tonnes.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emissions.activities.restating import switches
from emissions.facilities.models import Facility, Organisation
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.jobs import services
from emissions.jobs.errors import JobRefused
from emissions.jobs.models import JobKind, JobStatus
from emissions.jobs.registry import job_function

from .inventory import recorded_kg_by_year
from .models import Restatement, RestatementStatus

ZERO = Decimal(0)
HUNDRED = Decimal(100)
APPLY_PERMISSION = "neutrality.apply_restatement"


class RestatementRefused(JobRefused):
    pass


def _percent(change: Decimal, before: Decimal) -> Decimal | None:
    if not before:
        return None
    return (change * HUNDRED / before).quantize(Decimal("0.01"))


def start_preview(
    dataset: FactorDataset, factor_ids: list[int], *, user, result_url: str = ""
) -> Restatement:
    restatement = Restatement.objects.create(
        dataset=dataset, factor_ids=sorted(factor_ids), created_by=user
    )
    job = services.start(
        compute_preview,
        description=_("Preview the restatement #%(number)d (%(dataset)s)")
        % {"number": restatement.pk, "dataset": dataset.name},
        kind=JobKind.PREVIEW,
        result_url=result_url,
        requested_by=user,
        restatement_id=restatement.pk,
    )
    Restatement.objects.filter(pk=restatement.pk).update(preview_job=job)
    restatement.refresh_from_db()
    return restatement


@job_function
def compute_preview(restatement_id: int) -> int:
    """Work out the restatement's preview (writes no record); return the records that switch."""
    restatement = Restatement.objects.select_related("dataset").get(pk=restatement_id)
    years: dict[int, list] = defaultdict(lambda: [0, ZERO])
    facilities: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    scopes: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    moves: dict[tuple, int] = defaultdict(int)
    locked: dict[int, list] = defaultdict(lambda: [0, ZERO])
    for switch in switches(restatement.factor_ids):
        change = switch.change_kg if switch.counted else ZERO
        if switch.locked:
            locked[switch.year][0] += 1
            locked[switch.year][1] += change
            continue
        for into in (
            years[switch.year],
            facilities[(switch.year, switch.facility_id)],
            scopes[(switch.year, switch.scope)],
        ):
            into[0] += 1
            into[1] += change
        moves[(switch.old_factor_id, switch.new_factor_id)] += 1
    organisation = Organisation.current()
    base_year = organisation.base_year if organisation else None
    before = recorded_kg_by_year(years=sorted({*years, *locked, base_year} - {None}))
    restatement.preview = {
        "years": [
            _year_change(year, count, change, before.get(year, ZERO))
            for year, (count, change) in sorted(years.items())
        ],
        "facilities": _facility_changes(facilities),
        "scopes": [
            {"year": year, "scope": scope, "records": count, "change_kg": str(change)}
            for (year, scope), (count, change) in sorted(scopes.items())
        ],
        "factors": _factor_moves(moves),
        "locked": [
            {"year": year, "records": count, "change_kg": str(change)}
            for year, (count, change) in sorted(locked.items())
        ],
        "base_year": _base_year(organisation, years, before) if base_year else None,
        "records": sum(count for count, _change in years.values()),
    }
    restatement.status = RestatementStatus.PREVIEW
    restatement.save(update_fields=["preview", "status"])
    return restatement.preview["records"]


def _year_change(year: int, count: int, change: Decimal, before: Decimal) -> dict:
    return {
        "year": year,
        "records": count,
        "before_kg": str(before),
        "change_kg": str(change),
        "after_kg": str(before + change),
        "change_pct": str(_percent(change, before)) if before else None,
    }


def _facility_changes(facilities: dict) -> list[dict]:
    names = Facility.objects.in_bulk({facility_id for _year, facility_id in facilities})
    return [
        {
            "year": year,
            "facility_id": facility_id,
            "facility": names[facility_id].code if facility_id in names else str(facility_id),
            "records": count,
            "change_kg": str(change),
        }
        for (year, facility_id), (count, change) in sorted(
            facilities.items(), key=lambda item: (item[0][0], str(names.get(item[0][1], "")))
        )
    ]


def _factor_moves(moves: dict) -> list[dict]:
    ids = {factor_id for move in moves for factor_id in move if factor_id is not None}
    keys = dict(EmissionFactor.objects.filter(pk__in=ids).values_list("pk", "key"))
    return [
        {"from": keys.get(old, "—"), "to": keys.get(new, "—"), "records": count}
        for (old, new), count in sorted(moves.items(), key=lambda item: -item[1])
    ]


def _base_year(organisation, years: dict, before: dict) -> dict:
    """The base year's change against the significance threshold (GHG Protocol ch. 5)."""
    year = organisation.base_year
    base_before = before.get(year, ZERO)
    change = years[year][1] if year in years else ZERO
    pct = _percent(change, base_before)
    threshold = organisation.restatement_threshold_pct
    return {
        "year": year,
        "before_kg": str(base_before),
        "change_kg": str(change),
        "after_kg": str(base_before + change),
        "change_pct": str(pct) if pct is not None else None,
        "threshold_pct": str(threshold),
        "significant": pct is not None and abs(pct) >= threshold,
    }


def may_decide(user) -> bool:
    return user.has_perm(APPLY_PERMISSION)


def _refuse_unless_decidable(restatement: Restatement) -> None:
    if restatement.status == RestatementStatus.FAILED:
        return  # a failed apply changed nothing: it may be applied again or discarded
    if restatement.status != RestatementStatus.PREVIEW:
        raise RestatementRefused(
            _("This restatement is %(status)s: only a ready preview can be applied or discarded.")
            % {"status": restatement.get_status_display().lower()}
        )


def start_apply(restatement: Restatement, *, user, result_url: str = "") -> Restatement:
    with transaction.atomic():
        restatement = Restatement.objects.select_for_update().get(pk=restatement.pk)
        _refuse_unless_decidable(restatement)
        restatement.status = RestatementStatus.APPLYING
        restatement.decided_by = user
        restatement.decided_at = timezone.now()
        restatement.message = ""
        restatement.save(update_fields=["status", "decided_by", "decided_at", "message"])
        years = [row["year"] for row in restatement.preview.get("years", [])]
        job = services.start(
            apply_restatement,
            description=_("Apply the restatement #%(number)d (%(dataset)s)")
            % {"number": restatement.pk, "dataset": restatement.dataset.name},
            kind=JobKind.RESTATEMENT,
            result_url=result_url,
            requested_by=user,
            years=years,
            restatement_id=restatement.pk,
        )
        Restatement.objects.filter(pk=restatement.pk).update(apply_job=job)
    restatement.refresh_from_db()
    return restatement


@job_function
def apply_restatement(restatement_id: int) -> int:
    """Move the records to the new factors (open years only); keep each year's before/after."""
    restatement = (
        Restatement.objects.select_for_update().select_related("dataset").get(pk=restatement_id)
    )
    if restatement.status != RestatementStatus.APPLYING:
        raise RestatementRefused(_("This restatement is not being applied."))
    before = recorded_kg_by_year()
    reason = f"Restatement #{restatement.pk}: {restatement.dataset.name}"[:100]
    counts: dict[int, int] = defaultdict(int)
    for switch in switches(restatement.factor_ids, write=True, reason=reason):
        if not switch.locked:
            counts[switch.year] += 1
    # The rollups follow the records inside this transaction (database triggers).
    after = recorded_kg_by_year(years=sorted(counts))
    restatement.applied = {
        str(year): [str(before.get(year, ZERO)), str(after.get(year, ZERO)), count]
        for year, count in sorted(counts.items())
    }
    restatement.status = RestatementStatus.APPLIED
    restatement.save(update_fields=["applied", "status"])
    return sum(counts.values())


def settle_failed(restatement: Restatement) -> Restatement:
    """A restatement whose apply job failed is a failed restatement (nothing was changed)."""
    job = restatement.apply_job
    if (
        restatement.status == RestatementStatus.APPLYING
        and job is not None
        and job.status == JobStatus.FAILED
    ):
        Restatement.objects.filter(pk=restatement.pk, status=RestatementStatus.APPLYING).update(
            status=RestatementStatus.FAILED, message=job.message
        )
        restatement.refresh_from_db()
    return restatement


def discard(restatement: Restatement, *, user) -> int:
    """Discard the preview; remove the dataset's new factors no record uses. Return how many."""
    with transaction.atomic():
        restatement = Restatement.objects.select_for_update().get(pk=restatement.pk)
        if restatement.status == RestatementStatus.PREVIEWING:
            job = restatement.preview_job
            if job is None or job.status != JobStatus.FAILED:
                raise RestatementRefused(_("The preview is still being prepared: wait for it."))
        else:
            _refuse_unless_decidable(restatement)
        unused = EmissionFactor.objects.filter(pk__in=restatement.factor_ids).exclude(
            pk__in=_factor_ids_in_use(restatement.factor_ids)
        )
        removed, _by_model = unused.delete()
        restatement.status = RestatementStatus.DISCARDED
        restatement.decided_by = user
        restatement.decided_at = timezone.now()
        restatement.save(update_fields=["status", "decided_by", "decided_at"])
    return removed


def _factor_ids_in_use(factor_ids: list[int]):
    from emissions.activities.models import ActivityRecord

    return (
        ActivityRecord.objects.filter(factor_id__in=factor_ids)
        .order_by()
        .values("factor_id")
        .distinct()
    )


def restated_years() -> dict[int, list[dict]]:
    """year → the applied restatements that changed it: number, date, kg before and after."""
    out: dict[int, list[dict]] = defaultdict(list)
    applied = Restatement.objects.filter(status=RestatementStatus.APPLIED).select_related("dataset")
    for restatement in applied.order_by("decided_at", "pk"):
        for year, (before, after, count) in restatement.applied.items():
            out[int(year)].append(
                {
                    "restatement": restatement,
                    "before_kg": Decimal(before),
                    "after_kg": Decimal(after),
                    "records": count,
                }
            )
    return dict(out)
