"""Sign-in can't be guessed: failed sign-ins and password-reset requests are throttled per
account (or email) and per address, with a message that says how long to wait; every password
that is set follows Django's password rules."""

from __future__ import annotations

import datetime as dt
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test import Client

from mutualplan.accounts.models import RateLimit
from mutualplan.accounts.passwords import reset_request_refusal

PASSWORD = "correct-horse-battery"
LOCKED = "Too many failed sign-ins for this account or address. Try again in 15 minutes."
RESET_THROTTLED = (
    "Too many password-reset requests for this email or address. Try again in 60 minutes."
)
HOME = "198.51.100.7"


def sign_in(client: Client, email: str, password: str, address: str = HOME) -> Any:
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client: Client) -> str | None:
    key = client.cookies.get("sessionid")
    if key is None:
        return None
    session = Session.objects.filter(session_key=key.value).first()
    return session.get_decoded().get("_auth_user_id") if session else None


def page_text(response: Any) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def pass_sign_in_time(minutes: int) -> None:
    """Move every recorded failed sign-in `minutes` into the past (no sleeping)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def pass_reset_time(minutes: int) -> None:
    """Move every recorded reset request `minutes` into the past."""
    for bucket in RateLimit.objects.all():
        bucket.hits = [stamp - minutes * 60 for stamp in bucket.hits]
        bucket.save()


def test_after_five_wrong_passwords_even_the_right_one_is_refused_until_the_wait_passes(
    owner: Any,
) -> None:
    client = Client()
    for _ in range(4):
        wrong = sign_in(client, owner.email, "not-my-password")
        assert wrong.status_code == 200 and "do not match" in wrong.content.decode()
    fifth = sign_in(client, owner.email, "not-my-password")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()

    right = sign_in(client, owner.email, PASSWORD)
    page = right.content.decode()
    assert right.status_code == 429
    assert LOCKED in page and 'name="password"' in page  # the sign-in page again, not axes' text
    assert "Account locked" not in page
    assert signed_in_as(client) is None
    # The account is locked from any address, not only the one that guessed.
    elsewhere = sign_in(Client(), owner.email, PASSWORD, address="203.0.113.9")
    assert elsewhere.status_code == 429 and LOCKED in elsewhere.content.decode()

    pass_sign_in_time(14)
    assert sign_in(client, owner.email, PASSWORD).status_code == 429
    pass_sign_in_time(16)
    after = sign_in(client, owner.email, PASSWORD)
    assert after.status_code == 302 and after["Location"] == "/"
    assert signed_in_as(client) == str(owner.id)


def test_five_wrong_passwords_from_one_address_lock_that_address_out_for_every_account(
    owner: Any, teammate: Any, outsider: Any
) -> None:
    attacker = "192.0.2.66"
    for email in (owner.email, outsider.email, "nobody@acme.example", "ceo@acme.example"):
        sign_in(Client(), email, "Summer2025!", attacker)
    last = sign_in(Client(), teammate.email, "Summer2025!", attacker)
    assert last.status_code == 429 and LOCKED in last.content.decode()

    client = Client()
    refused = sign_in(client, teammate.email, PASSWORD, attacker)
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert signed_in_as(client) is None
    # Only the address is locked: the same seller signs in from their own.
    own = Client()
    assert sign_in(own, teammate.email, PASSWORD, HOME).status_code == 302
    assert signed_in_as(own) == str(teammate.id)


def test_a_successful_sign_in_forgets_the_sellers_own_earlier_failures(owner: Any) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, owner.email, "typo-typo-typo")
    assert sign_in(client, owner.email, PASSWORD).status_code == 302
    # Four more typos are four, not eight: the earlier ones were forgotten...
    for _ in range(4):
        again = sign_in(Client(), owner.email, "typo-typo-typo")
        assert again.status_code == 200 and "do not match" in again.content.decode()
    # ...and the fifth in a row still locks the account.
    fifth = sign_in(Client(), owner.email, "typo-typo-typo")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()


def test_signing_in_to_ones_own_account_does_not_reset_guesses_at_another(
    owner: Any, teammate: Any
) -> None:
    attacker = "192.0.2.77"
    for _ in range(4):
        sign_in(Client(), owner.email, "guess-guess-1", attacker)
    # The guesser signs in to their own account from the same address in between...
    assert sign_in(Client(), teammate.email, PASSWORD, attacker).status_code == 302
    # ...and the fifth guess at the owner's account still locks it.
    fifth = sign_in(Client(), owner.email, "guess-guess-2", attacker)
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    assert sign_in(Client(), owner.email, PASSWORD, "203.0.113.50").status_code == 429


def request_reset(email: str, address: str = HOME) -> Any:
    return Client().post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_throttled_per_email_with_the_wait(owner: Any) -> None:
    for n in range(5):
        sent = request_reset(owner.email, address=f"198.51.100.{n + 10}")
        assert sent.status_code == 302 and sent["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 5
    refused = request_reset(owner.email.upper(), address="198.51.100.99")
    assert refused.status_code == 429
    assert RESET_THROTTLED in refused.content.decode()
    assert 'name="email"' in refused.content.decode()
    assert len(mail.outbox) == 5

    pass_reset_time(61)
    assert request_reset(owner.email).status_code == 302
    assert len(mail.outbox) == 6


def test_an_unknown_email_is_throttled_the_same_way_so_nothing_tells_it_apart(
    owner: Any,
) -> None:
    for n in range(5):
        unknown = request_reset("nobody@acme.example", address=f"198.51.100.{n + 10}")
        assert unknown.status_code == 302 and unknown["Location"] == "/password-reset/sent/"
    refused = request_reset("nobody@acme.example", address="198.51.100.99")
    known = [request_reset(owner.email, address=f"203.0.113.{n + 10}") for n in range(6)][-1]
    assert refused.status_code == known.status_code == 429
    assert page_text(refused).replace("nobody@acme.example", "") == (
        page_text(known).replace(owner.email, "")
    )
    assert RESET_THROTTLED in refused.content.decode()
    assert len(mail.outbox) == 5


def test_password_reset_requests_are_throttled_per_address_across_emails(
    owner: Any, teammate: Any
) -> None:
    attacker = "192.0.2.88"
    for email in (owner.email, teammate.email, "a@acme.example", "b@acme.example", "c@x.example"):
        assert request_reset(email, attacker).status_code == 302
    refused = request_reset("d@acme.example", attacker)
    assert refused.status_code == 429 and RESET_THROTTLED in refused.content.decode()
    # Another address still asks for the owner's link.
    assert request_reset(owner.email, HOME).status_code == 302
    assert [m.to for m in mail.outbox].count([owner.email]) == 2


def test_the_reset_confirm_form_refuses_a_weak_password_and_keeps_the_old_one(
    owner: Any,
) -> None:
    client = Client()
    client.post("/password-reset/", {"email": owner.email})
    link = re.search(r"https?://\S+(/password-reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    action = form.redirect_chain[-1][0]
    for weak, reason in (
        ("short1", "too short"),
        ("password1234", "too common"),
        ("8402751936204", "entirely numeric"),
        ("olivia@acme.example", "too similar"),
    ):
        refused = client.post(action, {"new_password1": weak, "new_password2": weak})
        assert refused.status_code == 400, weak
        assert reason in refused.content.decode(), weak
    user = get_user_model().objects.get(id=owner.id)
    assert user.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_concurrent_reset_requests_from_many_connections_never_pass_the_limit() -> None:
    # Each thread has its own database connection, as each server process would.
    start = threading.Barrier(12)

    def ask(n: int) -> str | None:
        try:
            start.wait(timeout=30)
            return reset_request_refusal("priya@buyer.example", f"203.0.113.{n}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(ask, range(12)))
    assert answers.count(None) == 5
    assert all(a is not None and "Try again in 60 minutes" in a for a in answers if a)
