"""MUTUALPLAN_EMAIL_URL, parsed into Django's email settings.

    console://                          print messages (the default)
    smtp://user:pass@host:587?tls=1     SMTP with STARTTLS (ssl=1: SMTP over TLS, as smtps://)
    smtps://user:pass@host:465          SMTP over TLS
    locmem://                           keep messages in memory (tests)
    dummy://                            drop messages

Query options: tls, ssl (1/0, true/false), timeout (seconds), from (the sender address).
A URL it does not understand is refused with a clear error when the app starts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
OPTIONS = {"tls", "ssl", "timeout", "from"}


class BadEmailUrl(ImproperlyConfigured):
    pass


def _flag(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise BadEmailUrl(f"MUTUALPLAN_EMAIL_URL: {name} must be 1 or 0, not {value!r}")


def parse_email_url(url: str) -> dict[str, Any]:
    """Django's EMAIL_* settings for `url` (only the ones it sets)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise BadEmailUrl(f"MUTUALPLAN_EMAIL_URL is not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise BadEmailUrl(
            f"MUTUALPLAN_EMAIL_URL: unknown scheme {scheme or '(none)'!r}; "
            f"use one of {', '.join(sorted(BACKENDS))} (e.g. smtp://user:pass@host:587?tls=1)"
        )
    found: dict[str, Any] = {"EMAIL_BACKEND": BACKENDS[scheme]}
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - OPTIONS
    if unknown:
        raise BadEmailUrl(
            f"MUTUALPLAN_EMAIL_URL: unknown option {sorted(unknown)[0]!r} "
            f"(known: {', '.join(sorted(OPTIONS))})"
        )
    options = {key: values[-1] for key, values in query.items()}
    if "from" in options:
        if "@" not in options["from"]:
            raise BadEmailUrl("MUTUALPLAN_EMAIL_URL: from must be an email address")
        found["DEFAULT_FROM_EMAIL"] = options["from"]
    if scheme not in ("smtp", "smtps"):
        return found
    if not parts.hostname:
        raise BadEmailUrl("MUTUALPLAN_EMAIL_URL: an smtp URL needs a host (smtp://host:587)")
    ssl = scheme == "smtps" or _flag("ssl", options.get("ssl", "0"))
    tls = _flag("tls", options.get("tls", "0"))
    if ssl and tls:
        raise BadEmailUrl("MUTUALPLAN_EMAIL_URL: choose tls=1 (STARTTLS) or ssl=1, not both")
    timeout = 10
    if "timeout" in options:
        try:
            timeout = int(options["timeout"])
        except ValueError:
            raise BadEmailUrl("MUTUALPLAN_EMAIL_URL: timeout must be whole seconds") from None
        if timeout < 1:
            raise BadEmailUrl("MUTUALPLAN_EMAIL_URL: timeout must be at least 1 second")
    found.update(
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port or (465 if ssl else 587 if tls else 25),
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_TLS=tls,
        EMAIL_USE_SSL=ssl,
        EMAIL_TIMEOUT=timeout,
    )
    return found
