"""Background tasks of the plan domain, run by the Huey consumer (`mutualplan worker`, or the
one inside `mutualplan serve`); never in a request."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from huey.contrib.djhuey import db_task
from huey.exceptions import RetryTask

from mutualplan.mail.confirm_again_email import confirm_again_email
from mutualplan.mail.escalation_email import escalation_email
from mutualplan.mail.plan_email import plan_email
from mutualplan.plans.models import EmailDelivery
from mutualplan.plans.services.reconfirm import request_confirmation_again
from mutualplan.plans.services.revisions import revision_of

log = logging.getLogger(__name__)


def reason(error: BaseException) -> str:
    """What went wrong, in a line the seller can act on."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"the mail server refused it ({error.smtp_code} {detail})"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = [
            f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values()
        ]
        return f"the mail server refused the recipient's address ({'; '.join(answers)})"[:500]
    if isinstance(error, ConnectionRefusedError | smtplib.SMTPConnectError):
        host = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
        return f"could not reach the mail server at {host} (connection refused)"
    if isinstance(error, TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(error, OSError | smtplib.SMTPException):
        return f"sending failed: {error.__class__.__name__}: {error}"[:500]
    return f"sending failed: {error.__class__.__name__}"


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: the base delay, doubled for each attempt made."""
    return int(settings.EMAIL_RETRY_SECONDS) * 2 ** max(0, attempts - 1)


def build_message(delivery: EmailDelivery, link: str) -> EmailMultiAlternatives:
    """The email a delivery row stands for, by its kind, made now (documents included);
    every kind goes through the same retries."""
    if delivery.kind == EmailDelivery.ESCALATION:
        return escalation_email(delivery, link)
    if delivery.kind == EmailDelivery.RECONFIRM:
        return confirm_again_email(delivery, link)
    revision = None
    if delivery.kind == EmailDelivery.REVISION and delivery.version is not None:
        revision = revision_of(delivery.version)
    return plan_email(delivery.plan, delivery.recipient, delivery.message, link, revision)


@db_task()
def deliver_plan_email(delivery_id: int, link: str) -> None:
    """Send one queued email of a plan (sent, revised, escalation, confirm again) to one
    person; retry with backoff; record the outcome."""
    delivery = (
        EmailDelivery.objects.select_related("plan__workspace", "plan__deal", "version")
        .filter(id=delivery_id, status=EmailDelivery.QUEUED)
        .first()
    )
    if delivery is None:  # already sent, or the plan is gone
        return
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        message = build_message(delivery, link)
        delivery.subject = message.subject[:300]
        message.send()
    except Exception as error:
        delivery.last_error = reason(error)
        if delivery.attempts >= settings.EMAIL_ATTEMPTS:
            delivery.status = EmailDelivery.FAILED
            log.warning(
                "email of plan %s to a buyer failed after %s attempts: %s",
                delivery.plan_id,
                delivery.attempts,
                delivery.last_error,
            )
        delivery.save(
            update_fields=["attempts", "last_attempt_at", "last_error", "status", "subject"]
        )
        if delivery.status == EmailDelivery.QUEUED:
            raise RetryTask(delay=retry_delay(delivery.attempts)) from None
        return
    delivery.status = EmailDelivery.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(
        update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at", "subject"]
    )


@db_task()
def ask_to_confirm_again(plan_id: int) -> None:
    """The debounced check after a confirmed row changed: queue at most one "please confirm
    again" email to the champion (plans.services.reconfirm)."""
    request = request_confirmation_again(plan_id)
    if request is not None:  # committed: the email can be queued at once
        deliver_plan_email(request.delivery.id, request.link)
