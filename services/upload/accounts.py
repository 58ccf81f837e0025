"""Bootstrapping without a token: `python -m services.upload.accounts create-account`.

Creates an account with its Owner and prints the account id and the Owner's API token (shown
this once). Reads DATABASE_URL, like the services. Every other user and token is then created
through the API by a holder of users:manage.
"""

import argparse
import asyncio

from services.upload.access import NewAccount, create_account
from shared.database import create_pool
from shared.settings import DatabaseSettings


async def create_account_in(
    settings: DatabaseSettings, *, name: str, owner_email: str, owner_name: str | None = None
) -> NewAccount:
    """Create an account with its Owner on the database of these settings."""
    pool = await create_pool(settings)
    try:
        return await create_account(pool, name=name, owner_email=owner_email, owner_name=owner_name)
    finally:
        await pool.close()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m services.upload.accounts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-account", help="an account, its Owner and a token")
    create.add_argument("--name", required=True, help="the account's name")
    create.add_argument("--owner-email", required=True, help="the Owner's e-mail")
    create.add_argument("--owner-name", help="the Owner's name (default: the e-mail)")
    options = parser.parse_args()
    created = asyncio.run(
        create_account_in(
            DatabaseSettings(),
            name=options.name,
            owner_email=options.owner_email,
            owner_name=options.owner_name,
        )
    )
    print(f"account: {created.account_id}")
    print(f"owner:   {created.owner_id}")
    print(f"token:   {created.token}")
    print("The token is shown only now: keep it; send it as 'Authorization: Bearer <token>'.")


if __name__ == "__main__":
    main()
