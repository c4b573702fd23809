"""WhiteNoise, without a thread per request under ASGI.

WhiteNoise's middleware is sync-only. One sync-only middleware makes Django run the chain's
outer part through `sync_to_async(thread_sensitive=True)`, and under ASGI each request has its
own thread-sensitive context: every request, a live stream included, then holds a thread of
its own for as long as it lasts (measured: one thread per open stream). This subclass runs in
whichever mode the chain is in; only a request for a static file goes to a pool thread, for
the file's lookup on disk and its opening.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """Serve collected static files (WhiteNoise), sync and async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        super().__init__(get_response)
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def add_files(self, root: str, prefix: str | None = None) -> None:
        # STATIC_ROOT before the first `mutualplan serve` collected it (the test suite, a
        # plain checkout): nothing to add, the finders serve the app's files.
        if os.path.isdir(root):
            super().add_files(root, prefix)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        return super().__call__(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self.autorefresh:
            # Development: the lookup reads the disk, so it leaves the event loop.
            return await sync_to_async(self._serve_or_none, thread_sensitive=False)(request) or (
                await self.get_response(request)
            )
        static_file = self.files.get(request.path_info)  # a dict: no I/O
        if static_file is None:
            return await self.get_response(request)
        response: HttpResponseBase = await sync_to_async(self.serve, thread_sensitive=False)(
            static_file, request
        )
        return response

    def _serve_or_none(self, request: HttpRequest) -> HttpResponseBase | None:
        static_file = self.find_file(request.path_info)
        return None if static_file is None else self.serve(static_file, request)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Static files under content-hashed names, compressed (gzip, and Brotli when installed),
    which WhiteNoise serves with a far-future `Cache-Control: immutable`. `mutualplan serve`
    collects them at start; a file that was not collected (the test suite, a checkout run
    without `serve`) keeps its plain name and is served from the app's static directory."""

    manifest_strict = False
    # The page code's `import … from "./js/x.js"` names the hashed files too, so every module
    # is cached for good, not only the entry.
    support_js_module_import_aggregation = True

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        try:
            return str(super().hashed_name(name, content, filename))
        except ValueError:
            return name


# Written into STATIC_ROOT after a collect: what the collected files were made from.
SOURCES_STAMP = ".mutualplan-sources"


def collect_static() -> None:
    """Copy, hash and compress the static files into STATIC_ROOT (quiet). Skipped when the
    files were collected from these very sources already: a restart costs no second."""
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    stamp = root / SOURCES_STAMP
    fingerprint = _sources_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)


def _sources_fingerprint() -> str:
    """A digest of every static source file's name, size and modification time."""
    from django.contrib.staticfiles.finders import get_finders

    seen = []
    for finder in get_finders():
        for name, storage in finder.list([]):
            info = os.stat(storage.path(name))
            seen.append(f"{name}\0{info.st_size}\0{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(seen)).encode()).hexdigest()
