"""The request lifecycle: send, open, submit, review (accept or ask again), revoke, remind.

Every step locks the request row, so two clicks, two tabs or two workers cannot both act:
a request is e-mailed once, submitted once per round, accepted once. Mails go out after the
step commits (a step that fails mails nothing) and each is marked sent in the same UPDATE
that claims it, so nothing is sent twice.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from emissions.facilities.models import Organisation
from emissions.factors.models import EmissionFactor, FactorBasis, FactorDataset
from emissions.factors.taxonomy import Category

from . import mails
from .intensity import energy_intensity
from .models import (
    DataRequest,
    LineKind,
    RequestStatus,
    Submission,
    SubmissionFile,
    SubmissionLine,
    SubmissionStatus,
    Supplier,
    company_group,
)
from .signals import supplier_data_accepted

NONCE_BYTES = 16
MAX_POSTS_PER_HOUR = 20

DATASETS = {
    FactorBasis.SUPPLIER_PRODUCT: "Supplier product footprints (accepted submissions)",
    FactorBasis.SUPPLIER_COMPANY: (
        "Supplier intensities from energy and output (accepted submissions)"
    ),
}


def _signer() -> signing.Signer:
    return signing.Signer(salt="emissions.suppliers.link", sep=".")


def token_for(request: DataRequest) -> str:
    return _signer().sign(f"{request.pk}-{request.nonce}")


def find_request(token: str) -> DataRequest | None:
    """The request a link's token opens, or None (a tampered, foreign or unknown token)."""
    if not token or len(token) > 200:
        return None
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, nonce = value.partition("-")
    request = (
        DataRequest.objects.select_related("supplier").filter(pk=int(pk)).first()
        if pk.isdigit()
        else None
    )
    if request is None or not constant_time_compare(request.nonce, nonce):
        return None
    return request


def link_for(request: DataRequest) -> str:
    return f"{settings.SITE_URL}/supplier-data/{token_for(request)}/"


@dataclass(frozen=True)
class SentRequest:
    request: DataRequest
    link: str


def send_request(*, supplier: Supplier, year: int, products, message: str, user, days=None):
    """Create the request and e-mail its link; ValidationError names what is wrong."""
    products = list(products)
    if not products:
        raise ValidationError({"products": _("Choose at least one product.")})
    foreign = [p for p in products if p.supplier_id != supplier.pk]
    if foreign:
        raise ValidationError(
            {
                "products": _("%(products)s are not %(supplier)s's products.")
                % {"products": ", ".join(p.code for p in foreign), "supplier": supplier}
            }
        )
    if not supplier.email:
        raise ValidationError(
            {"supplier": _("%(supplier)s has no e-mail address.") % {"supplier": supplier}}
        )
    now = timezone.now()
    request = DataRequest(
        supplier=supplier,
        year=year,
        message=message,
        nonce=secrets.token_hex(NONCE_BYTES),
        created_by=user,
        created_at=now,
        expires_at=now + timezone.timedelta(days=days or settings.SUPPLIER_LINK_DAYS),
    )
    request.full_clean(exclude=["nonce"])
    try:
        with transaction.atomic():
            # One open request per supplier and year: a second click finds the first.
            locked = Supplier.objects.select_for_update().get(pk=supplier.pk)
            waiting = locked.requests.filter(
                year=year, status__in=[RequestStatus.SENT, RequestStatus.RETURNED]
            ).first()
            if waiting is not None:
                raise ValidationError(
                    _(
                        "A request to %(supplier)s for %(year)s is already open (sent "
                        "%(when)s). Revoke it first to send a new one."
                    )
                    % {
                        "supplier": supplier,
                        "year": year,
                        "when": timezone.localtime(waiting.created_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )
            request.save()
            request.products.set(products)
            transaction.on_commit(lambda: mails.send_once(request.pk, "mailed_at"))
    except IntegrityError as error:
        raise ValidationError(str(error)) from None
    return SentRequest(request, link_for(request))


def _locked(request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update().select_related("supplier").get(pk=request.pk)


def mark_opened(request: DataRequest) -> None:
    DataRequest.objects.filter(pk=request.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


def count_post(request: DataRequest) -> bool:
    """Count a form post against the link's hourly limit; False once it is used up."""
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(request)
        start = locked.post_window_start
        if start is None or start <= now - timezone.timedelta(hours=1):
            start, count = now, 1
        else:
            count = locked.post_count + 1
        DataRequest.objects.filter(pk=locked.pk).update(post_window_start=start, post_count=count)
    return count <= MAX_POSTS_PER_HOUR


@dataclass(frozen=True)
class LineInput:
    product_id: int
    kind: str
    values: dict


@transaction.atomic
def submit(
    request: DataRequest, *, lines: list[LineInput], files, language: str, contact_name: str,
    notes: str,
) -> Submission:  # fmt: skip
    """Store a supplier's answer (all of it or nothing) and set the request to review."""
    request = _locked(request)
    if request.status == RequestStatus.SUBMITTED:
        raise ValidationError(_("This request has already been answered; it is being reviewed."))
    if not request.is_open():
        raise ValidationError(_("This link no longer takes answers."))
    allowed = set(request.products.values_list("pk", flat=True))
    if not lines or {line.product_id for line in lines} - allowed:
        raise ValidationError(_("Answer for the products of this request only."))
    submission = Submission.objects.create(
        request=request, language=language, contact_name=contact_name, notes=notes
    )
    for line in lines:
        row = SubmissionLine(
            submission=submission, product_id=line.product_id, kind=line.kind, **line.values
        )
        row.full_clean(exclude=["submission", "factor"])
        row.save()
    for upload, kind in files:
        SubmissionFile.objects.create(
            submission=submission,
            file=upload,
            original_name=upload.name[:200],
            content_type=kind.content_type,
            size=upload.size,
            sha256=_sha256(upload),
        )
    request.status = RequestStatus.SUBMITTED
    request.save(update_fields=["status"])
    return submission


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _review_target(submission: Submission) -> tuple[DataRequest, Submission]:
    request = _locked(submission.request)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.TO_REVIEW:
        raise ValidationError(
            _("This submission was already reviewed (%(status)s).")
            % {"status": submission.get_status_display()}
        )
    return request, submission


def _reviewed(submission: Submission, user, status: str, message: str = "") -> None:
    """Record the review on the submission with save(): its history keeps every step."""
    submission.status = status
    submission.reviewed_by = user
    submission.reviewed_at = timezone.now()
    submission.review_message = message
    submission._change_reason = f"{status} by {user}"
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_message"])


@transaction.atomic
def accept(submission: Submission, user) -> list[EmissionFactor]:
    """Turn the answer into supplier-specific factors; the affected purchases are recalculated."""
    request, submission = _review_target(submission)
    organisation = Organisation.current()
    factors = [
        _factor_from(line, request, organisation)
        for line in submission.lines.select_related("product")
    ]
    _reviewed(submission, user, SubmissionStatus.ACCEPTED)
    request.status = RequestStatus.ACCEPTED
    request.save(update_fields=["status"])
    product_ids = sorted({line.product_id for line in submission.lines.all()})
    supplier_id = request.supplier_id
    transaction.on_commit(lambda: mails.send_once(request.pk, "thanked_at"))
    transaction.on_commit(
        lambda: supplier_data_accepted.send(
            sender=Submission, supplier_id=supplier_id, product_ids=product_ids
        )
    )
    return factors


def _dataset(basis: str) -> FactorDataset:
    dataset, _created = FactorDataset.objects.get_or_create(
        name=DATASETS[basis],
        defaults={
            "publisher": _("Kehui's suppliers"),
            "version": "-",
            "basis": basis,
            "source_reference": _("Data submitted by suppliers and accepted by an approver."),
        },
    )
    return dataset


def _factor_from(line: SubmissionLine, request: DataRequest, organisation) -> EmissionFactor:
    product, supplier = line.product, request.supplier
    source = _("%(supplier)s, submission of %(date)s for %(year)s, accepted") % {
        "supplier": supplier,
        "date": timezone.localtime(line.submission.submitted_at).strftime("%Y-%m-%d"),
        "year": request.year,
    }
    common = {
        "series": "",
        "category": Category.C1,
        "unit": product.declared_unit,
        "region": "CN" if supplier.credit_code else "GLOBAL",
        "year": request.year,
        "source_reference": source,
    }
    if line.kind == LineKind.FOOTPRINT:
        common["year"] = line.data_year or request.year
        factor = EmissionFactor.objects.create(
            key=f"supplier-product-{product.pk}-{common['year']}-line-{line.pk}",
            name=_("%(product)s, footprint by %(supplier)s (%(boundary)s, %(method)s, %(check)s)")
            % {
                "product": product.label,
                "supplier": supplier,
                "boundary": line.get_boundary_display(),
                "method": line.get_method_display(),
                "check": line.get_verification_display(),
            },
            dataset=_dataset(FactorBasis.SUPPLIER_PRODUCT),
            group=product.footprint_group,
            co2e_kg=line.kg_co2e_per_unit,
            co2e_gwp_basis=organisation.gwp_basis,
            notes=line.verifier,
            **common,
        )
    else:
        intensity = energy_intensity(line, request.year, organisation)
        factor = EmissionFactor.objects.create(
            key=f"supplier-company-{supplier.pk}-{request.year}-line-{line.pk}",
            name=_("%(supplier)s, intensity per %(unit)s of %(product)s (energy and output)")
            % {"supplier": supplier, "unit": product.declared_unit, "product": product.label},
            dataset=_dataset(FactorBasis.SUPPLIER_COMPANY),
            group=company_group(supplier.pk),
            co2_kg=intensity.co2_kg,
            ch4_kg=intensity.ch4_kg,
            n2o_kg=intensity.n2o_kg,
            notes=intensity.explanation,
            **common,
        )
    SubmissionLine.objects.filter(pk=line.pk).update(factor=factor)
    return factor


@transaction.atomic
def ask_again(submission: Submission, user, message: str) -> None:
    """Return the answer to the supplier with a message; the link takes a new answer."""
    if not message.strip():
        raise ValidationError({"message": _("Say what the supplier should change.")})
    request, submission = _review_target(submission)
    now = timezone.now()
    _reviewed(submission, user, SubmissionStatus.RETURNED, message=message)
    request.status = RequestStatus.RETURNED
    # The supplier gets at least two weeks to answer again.
    request.expires_at = max(request.expires_at, now + timezone.timedelta(days=14))
    request.reminded_at = None
    request.save(update_fields=["status", "expires_at", "reminded_at"])
    submission_id = submission.pk
    transaction.on_commit(lambda: mails.send_returned(submission_id))


@transaction.atomic
def revoke(request: DataRequest, user) -> None:
    request = _locked(request)
    if request.status == RequestStatus.REVOKED:
        return
    if request.status == RequestStatus.ACCEPTED:
        raise ValidationError(_("An accepted request cannot be revoked."))
    request.status = RequestStatus.REVOKED
    request.revoked_at = timezone.now()
    request._change_reason = f"Revoked by {user}"
    request.save(update_fields=["status", "revoked_at"])


def remind_due(now=None) -> int:
    """E-mail a reminder for each open request that expires within the reminder window, and
    send again the request and thank-you mails that could not be sent; return how many went."""
    now = now or timezone.now()
    open_statuses = [RequestStatus.SENT, RequestStatus.RETURNED]
    unsent = DataRequest.objects.filter(status__in=open_statuses, mailed_at__isnull=True)
    sent = sum(mails.send_once(pk, "mailed_at") for pk in list(unsent.values_list("pk", flat=True)))
    unthanked = DataRequest.objects.filter(status=RequestStatus.ACCEPTED, thanked_at__isnull=True)
    sent += sum(
        mails.send_once(pk, "thanked_at") for pk in list(unthanked.values_list("pk", flat=True))
    )
    due = DataRequest.objects.filter(
        status__in=[RequestStatus.SENT, RequestStatus.RETURNED],
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + timezone.timedelta(days=settings.SUPPLIER_REMINDER_DAYS),
    ).values_list("pk", flat=True)
    return sent + sum(mails.send_once(pk, "reminded_at") for pk in list(due))
