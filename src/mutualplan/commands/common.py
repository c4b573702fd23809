"""What the `mutualplan` commands share: setup, options read from the environment, output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from mutualplan.core.text import NOT_UTF8, SURROGATE, unstorable

F = TypeVar("F", bound=Callable[..., Any])


def storable(param: click.Parameter, ctx: click.Context, value: Any) -> Any:
    """Refuse text the database cannot store, as a usage error rather than a traceback.

    The command line's share of the input-cleaning layer (the web has `http.inputs`): bytes
    that are not UTF-8 reach Python as lone surrogates (surrogateescape); argv cannot hold NUL.
    """
    if isinstance(param.type, click.Path):
        return value  # a file name, never stored
    for text in value if isinstance(value, tuple | list) else (value,):
        why = unstorable(text) if isinstance(text, str) else None
        if why:
            raise click.BadParameter(NOT_UTF8 if why == SURROGATE else why, ctx=ctx, param=param)
    return value


class EnvOption(click.Option):
    """An option whose environment variable is always shown in --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("show_envvar", True)
        super().__init__(*args, **kwargs)

    def process_value(self, ctx: click.Context, value: Any) -> Any:
        return storable(self, ctx, super().process_value(ctx, value))


class TextArgument(click.Argument):
    """A positional argument held to the same rule as the options."""

    def process_value(self, ctx: click.Context, value: Any) -> Any:
        return storable(self, ctx, super().process_value(ctx, value))


def option(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    return click.option(*param_decls, cls=EnvOption, **attrs)


def setup_django(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["MUTUALPLAN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualplan.settings")
    import django
    from django.conf import settings

    django.setup()
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


# The PostgreSQL advisory lock taken while migrating (any number that is this app's own).
MIGRATION_LOCK = 0x6D757475616C  # "mutual"


def migrate_database() -> None:
    """Apply migrations. On PostgreSQL under an advisory lock: several servers and workers
    starting at once against one database migrate one after another, never side by side."""
    from django.core.management import call_command
    from django.db import connection, connections

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
        try:
            call_command("migrate", interactive=False, verbosity=0)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
    else:
        call_command("migrate", interactive=False, verbosity=0)

    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        # Kept in the database file: readers no longer wait for the writer.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
    for conn in connections.all():
        # Pooled PostgreSQL connections may hold statements prepared against the old schema.
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None:
            close_pool()


def data_dir_option(func: F) -> F:
    return option(
        "--data-dir",
        envvar="MUTUALPLAN_DATA_DIR",
        show_envvar=True,
        type=click.Path(file_okay=False),
        default=None,
        help="Where the SQLite database and the secret key live.",
    )(func)


def seller_options(func: F) -> F:
    func = option(
        "--workspace",
        envvar="MUTUALPLAN_WORKSPACE",
        show_envvar=True,
        default=None,
        help="Workspace slug (default: the user's only one).",
    )(func)
    func = option(
        "--user",
        "user_email",
        envvar="MUTUALPLAN_USER",
        show_envvar=True,
        required=True,
        help="Acting seller's email.",
    )(func)
    return data_dir_option(func)


def json_option(func: F) -> F:
    return option(
        "--json",
        "as_json",
        is_flag=True,
        envvar="MUTUALPLAN_JSON",
        show_envvar=True,
        help="Print JSON for scripts.",
    )(func)


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def run_action(action: Callable[[], Any]) -> Any:
    """Run a service call; a domain error prints every bad field and exits with status 2."""
    from mutualplan.plans.errors import DomainError

    try:
        return action()
    except DomainError as exc:
        for err in exc.errors or [{"field": "", "message": exc.detail}]:
            click.echo(
                f"error: {err['field']}: {err['message']}"
                if err["field"]
                else f"error: {err['message']}",
                err=True,
            )
        sys.exit(2)


def seller_context(user_email: str, workspace_slug: str | None) -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from mutualplan.plans.actors import Actor
    from mutualplan.workspaces.models import Workspace

    user = get_user_model().objects.filter(email__iexact=user_email, is_active=True).first()
    if user is None:
        fail(f"no active user with email {user_email!r} (create one with `mutualplan createuser`)")
    workspaces = Workspace.objects.filter(memberships__user=user)
    if workspace_slug:
        workspaces = workspaces.filter(slug=workspace_slug)
    found = list(workspaces[:2])
    if not found:
        fail(
            f"{user_email} is not a member of workspace {workspace_slug!r}"
            if workspace_slug
            else f"{user_email} is not a member of any workspace"
        )
    if len(found) > 1:
        fail(f"{user_email} belongs to several workspaces; choose one with --workspace")
    return found[0], Actor.seller(user)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)
