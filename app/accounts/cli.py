"""`hfm users ...`"""

import sys

import click

from app.accounts.models import ROLES


@click.group("users")
def users_cli():
    """User accounts."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--authority", "authority_gss", default=None, help="GSS code, for an authority lead")
def users_create(email, role, authority_gss):
    """Create a user; set the password with `hfm users set-password`."""
    from app.accounts.service import AccountError, create_user
    from app.unit_of_work import unit_of_work

    try:
        with unit_of_work():
            user = create_user(email, role, authority_gss, actor="hfm users create")
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {user.email} ({user.role})")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_set_password(email, password_stdin):
    """Set a user's password (prompted for, or read from standard input)."""
    from app.accounts.service import AccountError, set_password
    from app.unit_of_work import unit_of_work

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work():
            set_password(email, password, actor="hfm users set-password")
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Password set for {email.strip().lower()}")


COMMANDS = [users_cli]
