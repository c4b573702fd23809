"""The `mutualplan` command: serve the app, manage users and tokens, work with plans.

Every option can also be set from a MUTUALPLAN_ environment variable (shown in --help).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _setup(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["MUTUALPLAN_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualplan.settings")
    import django
    from django.conf import settings

    django.setup()
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.db import connection, connections

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


def _seller(user_email: str, workspace_slug: str | None) -> tuple[Any, Any]:
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


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)


class EnvOption(click.Option):
    """An option whose environment variable is always shown in --help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("show_envvar", True)
        super().__init__(*args, **kwargs)


def option(*param_decls: str, **attrs: Any) -> Callable[[F], F]:
    return click.option(*param_decls, cls=EnvOption, **attrs)


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
@data_dir_option
def serve(host: str, port: int, workers: int, demo: bool, data_dir: str | None) -> None:
    """Apply migrations and serve the app (ASGI, uvicorn)."""
    _setup(data_dir)
    _migrate()
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    os.environ.setdefault("MUTUALPLAN_BASE_URL", base)
    from django.conf import settings

    settings.BASE_URL = os.environ["MUTUALPLAN_BASE_URL"]
    if demo:
        from mutualplan.demo import load_demo

        info = load_demo()
        click.echo("Demo workspace ready.")
        click.echo(f"  sign in:    {base}/login/  as {info['email']} / {info['password']}")
        if info["share_url"]:
            click.echo(f"  buyer view: {info['share_url']}  (no account needed)")
        click.echo(f"  API token:  {info['token']}")
    click.echo(f"Serving mutualplan on {base}  (API docs: {base}/api/v1/docs)")
    import uvicorn

    uvicorn.run(
        "mutualplan.asgi:application",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        lifespan="off",
    )


@main.command()
@data_dir_option
def migrate(data_dir: str | None) -> None:
    """Apply database migrations."""
    _setup(data_dir)
    _migrate()
    click.echo("Database is up to date.")


@main.command()
@data_dir_option
def demo(data_dir: str | None) -> None:
    """Load the demo workspace without serving."""
    _setup(data_dir)
    _migrate()
    from mutualplan.demo import load_demo

    info = load_demo()
    click.echo(
        f"Demo workspace ready: {info['email']} / {info['password']}, API token {info['token']}"
    )


@main.command()
@click.argument("email")
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
    _setup(data_dir)
    _migrate()
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.utils.text import slugify

    from mutualplan.workspaces.models import Membership, Workspace

    try:
        validate_email(email)
    except ValidationError:
        fail(f"{email!r} is not an email address")
    if len(password) < 8:
        fail("the password needs at least 8 characters")
    User = get_user_model()
    if User.objects.filter(email__iexact=email).exists():
        fail(f"a user with email {email} already exists")
    slug = slugify(workspace)
    if not slug:
        fail("the workspace slug must contain letters or digits")
    first, _, last = name.partition(" ")
    user = User.objects.create_user(
        username=email.lower(),
        email=email.lower(),
        password=password,
        first_name=first,
        last_name=last,
    )
    ws, created = Workspace.objects.get_or_create(
        slug=slug, defaults={"name": workspace_name or workspace}
    )
    Membership.objects.create(
        user=user, workspace=ws, role=Membership.Role.OWNER if created else Membership.Role.MEMBER
    )
    click.echo(f"Created {email} in workspace {ws.slug}{' (new)' if created else ''}.")


@main.group()
def token() -> None:
    """API tokens for sellers."""


@token.command("create")
@option("--name", default="", help="What the token is for.")
@seller_options
def token_create(name: str, user_email: str, workspace: str | None, data_dir: str | None) -> None:
    """Create an API token; it is shown once."""
    _setup(data_dir)
    from mutualplan.workspaces.models import ApiToken

    ws, actor = _seller(user_email, workspace)
    _, clear = ApiToken.issue(actor.user, ws, name=name)
    click.echo(clear)


@main.group()
def plan() -> None:
    """Create, list and show plans."""


def _parse_date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{field}: {value!r} is not a date (use YYYY-MM-DD)")
    return None


def _run(action: Callable[[], Any]) -> Any:
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


@plan.command("new")
@option("--account", required=True, help="Account name.")
@option("--account-type", default="mid_market", show_default=True)
@option("--stage", default="discovery", show_default=True)
@option("--amount", default="0", show_default=True)
@option("--currency", default="USD", show_default=True)
@option("--target", "target", default=None, help="Target date, YYYY-MM-DD.")
@option("--reason", default="", help="The buyer's reason for the date.")
@option("--template", default="standard", show_default=True)
@option("--country", default="", help="ISO country code for public holidays.")
@option("--business-days", is_flag=True, help="Count business days, not calendar days.")
@option(
    "--from-turnarounds",
    is_flag=True,
    help="Date rows through turnarounds and dependencies instead of fixed offsets.",
)
@json_option
@seller_options
def plan_new(
    account: str,
    account_type: str,
    stage: str,
    amount: str,
    currency: str,
    target: str | None,
    reason: str,
    template: str,
    country: str,
    business_days: bool,
    from_turnarounds: bool,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Create a deal and its plan from a template."""
    _setup(data_dir)
    from mutualplan.plans.services import plans as plan_service

    ws, actor = _seller(user_email, workspace)
    try:
        value = Decimal(amount)
    except InvalidOperation:
        fail(f"amount: {amount!r} is not a number")
    new = _run(
        lambda: plan_service.create_plan(
            ws,
            actor,
            deal=plan_service.DealInput(
                account_name=account,
                account_type=account_type,
                stage=stage,
                amount=value,
                currency=currency,
            ),
            target_date=_parse_date(target, "target"),
            target_reason=reason,
            template=template,
            country=country,
            business_days=business_days,
            from_turnarounds=from_turnarounds,
        )
    )
    _show(new, as_json)


@plan.command("list")
@option("--status", default=None, help="draft, active, won, lost or paused.")
@json_option
@seller_options
def plan_list(
    status: str | None, as_json: bool, user_email: str, workspace: str | None, data_dir: str | None
) -> None:
    """The workspace's plans."""
    _setup(data_dir)
    from django.db.models import F

    from mutualplan.api.serializers import plan_summary
    from mutualplan.plans import access, queries

    ws, _ = _seller(user_email, workspace)
    today = dt.date.today()
    qs = access.plan_queryset(ws)
    if status:
        qs = qs.filter(status=status)
    items = [
        plan_summary(p, today)
        for p in queries.plan_list(qs, today).order_by(F("target_date").asc(nulls_last=True), "id")
    ]
    if as_json:
        click.echo(_dump(items))
        return
    click.echo(
        table(
            ["id", "account", "amount", "target", "days left", "status", "done", "overdue"],
            [
                [
                    p["id"],
                    p["deal"]["account_name"],
                    f"{p['deal']['amount']:,.0f} {p['deal']['currency']}",
                    p["target_date"] or "no date",
                    p["days_left"],
                    p["status"],
                    f"{p['rows_done']}/{p['rows_total']}",
                    p["rows_overdue"],
                ]
                for p in items
            ],
        )
    )


@plan.command("show")
@click.argument("plan_id", type=int)
@json_option
@seller_options
def plan_show(
    plan_id: int, as_json: bool, user_email: str, workspace: str | None, data_dir: str | None
) -> None:
    """One plan with its milestones."""
    _setup(data_dir)
    from mutualplan.plans import access

    ws, _ = _seller(user_email, workspace)
    _show(_run(lambda: access.get_plan(ws, plan_id)), as_json)


def _show(plan_obj: Any, as_json: bool) -> None:
    from mutualplan.api.serializers import plan_dict

    data = plan_dict(plan_obj, seller=True)
    if as_json:
        click.echo(_dump(data))
        return
    deal = data["deal"]
    click.echo(
        f"{deal['account_name']}  ({deal['account_type']}, {deal['amount']:,.0f} "
        f"{deal['currency']}, stage {deal['stage']})"
    )
    if data["target_date"]:
        click.echo(
            f"Target {data['target_date']} ({data['days_left']} days left)"
            f" - {data['target_reason'] or 'no reason for the date yet'}"
        )
    else:
        click.echo("No target date: this is a list of tasks, not a plan yet.")
    click.echo(
        f"Plan {data['id']}, status {data['status']}, "
        f"{'confirmed' if data['confirmed'] else 'not confirmed'} by the buyer\n"
    )
    click.echo(
        table(
            ["#", "milestone", "owner", "due", "status", "risk"],
            [
                [
                    m["position"] + 1,
                    m["title"],
                    f"{m['owner_side']} ({m['owner_team']})"
                    if m["owner_team"]
                    else m["owner_side"],
                    m["due_date"] or "-",
                    "overdue" if m["overdue"] else m["status"],
                    "HIGH" if m["high_risk"] else "",
                ]
                for m in data["milestones"]
            ],
        )
    )
    for w in data["warnings"]:
        click.echo(f"warning: {w['message']}")


if __name__ == "__main__":
    main()
