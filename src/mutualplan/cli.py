"""The `mutualplan` command: serve the app, manage users and tokens, work with plans, back up.

Every option can also be set from a MUTUALPLAN_ environment variable (shown in --help).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from mutualplan.commands.analytics import analytics
from mutualplan.commands.backup import backup, restore
from mutualplan.commands.common import (
    F,
    TextArgument,
    data_dir_option,
    fail,
    migrate_database,
    option,
    seller_context,
    seller_options,
    setup_django,
)
from mutualplan.commands.deals import import_deals
from mutualplan.commands.files import export, import_
from mutualplan.commands.forecast import forecast
from mutualplan.commands.pipeline import pipeline
from mutualplan.commands.plans import plan
from mutualplan.commands.remind import remind

MAX_DEMO_DEALS = 20_000
# From this many generated deals on, the demo shows a progress bar.
PROGRESS_FROM = 500


def demo_deals_option(how: str) -> Callable[[F], F]:
    """`--deals N` of `serve --demo` and `demo`."""
    return option(
        "--deals",
        envvar="MUTUALPLAN_DEMO_DEALS",
        show_envvar=True,
        default=0,
        type=click.IntRange(0, MAX_DEMO_DEALS),
        show_default=True,
        help=f"{how} this many deals with a realistic history (closed and open, across "
        "account types, with slips and reasons), once per demo workspace.",
    )


def _load_demo(deals: int) -> dict[str, Any]:
    """Load the demo workspace, with a progress bar while many deals are generated."""
    from mutualplan.demo import load_demo

    if deals < PROGRESS_FROM:
        info = load_demo(deals=deals)
    else:
        with click.progressbar(length=deals, label="Generating demo deals") as bar:
            info = load_demo(deals=deals, progress=bar.update)
    if info["added"]:
        click.echo(f"Generated {info['added']} demo deals with their history.")
    elif deals and info["generated"]:
        click.echo(
            f"The demo workspace already has {info['generated']} generated deals; none added."
        )
    return info


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "MUTUALPLAN"}
)
@click.version_option(package_name="mutualplan")
def main() -> None:
    """mutualplan: Mutual Action Plans that seller and buyer build together."""


@main.command()
@option(
    "--host", envvar="MUTUALPLAN_HOST", show_envvar=True, default="127.0.0.1", show_default=True
)
@option(
    "--port",
    envvar="MUTUALPLAN_PORT",
    show_envvar=True,
    default=8000,
    type=click.IntRange(1, 65535),
    show_default=True,
)
@option(
    "--workers",
    envvar="MUTUALPLAN_WORKERS",
    show_envvar=True,
    default=1,
    type=click.IntRange(1, 64),
    show_default=True,
)
@option(
    "--demo",
    is_flag=True,
    envvar="MUTUALPLAN_DEMO",
    show_envvar=True,
    help="Load a demo workspace with a few realistic deals.",
)
@demo_deals_option("With --demo, also generate")
@option(
    "--worker/--no-worker",
    envvar="MUTUALPLAN_SERVE_WORKER",
    show_envvar=True,
    default=True,
    show_default=True,
    help="Run a queue consumer (sending email) inside the server; turn it off when "
    "`mutualplan worker` processes do that work.",
)
@data_dir_option
def serve(
    host: str,
    port: int,
    workers: int,
    demo: bool,
    deals: int,
    worker: bool,
    data_dir: str | None,
) -> None:
    """Apply migrations and serve the app (ASGI, uvicorn)."""
    source = click.get_current_context().get_parameter_source("deals")
    if deals and not demo and source == click.core.ParameterSource.COMMANDLINE:
        # (MUTUALPLAN_DEMO_DEALS alone, set for the demo, leaves a plain serve alone.)
        fail("--deals generates demo deals: use it with --demo")
    local = host in ("0.0.0.0", "::")
    bound = f"[{host}]" if ":" in host and not local else host
    base = f"http://{'127.0.0.1' if local else bound}:{port}"
    # Before Django reads its settings: links and the allowed host names follow the base URL,
    # which is this server's own address unless MUTUALPLAN_BASE_URL says otherwise.
    os.environ.setdefault("MUTUALPLAN_BASE_URL", base)
    setup_django(data_dir)
    migrate_database()
    from mutualplan.http.static_files import collect_static

    collect_static()
    if demo:
        from mutualplan.links import absolute_url

        info = _load_demo(deals)
        click.echo("Demo workspace ready.")
        click.echo(
            f"  sign in:    {absolute_url('/login/')}  as {info['email']} / {info['password']}"
        )
        if info["share_url"]:
            click.echo(f"  buyer view: {info['share_url']}  (no account needed)")
        click.echo(f"  API token:  {info['token']}")
    click.echo(f"Serving mutualplan on {base}  (API docs: {base}/api/v1/docs)")
    from django.conf import settings

    if local or base != settings.BASE_URL:
        click.echo(
            f"Links point to {settings.BASE_URL}; requests for host names other than "
            f"{', '.join(settings.ALLOWED_HOSTS)} are refused "
            "(see MUTUALPLAN_BASE_URL and MUTUALPLAN_ALLOWED_HOSTS)."
        )
    import uvicorn

    from mutualplan.http.logging import uvicorn_log_config

    consumer = None
    if worker:
        from mutualplan.queue import start_in_process

        consumer = start_in_process()
    try:
        uvicorn.run(
            "mutualplan.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            log_config=uvicorn_log_config(),
            lifespan="off",
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@main.command()
@option(
    "--workers",
    envvar="MUTUALPLAN_QUEUE_WORKERS",
    show_envvar=True,
    default=2,
    type=click.IntRange(1, 64),
    show_default=True,
    help="Tasks run at once (threads).",
)
@data_dir_option
def worker(workers: int, data_dir: str | None) -> None:
    """Run the task queue's consumer (sending email) on its own, e.g. next to several
    `mutualplan serve --no-worker` processes sharing one Redis (MUTUALPLAN_REDIS_URL)."""
    setup_django(data_dir)
    migrate_database()
    from django.conf import settings

    from mutualplan.queue import consumer

    where = "Redis" if settings.REDIS_URL else settings.HUEY["filename"]
    click.echo(f"Consuming the mutualplan queue ({where}) with {workers} worker(s).")
    consumer(workers).run()


@main.command()
@data_dir_option
def migrate(data_dir: str | None) -> None:
    """Apply database migrations."""
    setup_django(data_dir)
    migrate_database()
    click.echo("Database is up to date.")


@main.command()
@demo_deals_option("Also generate")
@data_dir_option
def demo(deals: int, data_dir: str | None) -> None:
    """Load the demo workspace without serving."""
    setup_django(data_dir)
    migrate_database()
    info = _load_demo(deals)
    click.echo(
        f"Demo workspace ready: {info['email']} / {info['password']}, API token {info['token']}"
    )


@main.command()
@click.argument("email", cls=TextArgument)
@option(
    "--password",
    envvar="MUTUALPLAN_PASSWORD",
    show_envvar=True,
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
)
@option(
    "--workspace",
    envvar="MUTUALPLAN_WORKSPACE",
    show_envvar=True,
    default="main",
    show_default=True,
    help="Workspace slug; created when it does not exist.",
)
@option(
    "--workspace-name",
    envvar="MUTUALPLAN_WORKSPACE_NAME",
    show_envvar=True,
    default=None,
    help="Name of a new workspace.",
)
@option(
    "--name",
    envvar="MUTUALPLAN_USER_NAME",
    show_envvar=True,
    default="",
    help="The seller's full name.",
)
@data_dir_option
def createuser(
    email: str,
    password: str,
    workspace: str,
    workspace_name: str | None,
    name: str,
    data_dir: str | None,
) -> None:
    """Create a seller user and add them to a workspace."""
    setup_django(data_dir)
    migrate_database()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from mutualplan.accounts.passwords import password_problems
    from mutualplan.plans.errors import DomainError
    from mutualplan.workspaces.services import onboard_seller

    # The email is checked before the password, whose rules compare the two.
    try:
        validate_email(email)
    except ValidationError:
        fail(f"{email!r} is not an email address")
    problems = password_problems(password, email=email.lower(), name=name)
    if problems:
        fail("choose another password: " + " ".join(problems))
    try:
        onboarded = onboard_seller(
            email, workspace=workspace, workspace_name=workspace_name, name=name, password=password
        )
    except DomainError as exc:
        fail(exc.errors[0]["message"] if exc.errors else exc.detail)
        return
    ws, created = onboarded.workspace, onboarded.new_workspace
    click.echo(f"Created {email} in workspace {ws.slug}{' (new)' if created else ''}.")


@main.group()
def token() -> None:
    """API tokens for sellers."""


@token.command("create")
@option("--name", default="", help="What the token is for.")
@seller_options
def token_create(name: str, user_email: str, workspace: str | None, data_dir: str | None) -> None:
    """Create an API token; it is shown once."""
    setup_django(data_dir)
    from mutualplan.plans.errors import DomainError
    from mutualplan.workspaces.services import issue_token

    ws, actor = seller_context(user_email, workspace)
    try:
        _, clear = issue_token(actor.user, ws, name=name)
    except DomainError as exc:
        fail(exc.detail)
        return
    click.echo(clear)


main.add_command(plan)
main.add_command(export)
main.add_command(import_)
main.add_command(import_deals)
main.add_command(backup)
main.add_command(restore)
main.add_command(remind)
main.add_command(analytics)
main.add_command(pipeline)
main.add_command(forecast)

if __name__ == "__main__":
    main()
