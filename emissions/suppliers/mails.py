"""The e-mails a supplier gets: the request, a reminder before the link expires, a request to
answer again, and thanks. Each in the supplier's language, through Django's e-mail framework
(the console in `make run`, SMTP when EMAIL_HOST is set; docs/operations.md).

`send_once` claims a mail with one conditional UPDATE (its "sent at" column still empty)
before sending: two workers, a double click or a retried job cannot send it twice. A mail
whose sending fails is released again and logged, never raised into the page that sent it
(the page says so); `manage.py remind_suppliers` retries it.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import DataRequest, Submission

logger = logging.getLogger(__name__)

TEMPLATES = {
    "mailed_at": "request",
    "reminded_at": "reminder",
    "thanked_at": "thanks",
}


def _context(request: DataRequest, **extra) -> dict:
    from .services import link_for  # services sends mails: imported here, not at the top

    return {
        "request": request,
        "supplier": request.supplier,
        "products": list(request.products.all()),
        "link": link_for(request),
        "expires": timezone.localtime(request.expires_at),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _send(request: DataRequest, template: str, **extra) -> None:
    supplier = request.supplier
    with translation.override(supplier.language):
        context = _context(request, **extra)
        subject = render_to_string(f"suppliers/mail/{template}_subject.txt", context)
        body = render_to_string(f"suppliers/mail/{template}.txt", context)
    send_mail(
        " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [supplier.email],
        fail_silently=False,
    )


def send_once(request_id: int, sent_field: str) -> bool:
    """Send the request's mail for `sent_field` unless it was sent; True when sent now."""
    claimed = DataRequest.objects.filter(pk=request_id, **{f"{sent_field}__isnull": True}).update(
        **{sent_field: timezone.now()}
    )
    if not claimed:
        return False
    request = DataRequest.objects.select_related("supplier").get(pk=request_id)
    try:
        _send(request, TEMPLATES[sent_field])
    except Exception:  # SMTP refusals, timeouts, DNS: the mail is retried, the page stays up
        DataRequest.objects.filter(pk=request_id).update(**{sent_field: None})
        logger.exception("Supplier mail %s of request %s not sent", sent_field, request_id)
        return False
    return True


def send_returned(submission_id: int) -> None:
    """The reviewer's message and the link again (each return is its own mail)."""
    submission = Submission.objects.select_related("request__supplier").get(pk=submission_id)
    try:
        _send(submission.request, "returned", message=submission.review_message)
    except Exception:
        logger.exception("Supplier mail 'returned' of submission %s not sent", submission_id)
