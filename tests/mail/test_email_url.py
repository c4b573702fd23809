"""MUTUALPLAN_EMAIL_URL into Django's email settings; a bad URL is a clear error at start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mutualplan.mail.email_url import BadEmailUrl, parse_email_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_an_smtp_url_with_starttls_sets_host_port_login_and_tls() -> None:
    assert parse_email_url("smtp://mailer:s%40cret@smtp.example.com:587?tls=1") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "s@cret",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


def test_smtps_means_tls_from_the_start_on_port_465() -> None:
    found = parse_email_url("smtps://relay.example.com")
    assert (found["EMAIL_PORT"], found["EMAIL_USE_SSL"], found["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_plain_smtp_defaults_to_port_25_and_takes_a_timeout_and_a_sender() -> None:
    found = parse_email_url("smtp://localhost?timeout=3&from=plans@example.com")
    assert found["EMAIL_PORT"] == 25
    assert found["EMAIL_TIMEOUT"] == 3
    assert found["DEFAULT_FROM_EMAIL"] == "plans@example.com"
    assert found["EMAIL_HOST_USER"] == ""


def test_console_locmem_and_dummy_pick_their_backends() -> None:
    for scheme in ("console", "locmem", "dummy"):
        assert parse_email_url(f"{scheme}://") == {
            "EMAIL_BACKEND": f"django.core.mail.backends.{scheme}.EmailBackend"
        }


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp.example.com:587", "unknown scheme"),
        ("imap://mail.example.com", "unknown scheme 'imap'"),
        ("smtp://", "needs a host"),
        ("smtp://host:notaport", "not a valid URL"),
        ("smtp://host?tls=maybe", "tls must be 1 or 0"),
        ("smtp://host?tls=1&ssl=1", "not both"),
        ("smtp://host?timeout=soon", "timeout must be whole seconds"),
        ("smtp://host?starttls=1", "unknown option 'starttls'"),
        ("console://?from=nobody", "from must be an email address"),
    ],
)
def test_a_bad_email_url_is_refused_with_the_reason(url: str, says: str) -> None:
    with pytest.raises(BadEmailUrl, match=says):
        parse_email_url(url)


def test_the_app_does_not_start_with_a_bad_email_url(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mutualplan.cli", "migrate"],
        env={
            **os.environ,
            "MUTUALPLAN_DATA_DIR": str(tmp_path),
            "MUTUALPLAN_EMAIL_URL": "smtp://host?tls=maybe",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MUTUALPLAN_EMAIL_URL: tls must be 1 or 0" in result.stderr
