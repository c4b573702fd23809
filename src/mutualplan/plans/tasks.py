"""Background tasks of the plan domain, run by the Huey consumer (`mutualplan worker`, or the
one inside `mutualplan serve`); never in a request."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from mutualplan.mail.confirm_again_email import confirm_again_email
from mutualplan.mail.escalation_email import escalation_email
from mutualplan.mail.plan_email import plan_email
from mutualplan.plans.models import EmailDelivery
from mutualplan.plans.services.reconfirm import request_confirmation_again
from mutualplan.plans.services.revisions import revision_of
from mutualplan.plans.services.sharing import link_token, share_url
from mutualplan.queue import lost_rows

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


def claim(delivery_id: int) -> EmailDelivery | None:
    """Take a queued delivery for this consumer (queued -> sending, one UPDATE): a second
    copy of its task, or the sweep, finds it taken and sends nothing."""
    now = timezone.now()
    taken = EmailDelivery.objects.filter(id=delivery_id, status=EmailDelivery.QUEUED).update(
        status=EmailDelivery.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not taken:  # already sent, being sent, failed for good, or the plan is gone
        return None
    return EmailDelivery.objects.select_related(
        "plan__workspace", "plan__deal", "version", "share_link"
    ).get(id=delivery_id)


def emailed_link(delivery: EmailDelivery, link: str) -> str:
    """The link the email carries: the one handed to the task, else derived again from the
    delivery's share link. Refused when the link was revoked or can't be made again."""
    share_link = delivery.share_link
    if share_link is None:
        return link
    if not share_link.is_usable():
        raise LinkGone("the share link was revoked (or expired) before the email went out")
    if link:
        return link
    token = link_token(share_link)
    if token is None:
        raise LinkGone("the email's share link can't be made again: send the plan again")
    return share_url(token)


class LinkGone(Exception):
    """The email's link no longer opens the plan: sending it would only confuse."""


@db_task()
def deliver_plan_email(delivery_id: int, link: str = "") -> None:
    """Send one queued email of a plan (sent, revised, escalation, confirm again) to one
    person; retry with backoff; record the outcome. (`link`: from tasks queued before links
    were derived again from the delivery; new tasks carry none.)"""
    delivery = claim(delivery_id)
    if delivery is None:
        return
    try:
        message = build_message(delivery, emailed_link(delivery, link))
        delivery.subject = message.subject[:300]
        message.send()
    except LinkGone as gone:
        delivery.status = EmailDelivery.FAILED
        delivery.last_error = str(gone)
    except Exception as error:
        delivery.last_error = reason(error)
        delivery.status = EmailDelivery.QUEUED
        if delivery.attempts >= settings.EMAIL_ATTEMPTS:
            delivery.status = EmailDelivery.FAILED
            log.warning(
                "email of plan %s to a buyer failed after %s attempts: %s",
                delivery.plan_id,
                delivery.attempts,
                delivery.last_error,
            )
    else:
        delivery.status = EmailDelivery.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
    delay = retry_delay(delivery.attempts)
    delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
    delivery.save(update_fields=["last_error", "status", "sent_at", "subject", "next_attempt_at"])
    if delivery.status == EmailDelivery.QUEUED:
        raise RetryTask(delay=delay)


def lost_emails(now: dt.datetime) -> list[int]:
    """Put back every email the queue lost (see queue.lost_rows); the ids to queue again."""
    return lost_rows(EmailDelivery, now)


@db_periodic_task(crontab(minute="*/5"))
def requeue_lost_emails() -> None:
    """Every five minutes: queue again the emails the queue lost. The claim in
    deliver_plan_email keeps a late original and its copy from both sending."""
    for delivery_id in lost_emails(timezone.now()):
        log.warning("email delivery %s was lost by the queue; queued again", delivery_id)
        deliver_plan_email(delivery_id)


@db_task()
def ask_to_confirm_again(plan_id: int) -> None:
    """The debounced check after a confirmed row changed: queue at most one "please confirm
    again" email to the champion (plans.services.reconfirm)."""
    request = request_confirmation_again(plan_id)
    if request is not None:  # committed: the email can be queued at once
        deliver_plan_email(request.delivery.id)
