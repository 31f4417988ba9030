"""The reporting periods page: lock a verified year, unlock it with a reason, the lock history."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from emissions.activities.selectors import years_with_records
from emissions.facilities import periods
from emissions.facilities.models import ReportingYearLock

from .. import permissions as perms

FIRST_YEAR, LAST_YEAR = 1990, 2100  # as the lock's own check constraint


class LockForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Optional: e.g. the verifier and the statement's number."),
    )


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for unlocking"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": gettext_lazy(
                "Say why the year is unlocked: the reason is kept with the lock."
            )
        },
    )


@dataclass(frozen=True)
class YearRow:
    year: int
    lock: ReportingYearLock | None  # None: the year is open
    lock_form: LockForm | None  # only for who may lock an open year
    unlock_form: UnlockForm | None  # only for who may unlock a locked year


def _forms_id(action: str, year: int) -> str:
    # One form per year on the page: the ids of their fields must differ.
    return f"id_{action}_{year}_%s"


def _page(
    request: HttpRequest,
    *,
    year: int | None = None,
    lock_form: LockForm | None = None,
    unlock_form: UnlockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; with a form as submitted (and its errors) in the row of `year`."""
    # One query for both: the history lists every lock, the years the ones in force.
    log = list(ReportingYearLock.objects.select_related("locked_by", "unlocked_by"))
    in_force = {lock.year: lock for lock in log if lock.is_active}
    can_lock, can_unlock = (
        request.user.has_perm(perms.LOCK_YEARS),
        request.user.has_perm(perms.UNLOCK_YEARS),
    )
    rows = []
    for each in sorted({*years_with_records(), *in_force}, reverse=True):
        lock = in_force.get(each)
        submitted_lock = lock_form if each == year else None
        submitted_unlock = unlock_form if each == year else None
        rows.append(
            YearRow(
                year=each,
                lock=lock,
                lock_form=(submitted_lock or LockForm(auto_id=_forms_id("lock", each)))
                if can_lock and lock is None
                else None,
                unlock_form=(submitted_unlock or UnlockForm(auto_id=_forms_id("unlock", each)))
                if can_unlock and lock is not None
                else None,
            )
        )
    context = {"rows": rows, "log": log}
    return render(request, "dashboard/periods.html", context, status=status)


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No such reporting year")
    return year


@require_safe
def period_list(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm(perms.LOCK_YEARS) or request.user.has_perm(perms.UNLOCK_YEARS)):
        raise PermissionDenied
    return _page(request)


@require_POST
@permission_required(perms.LOCK_YEARS, raise_exception=True)
def period_lock(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    form = LockForm(request.POST, auto_id=_forms_id("lock", year))
    if not form.is_valid():
        return _page(request, year=year, lock_form=form, status=400)
    try:
        periods.lock_year(year=year, user=request.user, note=form.cleaned_data["note"])
    except ValidationError as refusal:  # locked already
        messages.error(request, " ".join(refusal.messages))
        return redirect("dashboard:periods")
    messages.success(
        request,
        _(
            "Reporting year %(year)s is locked: its records, retirements and certificates "
            "can no longer change."
        )
        % {"year": year},
    )
    return redirect("dashboard:periods")


@require_POST
@permission_required(perms.UNLOCK_YEARS, raise_exception=True)
def period_unlock(request: HttpRequest, year: int) -> HttpResponse:
    year = _year_or_404(year)
    form = UnlockForm(request.POST, auto_id=_forms_id("unlock", year))
    if not form.is_valid():
        return _page(request, year=year, unlock_form=form, status=400)
    try:
        periods.unlock_year(year=year, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as refusal:  # not locked (any more)
        messages.error(request, " ".join(refusal.messages))
        return redirect("dashboard:periods")
    messages.success(
        request, _("Reporting year %(year)s is unlocked; the reason is recorded.") % {"year": year}
    )
    return redirect("dashboard:periods")


urlpatterns = [
    path("periods/", period_list, name="periods"),
    path("periods/<int:year>/lock/", period_lock, name="period_lock"),
    path("periods/<int:year>/unlock/", period_unlock, name="period_unlock"),
]
