"""Staff pages for supplier data: tracking, sending a request, reviewing what came back."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from emissions.suppliers import services
from emissions.suppliers.models import DataRequest, Submission, SubmissionFile, Supplier

from .. import permissions as perms
from ..filters import page_filter
from ..pages.suppliers import build_suppliers_page
from .common import page_template
from .evidence import private_download


@require_safe
@permission_required(perms.VIEW_SUPPLIERS, raise_exception=True)
def suppliers(request: HttpRequest) -> HttpResponse:
    selected = page_filter(request)
    page = build_suppliers_page(selected.year) if selected.year is not None else None
    context = {"filter": selected, "page": page}
    return render(request, page_template(request, "dashboard/suppliers.html"), context)


class RequestForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=gettext_lazy("Supplier"), queryset=Supplier.objects.all()
    )
    year = forms.IntegerField(label=gettext_lazy("Data year"), min_value=1990, max_value=2100)
    products = forms.MultipleChoiceField(
        label=gettext_lazy("Products"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the supplier"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    days = forms.IntegerField(
        label=gettext_lazy("Link valid for (days)"), min_value=1, max_value=90, initial=30
    )

    def __init__(self, *args, supplier: Supplier | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = supplier or self._bound_supplier()
        products = chosen.products.order_by("code") if chosen else []
        self.fields["products"].choices = [(str(p.pk), f"{p.label} ({p.code})") for p in products]

    def _bound_supplier(self) -> Supplier | None:
        value = self.data.get("supplier") if self.is_bound else None
        if value and str(value).isdigit():
            return Supplier.objects.filter(pk=int(value)).first()
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required([perms.VIEW_SUPPLIERS, perms.SEND_SUPPLIER_REQUESTS], raise_exception=True)
def request_new(request: HttpRequest) -> HttpResponse:
    supplier = None
    raw = request.GET.get("supplier", "")
    if raw and (
        not raw.isdigit() or not (supplier := Supplier.objects.filter(pk=int(raw)).first())
    ):
        raise Http404(_("No supplier with id %(id)s.") % {"id": raw[:20]})
    if request.method != "POST":
        initial = {"supplier": supplier, "year": page_filter(request).year}
        form = RequestForm(supplier=supplier, initial=initial)
        return render(request, "dashboard/supplier_request_new.html", {"form": form})
    form = RequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.send_request(
                supplier=data["supplier"],
                year=data["year"],
                products=data["supplier"].products.filter(pk__in=data["products"]),
                message=data["message"],
                user=request.user,
                days=data["days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            sent.request.refresh_from_db(fields=["mailed_at"])
            if sent.request.mailed_at is None:
                messages.warning(
                    request,
                    _(
                        "The request is saved but the e-mail to %(email)s could not be sent "
                        "(it is retried by remind_suppliers). Give the supplier the link, valid "
                        "until %(date)s: %(link)s"
                    )
                    % {
                        "email": data["supplier"].email,
                        "date": sent.request.expires_at.date().isoformat(),
                        "link": sent.link,
                    },
                )
                return redirect("dashboard:supplier_request", pk=sent.request.pk)
            messages.success(
                request,
                _("Request sent to %(email)s. The link, valid until %(date)s: %(link)s")
                % {
                    "email": data["supplier"].email,
                    "date": sent.request.expires_at.date().isoformat(),
                    "link": sent.link,
                },
            )
            return redirect("dashboard:supplier_request", pk=sent.request.pk)
    return render(request, "dashboard/supplier_request_new.html", {"form": form}, status=400)


@require_safe
@permission_required(perms.VIEW_SUPPLIERS, raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = get_object_or_404(
        DataRequest.objects.select_related("supplier", "created_by"), pk=pk
    )
    submissions = (
        data_request.submissions.select_related("reviewed_by")
        .prefetch_related("lines__product", "lines__factor", "files")
        .order_by("-submitted_at")
    )
    context = {
        "data_request": data_request,
        "products": data_request.products.order_by("code"),
        "submissions": submissions,
        "can_review": request.user.has_perm(perms.REVIEW_SUPPLIER_DATA),
        "can_revoke": request.user.has_perm(perms.REVOKE_SUPPLIER_REQUESTS),
    }
    return render(request, "dashboard/supplier_request.html", context)


def _review(request, pk: int, act) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=pk)
    try:
        act(submission)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("dashboard:supplier_request", pk=submission.request_id)


@require_POST
@permission_required([perms.VIEW_SUPPLIERS, perms.REVIEW_SUPPLIER_DATA], raise_exception=True)
def submission_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def accept(submission):
        factors = services.accept(submission, request.user)
        messages.success(
            request,
            _(
                "Accepted: %(count)s supplier-specific factor(s) made; the purchases from this "
                "supplier are being recalculated (see Jobs)."
            )
            % {"count": len(factors)},
        )

    return _review(request, pk, accept)


@require_POST
@permission_required([perms.VIEW_SUPPLIERS, perms.REVIEW_SUPPLIER_DATA], raise_exception=True)
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    def ask_again(submission):
        services.ask_again(submission, request.user, request.POST.get("message", ""))
        messages.success(request, _("Returned to the supplier with your message."))

    return _review(request, pk, ask_again)


@require_POST
@permission_required([perms.VIEW_SUPPLIERS, perms.REVOKE_SUPPLIER_REQUESTS], raise_exception=True)
def request_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = get_object_or_404(DataRequest, pk=pk)
    try:
        services.revoke(data_request, request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The link is revoked: it no longer opens the form."))
    return redirect("dashboard:supplier_request", pk=pk)


@require_safe
@permission_required(perms.VIEW_SUPPLIERS, raise_exception=True)
def submission_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(SubmissionFile, pk=pk)
    # From outside the company: a download, never shown inline (evidence.private_download).
    return private_download(evidence, evidence.original_name, evidence.content_type)


urlpatterns = [
    path("suppliers/", suppliers, name="suppliers"),
    path("suppliers/requests/new/", request_new, name="supplier_request_new"),
    path("suppliers/requests/<int:pk>/", request_detail, name="supplier_request"),
    path("suppliers/requests/<int:pk>/revoke/", request_revoke, name="supplier_request_revoke"),
    path("suppliers/submissions/<int:pk>/accept/", submission_accept, name="supplier_accept"),
    path("suppliers/submissions/<int:pk>/return/", submission_return, name="supplier_return"),
    path("suppliers/files/<int:pk>/", submission_file, name="supplier_file"),
]
