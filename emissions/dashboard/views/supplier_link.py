"""The page a supplier opens from the mailed link: no account, this request only.

The token in the URL is the only key (services.find_request): a wrong, changed or foreign
token gets the same "not a valid link" page, so a guess learns nothing. The page shows the
supplier's own request (its products and year) and nothing else of Kehui's; it is in the
browser's language, switchable (the language switch needs no login).
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from emissions.evidence import files as evidence_files
from emissions.facilities.models import Organisation
from emissions.suppliers import services
from emissions.suppliers.forms import MAX_FILES, ProductAnswerForm, SubmissionForm
from emissions.suppliers.models import RequestStatus
from emissions.uploads import limit_upload_size

# Every file may reach the evidence limit; the handler stops one file that passes it.
UPLOAD_LIMIT = evidence_files.MAX_BYTES


def _state_page(request, data_request, status: int, state: str) -> HttpResponse:
    return render(
        request,
        "suppliers/link_state.html",
        {"data_request": data_request, "state": state},
        status=status,
    )


def _refusal(request, data_request) -> HttpResponse | None:
    """The page for a link that takes no answer now, or None when the form may be shown."""
    if data_request is None:
        return _state_page(request, None, 404, "invalid")
    if data_request.status == RequestStatus.REVOKED:
        return _state_page(request, data_request, 410, "revoked")
    if data_request.status == RequestStatus.ACCEPTED:
        return _state_page(request, data_request, 200, "accepted")
    if data_request.status == RequestStatus.SUBMITTED:
        return _state_page(request, data_request, 200, "submitted")
    if timezone.now() >= data_request.expires_at:
        return _state_page(request, data_request, 410, "expired")
    return None


def _forms(data_request, data=None, files=None):
    products = list(data_request.products.order_by("code"))
    year = data_request.year
    answers = [ProductAnswerForm(data, product=product, year=year) for product in products]
    return SubmissionForm(data, files), answers


def _render_form(request, data_request, form, answers, status=200) -> HttpResponse:
    organisation = Organisation.current()
    returned = data_request.submissions.filter(status="returned").first()
    return render(
        request,
        "suppliers/link_form.html",
        {
            "data_request": data_request,
            "form": form,
            "answers": answers,
            "returned": returned if data_request.status == RequestStatus.RETURNED else None,
            "gwp_basis": organisation.gwp_basis if organisation else "AR6",
            "max_files": MAX_FILES,
        },
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@limit_upload_size(lambda: UPLOAD_LIMIT)
def supplier_link(request: HttpRequest, token: str) -> HttpResponse:
    data_request = services.find_request(token)
    refused = _refusal(request, data_request)
    if refused is not None:
        return refused
    if request.method != "POST":
        services.mark_opened(data_request)
        return _render_form(request, data_request, *_forms(data_request))
    if not services.count_post(data_request):
        return _state_page(request, data_request, 429, "too_many")
    form, answers = _forms(data_request, request.POST, request.FILES)
    if request.upload_limit_exceeded():
        form.is_valid()
        form.errors["files"] = form.error_class(
            [_("A file is larger than %(limit)s.") % {"limit": evidence_files.MAX_LABEL}]
        )
        return _render_form(request, data_request, form, answers, status=400)
    # Every form is validated, so that each shows its own errors at once.
    answers_valid = [answer.is_valid() for answer in answers]
    if not (form.is_valid() and all(answers_valid)):
        return _render_form(request, data_request, form, answers, status=400)
    try:
        with transaction.atomic():
            services.submit(
                data_request,
                lines=[answer.line() for answer in answers],
                files=form.cleaned_data["files"],
                language=translation.get_language(),
                contact_name=form.cleaned_data["contact_name"],
                notes=form.cleaned_data["notes"],
            )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_form(request, data_request, form, answers, status=400)
    return redirect("dashboard:supplier_link", token=token)


urlpatterns = [
    path("supplier-data/<str:token>/", supplier_link, name="supplier_link"),
]
