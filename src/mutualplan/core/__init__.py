"""The functional core: scheduling, templates and plan rules as pure functions.

Nothing in this package imports Django; the web pages, the API and the CLI call into it.
"""
