"""The activity ledger: which records a page or an export shows, filtered, sorted and paged."""

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from emissions.activities.models import (
    ActivityRecord,
    ActivityType,
    DataQuality,
    RegionMatch,
    ReviewStatus,
    YearMatch,
)
from emissions.activities.selectors import years_with_records
from emissions.evidence.models import EvidenceFile
from emissions.facilities.models import Facility
from emissions.factors.taxonomy import CATEGORIES_BY_SCOPE, Scope
from emissions.neutrality.inventory import (
    activity_types_with_records,
    count_and_kg,
    totals_source,
)

from .. import keyset
from ..widgets import QuickSelect

PAGE_SIZE = 50
DEFAULT_SORT = "-period_start"
# Whitelisted sorts; each ends on the primary key so offset pages never overlap or skip rows.
SORTS = {
    "-period_start": ("-period_start", "-pk"),
    "period_start": ("period_start", "pk"),
    "-co2e_kg": ("-co2e_kg", "-pk"),
    "co2e_kg": ("co2e_kg", "pk"),
    "facility": ("facility__code", "-period_start", "-pk"),
    "activity_type": ("activity_type__name", "-period_start", "-pk"),
}
SORT_CHOICES = [
    ("-period_start", _("Newest first")),
    ("period_start", _("Oldest first")),
    ("-co2e_kg", _("Largest emissions first")),
    ("co2e_kg", _("Smallest emissions first")),
    ("facility", _("Facility")),
    ("activity_type", _("Activity type")),
]
# The query-string parameters the filter form reads, in the order links write them.
FILTER_FIELDS = [
    "facility", "scope", "category", "type", "year", "month", "quality", "review", "evidence",
    "batch", "sort",
]  # fmt: skip
# The review filter: by default what the dashboard totals (approved and pending records).
REVIEW_CHOICES = {
    "approved": _("Approved"),
    "pending": _("Pending approval"),
    "rejected": _("Rejected"),
    "all": _("All, rejected too"),
}
EVIDENCE_CHOICES = {
    "missing": _("Missing evidence"),
    "attached": _("With evidence"),
}


def in_chinese() -> bool:
    return (get_language() or "").startswith("zh")


def type_name(activity_type: ActivityType) -> str:
    """The Chinese name when the page is in Chinese and one is recorded, else the English."""
    if activity_type.name_zh and in_chinese():
        return activity_type.name_zh
    return activity_type.name


def plain_number(value: Decimal | None) -> str:
    """A stored decimal without its trailing zeros, grouped per locale: 10.500000 → "10.5"."""
    if value is None:
        return "—"
    return number_format(value.normalize(), use_l10n=True, force_grouping=True)


def factor_flags(record: ActivityRecord) -> list[str]:
    """Why the factor is not an exact match, in the admin's words: lagged, proxy year/region."""
    flags = []
    if record.factor_year_match == YearMatch.LAGGED:
        flags.append(_("lagged"))
    elif record.factor_year_match == YearMatch.PROXY:
        flags.append(_("proxy year"))
    if record.factor_region_match == RegionMatch.PROXY:
        flags.append(_("proxy region"))
    return flags


class LedgerFilterForm(forms.Form):
    facility = forms.ChoiceField(label=_("Facility"), required=False, widget=QuickSelect)
    scope = forms.TypedChoiceField(
        label=_("Scope"),
        coerce=int,
        required=False,
        choices=[("", _("All scopes")), *Scope.choices],
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[
            ("", _("All categories")),
            *(
                (Scope(scope).label, [(c.value, c.label) for c in categories])
                for scope, categories in CATEGORIES_BY_SCOPE.items()
            ),
        ],
    )
    type = forms.ChoiceField(label=_("Activity type"), required=False, widget=QuickSelect)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=QuickSelect)
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        choices=[("", _("All months")), *MONTHS.items()],
    )
    quality = forms.ChoiceField(
        label=_("Data quality"),
        required=False,
        choices=[("", _("Any quality")), *DataQuality.choices],
    )
    review = forms.ChoiceField(
        label=_("Review"),
        required=False,
        choices=[("", _("Approved and pending")), *REVIEW_CHOICES.items()],
    )
    evidence = forms.ChoiceField(
        label=_("Evidence"),
        required=False,
        choices=[("", _("With or without evidence")), *EVIDENCE_CHOICES.items()],
    )
    # The records of one import (its page links here): hidden, kept while other filters change.
    batch = forms.IntegerField(
        label=_("Import"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,  # a bigint id: larger numbers would overflow the query
        widget=forms.HiddenInput,
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)
    # Where the page starts (keyset.py): written by the next and previous links.
    after = forms.CharField(label=_("Page position"), required=False, max_length=400)
    before = forms.CharField(label=_("Page position"), required=False, max_length=400)

    def __init__(
        self,
        *args,
        years: list[int],
        facilities: list[Facility],
        activity_types: list[ActivityType],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["facility"].choices = [
            ("", _("All facilities")),
            *((f.code, f"{f.code} {f.local_name}") for f in facilities),
        ]
        self.fields["type"].choices = [
            ("", _("All activity types")),
            *((t.code, type_name(t)) for t in activity_types),
        ]
        self.fields["year"].choices = [
            ("", _("All years")),
            *((year, str(year)) for year in reversed(years)),
        ]


@dataclass
class LedgerFilter:
    form: LedgerFilterForm
    # Only the values that were valid and not empty, keyed by parameter name.
    values: dict
    records: QuerySet
    # The same selection for the totals: rollup rows when the filters are rollup keys (each has
    # `record_count`), else the records themselves.
    totals_rows: QuerySet
    sort: str
    page: int
    # Bad values are ignored, each with a message saying what was ignored.
    ignored: list[str] = field(default_factory=list)
    # The sort values of the row the page starts after (or ends before): keyset paging.
    after: list | None = None
    before: list | None = None
    # The activity types' ids by name, in name order: the sort by activity type reads them in
    # turn (_by_activity_type).
    type_groups: list[tuple[str, list[int]]] = field(default_factory=list)
    # The ids of the types with records under the filters (a lazy query): the others are skipped.
    types_with_records: QuerySet | None = None

    def query(self, **extra) -> str:
        """This filter as a query string (without the page), plus extra parameters."""
        params = {name: self.values[name] for name in FILTER_FIELDS if name in self.values}
        params.update({key: value for key, value in extra.items() if value not in (None, "")})
        return urlencode(params)

    @property
    def filename_stem(self) -> str:
        """kehui-ledger, then the year and facility when chosen: kehui-ledger-2023-XT-01."""
        parts = ["kehui-ledger"]
        parts += [str(self.values[name]) for name in ("year", "facility") if name in self.values]
        return "-".join(parts)


def _reviewed(records: QuerySet, review: str | None) -> QuerySet:
    if review == "approved":
        return records.approved()
    if review == "pending":
        return records.pending()
    if review == "rejected":
        return records.filter(status=ReviewStatus.REJECTED)
    if review == "all":
        return records
    return records.counted()


def has_evidence() -> Exists:
    """Whether a record has a file attached: an EXISTS the database answers from its index."""
    return Exists(EvidenceFile.objects.filter(record=OuterRef("pk")))


def evidence_count() -> Coalesce:
    """How many files a record has, as a subquery of the page's own query (no query per row)."""
    files = EvidenceFile.objects.filter(record=OuterRef("pk")).order_by()
    counted = files.values("record").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_evidence(records: QuerySet, evidence: str | None) -> QuerySet:
    # NOT EXISTS: the database stops at the first file of each record, and reads no file rows.
    if evidence == "missing":
        return records.filter(~has_evidence())
    if evidence == "attached":
        return records.filter(has_evidence())
    return records


def ledger_filter(data: QueryDict) -> LedgerFilter:
    """Read the ledger's GET parameters; what is invalid is dropped and said so."""
    years = years_with_records()
    facilities = list(Facility.objects.order_by("code"))
    activity_types = list(ActivityType.objects.order_by("name"))
    form = LedgerFilterForm(data, years=years, facilities=facilities, activity_types=activity_types)
    form.is_valid()
    ignored = [
        _("Ignored %(field)s “%(value)s”: %(error)s")
        % {"field": form.fields[name].label, "value": data.get(name, ""), "error": errors[0]}
        for name, errors in form.errors.items()
    ]
    values = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}

    # Every filter reads the record's own columns (scope, category, year, month are
    # denormalised onto it): no join narrows the rows.
    conditions = {}
    if "facility" in values:
        facility_ids = {facility.code: facility.pk for facility in facilities}
        conditions["facility_id"] = facility_ids[values["facility"]]
    if "type" in values:
        type_ids = {activity_type.code: activity_type.pk for activity_type in activity_types}
        conditions["activity_type_id"] = type_ids[values["type"]]
    for name, column in [
        ("scope", "scope"),
        ("category", "category"),
        ("year", "year"),
        ("month", "month"),
        ("quality", "data_quality"),
        ("batch", "import_batch_id"),  # no rollup key: the totals are then the records' own
    ]:
        if name in values:
            conditions[column] = values[name]
    records = _reviewed(ActivityRecord.objects.all(), values.get("review")).filter(**conditions)
    evidence = values.get("evidence")
    records = _with_evidence(records, evidence)
    # Evidence is no rollup key: with that filter the totals are the records' own.
    total_columns = [*conditions, "evidence"] if evidence else conditions.keys()
    totals_rows = _reviewed(totals_source(total_columns), values.get("review"))
    totals_rows = _with_evidence(totals_rows.filter(**conditions), evidence)
    sort = values.get("sort", DEFAULT_SORT)
    if sort == DEFAULT_SORT:
        values.pop("sort", None)  # links stay short: the default needs no parameter
    records = records.order_by(*SORTS[sort])
    page = values.pop("page", 1)  # links to other pages set their own
    positions = {}
    for name in ("after", "before"):
        text = values.pop(name, None)
        if text is None:
            continue
        positions[name] = keyset.read_position(text, sort, len(SORTS[sort]))
        if positions[name] is None:
            ignored.append(
                _("Ignored the page position “%(value)s”: not one this ledger gave for this sort.")
                % {"value": text[:40]}
            )
    groups = {}
    for activity_type in activity_types:  # in name order
        if "type" not in values or activity_type.code == values["type"]:
            groups.setdefault(activity_type.name, []).append(activity_type.pk)
    return LedgerFilter(
        form=form,
        values=values,
        records=records,
        totals_rows=totals_rows,
        sort=sort,
        page=page,
        ignored=ignored,
        after=positions.get("after"),
        before=positions.get("before") if positions.get("after") is None else None,
        type_groups=list(groups.items()),
        types_with_records=_reviewed(activity_types_with_records(conditions), values.get("review")),
    )


@dataclass(frozen=True)
class LedgerRow:
    record: ActivityRecord
    activity_type: str
    quantity: str
    flags: list[str]


@dataclass
class LedgerPage:
    rows: list[LedgerRow]
    number: int
    has_previous: bool
    has_next: bool
    previous_query: str
    next_query: str
    # Totals of the whole filtered set, not only this page.
    count: int
    co2e_kg: Decimal


def ledger_page(selected: LedgerFilter) -> LedgerPage:
    """One page of rows and the filtered set's totals: two queries, whatever the table's size.

    A page past the end shows the last page: an offset beyond the rows (or beyond what the
    database's integers hold, ?page=9223372036854775807) never reaches the query.
    """
    count, co2e_kg = count_and_kg(selected.totals_rows)
    last_page = max(1, -(-count // PAGE_SIZE))
    if selected.page > last_page:
        selected.ignored.append(
            _("Page %(asked)s is past the end: showing the last page, %(last)s.")
            % {"asked": selected.page, "last": last_page}
        )
        selected.page = last_page
        selected.after = selected.before = None
    # The evidence count is a subquery of this one query: one look-up in the evidence table's
    # record index per row read for the page, never per record of the whole ledger, which a
    # join and GROUP BY would have counted first.
    page_records = selected.records.select_related(
        "facility", "activity_type", "factor__dataset"
    ).annotate(evidence_count=evidence_count())
    records, has_previous, has_next = _page_rows(selected, page_records)
    fields = list(SORTS[selected.sort])
    first = keyset.position(selected.sort, keyset.row_values(records[0], fields)) if records else ""
    last = keyset.position(selected.sort, keyset.row_values(records[-1], fields)) if records else ""
    return LedgerPage(
        rows=[
            LedgerRow(
                record=record,
                activity_type=type_name(record.activity_type),
                quantity=plain_number(record.quantity),
                flags=factor_flags(record),
            )
            for record in records
        ],
        number=selected.page,
        has_previous=has_previous,
        has_next=has_next,
        # Page 1 needs no position; the others start from the row beside them (keyset.py).
        previous_query=selected.query(page=selected.page - 1, before=first)
        if selected.page > 2
        else selected.query(),
        next_query=selected.query(page=selected.page + 1, after=last),
        count=count,
        co2e_kg=co2e_kg,
    )


def _page_rows(selected: LedgerFilter, records: QuerySet) -> tuple[list, bool, bool]:
    """(the page's rows, whether a page comes before, whether one comes after).

    From a position (a next or previous link): the rows after (or before) it, read from there
    by the sort's index, whatever the page's number. Without one (page 1, or a page number
    typed into the address): by offset. One row more than the page shows tells whether
    another page exists, without a COUNT.
    """
    fields = list(SORTS[selected.sort])
    if selected.sort == "activity_type" and (
        selected.page == 1 or selected.after or selected.before
    ):
        return _by_activity_type(selected, records)
    if selected.after is not None:
        rows = list(records.filter(keyset.beyond(fields, selected.after))[: PAGE_SIZE + 1])
        return rows[:PAGE_SIZE], True, len(rows) > PAGE_SIZE
    if selected.before is not None:
        backwards = records.filter(keyset.beyond(fields, selected.before, backwards=True))
        reversed_sort = keyset.reversed_order(fields)
        rows = list(backwards.order_by(*reversed_sort)[: PAGE_SIZE + 1])
        return rows[:PAGE_SIZE][::-1], len(rows) > PAGE_SIZE, True
    offset = (selected.page - 1) * PAGE_SIZE
    rows = list(records[offset : offset + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], selected.page > 1, len(rows) > PAGE_SIZE


# Within one activity type, the sort by type is newest first.
WITHIN_TYPE = ["-period_start", "-pk"]


def _by_activity_type(selected: LedgerFilter, records: QuerySet) -> tuple[list, bool, bool]:
    """The sort by activity type, read type by type in name order (from the position's type),
    each from the index on (activity_type, period_start, id), until the page is full.

    Sorting by the type's name in one query would sort every record (the name is in another
    table): at a million records 2.5 s, page 1 included. Here a page costs a query for the types
    with records (the rollup) and one per type it spans (usually one or two), each reading only
    the rows it shows.
    """
    present = set(selected.types_with_records)
    groups = [(name, ids) for name, ids in selected.type_groups if present.intersection(ids)]
    names = [name for name, _ids in groups]
    backwards = selected.after is None and selected.before is not None
    position = selected.before if backwards else selected.after
    start, cursor = (len(names) - 1 if backwards else 0), None
    if position is not None and position[0] in names:
        start, cursor = names.index(position[0]), position[1:]
    order = keyset.reversed_order(WITHIN_TYPE) if backwards else WITHIN_TYPE
    indices = range(start, -1, -1) if backwards else range(start, len(names))
    rows = []
    for index in indices:
        of_type = records.filter(activity_type_id__in=groups[index][1])
        of_type = of_type.order_by(*order)
        if cursor is not None and index == start:
            of_type = of_type.filter(keyset.beyond(WITHIN_TYPE, cursor, backwards=backwards))
        rows += list(of_type[: PAGE_SIZE + 1 - len(rows)])
        if len(rows) > PAGE_SIZE:
            break
    more = len(rows) > PAGE_SIZE
    if backwards:
        return rows[:PAGE_SIZE][::-1], more, True
    return rows[:PAGE_SIZE], position is not None, more
