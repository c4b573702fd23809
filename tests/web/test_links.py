"""Every absolute link the app builds comes from MUTUALPLAN_BASE_URL, never from the Host
header of the request; the app answers only to the base URL's host and the extra names."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from mutualplan.settings import allowed_hosts, trusted_origins
from tests.conftest import Api


def test_a_reset_request_with_a_foreign_host_header_is_refused_and_mails_nothing(
    owner: Any,
) -> None:
    response = Client().post("/password-reset/", {"email": owner.email}, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()
    assert "host name" in response.content.decode()
    assert mail.outbox == []


def test_a_foreign_host_header_is_logged_as_one_line_without_a_traceback(
    db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = Client().get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    refused = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(refused) == 1
    assert "Invalid HTTP_HOST header: 'evil.example'" in refused[0].getMessage()
    assert refused[0].exc_info is None and refused[0].exc_text is None


def test_a_reset_through_an_allowed_extra_host_mails_a_link_to_the_base_url(
    owner: Any, settings: Any
) -> None:
    settings.BASE_URL = "https://plans.acme.example"
    settings.ALLOWED_HOSTS = [
        *allowed_hosts("https://plans.acme.example", "mutualplan.internal"),
        "testserver",
    ]
    response = Client().post(
        "/password-reset/", {"email": owner.email}, HTTP_HOST="mutualplan.internal:8000"
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    links = re.findall(r"\S+://\S+", body)
    assert len(links) == 1 and links[0].startswith("https://plans.acme.example/password-reset/")
    assert "mutualplan.internal" not in body


def test_a_share_link_url_comes_from_the_base_url_whatever_host_was_asked(
    owner_api: Api, plan: dict[str, Any], settings: Any
) -> None:
    settings.BASE_URL = "https://plans.acme.example"
    settings.ALLOWED_HOSTS = ["plans.acme.example", "mutualplan.internal"]
    owner_api.client.defaults["HTTP_HOST"] = "mutualplan.internal"
    created = owner_api.post(f"/plans/{plan['id']}/share-links", {"label": "champion"})
    assert created.status_code == 201
    token = created.json_body["token"]
    assert created.json_body["url"] == f"https://plans.acme.example/s/{token}/"


def test_allowed_hosts_come_from_the_base_url_and_the_extra_names() -> None:
    assert allowed_hosts("https://plans.acme.example", "") == ["plans.acme.example"]
    assert allowed_hosts("https://Plans.Acme.example:8443/", " a.example, ,b.example ") == [
        "plans.acme.example",
        "a.example",
        "b.example",
    ]
    # On this machine only: the loopback names are one host.
    for local in ("http://127.0.0.1:8000", "http://localhost:8080", "http://[::1]:8000"):
        assert set(allowed_hosts(local, "")) == {"127.0.0.1", "localhost", "[::1]"}, local
    assert allowed_hosts("http://[2001:db8::5]:8000", "") == ["[2001:db8::5]"]
    with pytest.raises(ImproperlyConfigured, match="http:// or https://"):
        allowed_hosts("plans.acme.example", "")


def test_csrf_trusts_the_base_urls_origin_and_the_extra_ones() -> None:
    assert trusted_origins("https://plans.acme.example/", "") == ["https://plans.acme.example"]
    assert trusted_origins("http://127.0.0.1:8000", "https://proxy.example") == [
        "http://127.0.0.1:8000",
        "https://proxy.example",
    ]
