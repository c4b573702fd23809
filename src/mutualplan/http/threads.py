"""A long response gives back the thread Django keeps for its request.

Under ASGI, Django runs each request in its own `ThreadSensitiveContext`: the first
thread-sensitive call (any `MiddlewareMixin` middleware's `process_request`, Django's own
included) starts a thread for that request, and the thread stays until the response ends.
For a page that is a few milliseconds; for a live stream it is hours, one idle thread per
viewer (measured: 7 threads, then 47 with 40 streams open). A response that will last calls
`release_request_thread()` once the middleware is done: the idle thread ends now, and a later
thread-sensitive call of the request (closing the response) simply starts a fresh one.
"""

from __future__ import annotations

from asgiref.sync import SyncToAsync


def release_request_thread() -> bool:
    """End the current request's idle thread-sensitive thread; False when it has none."""
    context = SyncToAsync.thread_sensitive_context.get(None)
    if context is None:
        return False
    executor = SyncToAsync.context_to_thread_executor.pop(context, None)
    if executor is None:
        return False
    # Nothing of this request runs there any more: the thread exits once idle, unwaited.
    executor.shutdown(wait=False)
    return True
