"""Password rules and password-reset requests."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from mutualplan.accounts.throttle import take, too_many


def password_problems(password: str, *, email: str, name: str = "") -> list[str]:
    """Why `password` may not be used by a new seller with this email and name (none: [])."""
    first, _, last = name.partition(" ")
    user = get_user_model()(username=email, email=email, first_name=first, last_name=last)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def reset_request_refusal(email: str, address: str) -> str | None:
    """Record a password-reset request, or say why it is refused: too many for this email or
    from this address lately. The same answer whether or not an account uses the email."""
    wait = take(
        "password-reset",
        [f"email:{email.strip().lower()}", f"address:{address}" if address else ""],
        settings.PASSWORD_RESET_LIMIT,
        dt.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES),
    )
    return too_many("password-reset requests", "email", wait) if wait else None
