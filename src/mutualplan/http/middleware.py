"""The one shape of our middleware: answer a request before the view, or adjust every answer.

Django's `MiddlewareMixin` runs `process_request` through a thread under ASGI; these run in
whichever mode the chain is in, so no request pays a thread hop for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class RequestFilter:
    """Override `refuse` (an answer instead of the view, or None) and/or `adjust`."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        return None

    def adjust(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return response

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        refused = self.refuse(request)
        return self.adjust(request, refused or self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        refused = self.refuse(request)
        if refused is None:
            refused = await self.get_response(request)
        return self.adjust(request, refused)
