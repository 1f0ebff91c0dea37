"""Account commands for the workbench: `casetrail user add|list|totp|disable`.

A thin shell over `casetrail.accounts.Accounts`. Passwords are prompted for without echo (or
taken from $CASETRAIL_PASSWORD, for scripts) and never accepted as an argument, where they would
land in shell history and the process list.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime
from typing import Annotated, Optional

import typer
from rich.table import Table

from casetrail.accounts import Accounts, User
from casetrail.cli.app import State, app, err, fail, open_register, out, run
from casetrail.inquiry import Inquiry
from casetrail.model.casework import StaffRole

user_app = typer.Typer(
    help="Local accounts for the workbench: roles, passwords, a second factor.", no_args_is_help=True
)
app.add_typer(user_app, name="user")

PASSWORD_ENV = "CASETRAIL_PASSWORD"


def open_accounts() -> tuple[Accounts, Inquiry]:
    inquiry = Inquiry(State.home, open_register())
    return inquiry.accounts, inquiry


def operator() -> str:
    """Who ran the command, as the account events record it: the operating-system user."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def find_user(accounts: Accounts, username: str) -> User:
    user = accounts.user_by_name(username)
    if user is None:
        fail(f"no user {username}")
        raise AssertionError  # unreachable: fail exits
    return user


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[list[StaffRole], typer.Option("--role", help="Repeat for several roles.")],
    staff: Annotated[Optional[str], typer.Option(help="The member of staff (S-0001) this account is.")] = None,
) -> None:
    """Create an account. The password is asked for twice, or read from $CASETRAIL_PASSWORD."""
    accounts, inquiry = open_accounts()
    if staff is not None and staff not in inquiry.casework.book().staff:
        # The staff link decides need-to-know and independence; a typo must not pass silently.
        fail(f"no member of staff {staff}; see `casetrail staff list`")
    password = os.environ.get(PASSWORD_ENV) or typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = run(lambda: accounts.create_user(username, password, role, staff_id=staff, by=operator()))
    out.print(f"created {user.id} {user.username} ({', '.join(sorted(user.roles))})", markup=False)


@user_app.command("list")
def user_list(format: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """List accounts: roles, staff link, second factor, and whether disabled or locked."""
    accounts, _ = open_accounts()
    # The store's rows, for created and locked; the TOTP secret itself is never shown.
    rows = accounts.store.list_users()
    if format == "json":
        listing = [
            {
                "id": r.id,
                "username": r.username,
                "roles": sorted(r.roles),
                "staff_id": r.staff_id,
                "totp": r.totp_secret is not None,
                "disabled": r.disabled,
                "locked_until": r.locked_until,
                "created_at": r.created_at,
            }
            for r in rows
        ]
        out.print(json.dumps(listing, indent=2, ensure_ascii=False), markup=False)
        return
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the store's fixed-width form
    table = Table("id", "username", "roles", "staff", "totp", "status", "created")
    for r in rows:
        locked = r.locked_until is not None and r.locked_until > now
        status = "disabled" if r.disabled else f"locked until {r.locked_until}" if locked else "active"
        table.add_row(
            r.id,
            r.username,
            ", ".join(sorted(r.roles)),
            r.staff_id or "",
            "yes" if r.totp_secret else "no",
            status,
            r.created_at,
        )
    out.print(table)


@user_app.command("totp")
def user_totp(
    username: str,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a second factor already enrolled.")] = False,
) -> None:
    """Enrol a TOTP second factor and print its otpauth:// URI (for a QR code or authenticator app)."""
    accounts, _ = open_accounts()
    user = find_user(accounts, username)
    if user.has_totp and not replace:
        # Replacing locks the user out of their current authenticator; make it deliberate.
        fail(f"{user.username} already has a second factor; pass --replace to enrol a new one")
    enrolment = run(lambda: accounts.enable_totp(user.id, by=operator()))
    out.print(enrolment.uri, markup=False)
    err.print(
        f"the URI holds {user.username}'s secret: hand it over privately; their sessions have ended", markup=False
    )


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable an account and end its sessions. Nothing is deleted."""
    accounts, _ = open_accounts()
    user = find_user(accounts, username)
    ended = run(lambda: accounts.set_disabled(user.id, True, by=operator()))
    out.print(f"disabled {user.id} {user.username}; {ended} sessions ended", markup=False)
