"""Every form field and filter of every page refuses text the database cannot store (a NUL, a
lone surrogate, invalid UTF-8) with a 400 naming the field, and changes nothing.

The forms are not listed by hand: every page is rendered as its visitor sees it and every
`<form>` found in it is submitted, once per named field, with that field holding a NUL.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from mutualplan.workspaces.models import Membership, Workspace
from tests.conftest import BUYER, Api, seller_plan
from tests.unchanged import rolled_back, snapshot

NUL_VALUE = "bad\x00value"


# ---- finding the forms ---------------------------------------------------------------------


@dataclass
class Form:
    """One `<form>` as a browser would submit it: where, how, and its named fields."""

    page: str
    action: str
    method: str
    # (name, value, kind): kind is the input type, "select", "textarea" or "button".
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)
    # Visible controls and buttons: a form with none (a read-only row) is never submitted.
    controls: int = 0

    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _, _ in self.fields))

    def valid_data(self) -> list[tuple[str, str]]:
        """The values the page rendered, required blanks filled in, the first button pressed."""
        data: list[tuple[str, str]] = []
        pressed = False
        for i, (name, value, kind) in enumerate(self.fields):
            if kind in ("checkbox", "radio") and i not in self.checked:
                continue
            if kind in ("button", "submit"):
                if pressed:
                    continue
                pressed = True
            data.append((name, value))
        return data

    def with_value(self, name: str, value: str) -> list[tuple[str, str]]:
        """The valid data, with every value of `name` (added when absent) set to `value`."""
        data = [(n, value if n == name else v) for n, v in self.valid_data()]
        return data if any(n == name for n, _ in data) else [*data, (name, value)]


FILLERS = {
    "email": "priya@buyer.example",
    "password": "correct-horse-battery-staple",
    "date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
    "number": "3",
}


class FormParser(HTMLParser):
    """Collects the forms of a page, with fields tied to a form by nesting or `form="id"`."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.open: Form | None = None
        self.select: tuple[Form, int] | None = None
        # The selected option of the open select, else its first with a value.
        self.picked: str | None = None
        self.first: str | None = None
        self.textarea: tuple[Form, int] | None = None

    def _owner(self, attrs: dict[str, str]) -> Form | None:
        return self.by_id.get(attrs["form"]) if "form" in attrs else self.open

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attr_list}
        if tag == "form":
            method = attrs.get("method", "get").lower()
            form = Form(self.page, attrs.get("action") or self.page, method)
            if method != "dialog":  # a dialog form never reaches the server
                self.forms.append(form)
            if "id" in attrs:
                self.by_id[attrs["id"]] = form
            self.open = form
            return
        owner = self._owner(attrs)
        name = attrs.get("name")
        if owner is not None and tag in ("input", "select", "textarea", "button"):
            owner.controls += attrs.get("type") != "hidden"
        if tag == "option" and self.select:
            value = attrs.get("value", "")
            if "selected" in attrs and self.picked is None:
                self.picked = value
            elif value and self.first is None:
                self.first = value
            return
        if owner is None or not name or tag not in ("input", "select", "textarea", "button"):
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            value = attrs.get("value", "")
            if not value and "required" in attrs:
                value = FILLERS.get(kind, "Filled in")
            if kind in ("checkbox", "radio") and "checked" in attrs:
                owner.checked.add(len(owner.fields))
            owner.fields.append((name, value, kind))
        elif tag == "select":
            self.select = (owner, len(owner.fields))
            self.picked = self.first = None
            owner.fields.append((name, "", "select"))
        elif tag == "textarea":
            self.textarea = (owner, len(owner.fields))
            owner.fields.append((name, "", "textarea"))
        else:
            owner.fields.append((name, attrs.get("value", ""), "button"))

    def handle_data(self, data: str) -> None:
        if self.textarea:
            form, i = self.textarea
            name, value, kind = form.fields[i]
            form.fields[i] = (name, value + data, kind)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.open = None
        elif tag == "select" and self.select:
            form, i = self.select
            value = self.picked if self.picked is not None else (self.first or "")
            form.fields[i] = (form.fields[i][0], value, "select")
            self.select = None
        elif tag == "textarea" and self.textarea:
            form, i = self.textarea
            name, value, kind = form.fields[i]
            if not value:
                form.fields[i] = (name, "Filled in", kind)
            self.textarea = None


def forms_of(client: Client, url: str) -> list[Form]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    page = response.request["PATH_INFO"]
    parser = FormParser(page)
    parser.feed(response.content.decode())
    return parser.forms


@dataclass
class Visitor:
    """A page visitor (seller, buyer, anonymous) and the forms their pages hold."""

    who: str
    client: Client
    forms: list[Form]


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def identified(token: str) -> Client:
    client = Client()
    response = client.post(f"/s/{token}/", BUYER)
    assert response.status_code == 302
    return client


@pytest.fixture
def visitors(
    owner: Any, workspace: Workspace, owner_api: Api, plan: dict[str, Any], share_token: str
) -> list[Visitor]:
    """Every page that holds a form, in the states that show every field: a plan the buyer
    added to and that was sent (date moves need a reason), a fresh plan (sending it asks to
    send anyway), share links, tokens, a second workspace (the switcher)."""
    Membership.objects.create(
        user=owner, workspace=Workspace.objects.create(name="Initech", slug="initech")
    )
    buyer = identified(share_token)
    added = buyer.post(
        f"/s/{share_token}/rows/add/",
        {"title": "Internal budget approval", "owner_team": "Finance"},
        headers={"Accept": "application/json"},
    )
    assert added.status_code == 201
    assert owner_api.post(f"/plans/{plan['id']}/versions", {"note": "v1"}).status_code == 201
    # A person on the buyer side: their edit form, and the row owner picker.
    person = owner_api.post(f"/plans/{plan['id']}/stakeholders", {"name": "Sam Okafor"})
    assert person.status_code == 201
    fresh = seller_plan(owner, workspace=workspace)
    seller = signed_in(owner)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    reset = f"/password-reset/{uid}/{default_token_generator.make_token(owner)}/"
    pages = [
        (
            "seller",
            seller,
            [
                "/",
                "/plans/new/",
                f"/plans/{plan['id']}/",
                f"/plans/{fresh['id']}/",
                "/settings/tokens/",
            ],
        ),
        ("buyer", buyer, [f"/s/{share_token}/"]),
        ("new buyer", Client(), [f"/s/{share_token}/"]),
        ("anonymous", Client(), ["/login/", "/password-reset/"]),
        ("reset link", Client(), [reset]),
    ]
    return [
        Visitor(who, client, [form for url in urls for form in forms_of(client, url)])
        for who, client, urls in pages
    ]


def distinct_fields(visitors: list[Visitor]) -> list[tuple[Visitor, Form, str]]:
    """Each field of each kind of form once (the rows of a table share one kind of form)."""
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for visitor in visitors:
        for form in visitor.forms:
            kind = re.sub(r"\d+", "N", form.action)
            for name in form.names():
                key = (visitor.who, form.method, kind, name)
                if key not in seen:
                    seen.add(key)
                    out.append((visitor, form, name))
    return out


def submit(visitor: Visitor, form: Form, data: list[tuple[str, str]], as_script: bool) -> Any:
    """A form sent as the page's script sends it (multipart, asking for JSON) or as a plain
    browser form (urlencoded, or a query string for GET)."""
    if form.method == "get":
        return visitor.client.get(form.action, data)
    if as_script:
        grouped: dict[str, list[str]] = {}
        for name, value in data:
            grouped.setdefault(name, []).append(value)
        return visitor.client.post(form.action, grouped, headers={"Accept": "application/json"})
    return visitor.client.post(
        form.action, urlencode(data), content_type="application/x-www-form-urlencoded"
    )


# ---- the tests -----------------------------------------------------------------------------


def test_the_pages_hold_the_forms_this_file_means_to_cover(visitors: list[Visitor]) -> None:
    names = {(v.who, name) for v, _, name in distinct_fields(visitors)}
    expected = {
        ("seller", "q"),
        ("seller", "account_type"),
        ("seller", "account_name"),
        ("seller", "label"),
        ("seller", "note"),
        ("seller", "reason_text"),
        ("seller", "title"),
        ("seller", "notes"),
        ("seller", "private_notes"),
        ("seller", "body"),
        ("seller", "name"),
        ("seller", "workspace"),
        ("seller", "send_anyway"),
        ("seller", "reason_category"),
        ("seller", "owns"),
        ("seller", "role"),
        ("buyer", "title"),
        ("buyer", "body"),
        ("new buyer", "name"),
        ("new buyer", "email"),
        ("anonymous", "username"),
        ("anonymous", "email"),
        ("reset link", "new_password1"),
    }
    assert expected <= names


@pytest.mark.parametrize("as_script", [True, False], ids=["script", "plain-form"])
def test_every_form_as_rendered_is_accepted(visitors: list[Visitor], as_script: bool) -> None:
    # The other fields of each NUL test below are these valid values: a refusal there comes
    # from the NUL, not from another field.
    for visitor in visitors:
        for form in (f for f in visitor.forms if f.controls):
            with rolled_back():
                response = submit(visitor, form, form.valid_data(), as_script)
                assert response.status_code < 400, (form.action, response.content[:500])


@pytest.mark.parametrize("as_script", [True, False], ids=["script", "plain-form"])
def test_every_form_field_and_filter_with_a_nul_is_refused_naming_it_and_changes_nothing(
    visitors: list[Visitor], as_script: bool
) -> None:
    for visitor, form, name in distinct_fields(visitors):
        with rolled_back():
            before = snapshot()
            response = submit(visitor, form, form.with_value(name, NUL_VALUE), as_script)
            where = (visitor.who, form.method, form.action, name)
            assert response.status_code == 400, (where, response.content[:300])
            if as_script and form.method == "post":
                body = json.loads(response.content)
                assert {"field": name, "message": "must not contain NUL characters"} in body[
                    "errors"
                ], where
                assert body["detail"] == f"{name}: must not contain NUL characters", where
            else:
                page = response.content.decode()
                assert f"{name}: must not contain NUL characters" in page, where
            assert snapshot() == before, where


def test_a_nul_in_a_field_name_is_refused_too(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    seller = signed_in(owner)
    before = snapshot()
    response = seller.post(
        f"/plans/{plan['id']}/share-links/",
        {"label": "champion", "la\x00bel": "x"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert json.loads(response.content)["errors"] == [
        {"field": "la\\x00bel", "message": "field name must not contain NUL characters"}
    ]
    assert snapshot() == before


def test_invalid_utf8_in_a_form_or_a_filter_is_refused_naming_the_field(
    owner: Any, plan: dict[str, Any]
) -> None:
    seller = signed_in(owner)
    before = snapshot()
    plain = seller.post(
        f"/plans/{plan['id']}/share-links/",
        b"label=champion%FF%FE",
        content_type="application/x-www-form-urlencoded",
    )
    assert plain.status_code == 400
    assert "label: is not valid UTF-8" in plain.content.decode()
    multipart = seller.post(
        f"/plans/{plan['id']}/share-links/",
        b'--XX\r\nContent-Disposition: form-data; name="label"\r\n\r\nchampion\xff\r\n--XX--\r\n',
        content_type="multipart/form-data; boundary=XX",
        headers={"Accept": "application/json"},
    )
    assert multipart.status_code == 400
    assert json.loads(multipart.content)["errors"] == [
        {"field": "label", "message": "is not valid UTF-8"}
    ]
    filtered = seller.get("/?q=north%C3%28")
    assert filtered.status_code == 400 and "q: is not valid UTF-8" in filtered.content.decode()
    assert snapshot() == before


def test_the_plain_error_page_shows_the_field_name_as_text(owner: Any) -> None:
    response = signed_in(owner).get("/", {"<b>q</b>": NUL_VALUE, "q": "<i>x\x00</i>"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<b>q</b>" not in page and "&lt;b&gt;q&lt;/b&gt;" in page
    assert "Nothing was changed" in page


def test_a_nul_in_a_share_link_path_is_a_400_not_a_lookup(share_token: str) -> None:
    response = Client().get(f"/s/{share_token}%00/")
    assert response.status_code == 400
    assert "path: must not contain NUL characters" in response.content.decode()


def test_a_nul_in_the_buyers_live_stream_name_is_refused(share_token: str) -> None:
    response = identified(share_token).get(f"/s/{share_token}/events", {"name": NUL_VALUE})
    assert response.status_code == 400
    assert "name: must not contain NUL characters" in response.content.decode()


def test_a_nul_in_an_uploaded_file_name_or_a_broken_multipart_body_is_a_400_saying_so(
    owner: Any, plan: dict[str, Any]
) -> None:
    seller = signed_in(owner)
    before = snapshot()
    url = f"/plans/{plan['id']}/share-links/"
    upload = seller.post(
        url,
        b'--XX\r\nContent-Disposition: form-data; name="f"; filename="plan\x00.csv"\r\n\r\n'
        b"a,b\r\n--XX--\r\n",
        content_type="multipart/form-data; boundary=XX",
        headers={"Accept": "application/json"},
    )
    assert upload.status_code == 400
    assert json.loads(upload.content)["errors"] == [
        {"field": "f", "message": "file name must not contain NUL characters"}
    ]
    broken = seller.post(
        url, b"label=x", content_type="multipart/form-data", headers={"Accept": "application/json"}
    )
    assert broken.status_code == 400
    assert json.loads(broken.content)["detail"].startswith(
        "body: is not a valid multipart/form-data body"
    )
    assert snapshot() == before
