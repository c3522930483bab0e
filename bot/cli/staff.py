"""`run_bot.py staff`: invite staff and social workers (one-time deep links), list and revoke roles."""

from __future__ import annotations

import asyncio
import sys

from bot.cli import _staff_console as console

NAME = "staff"
HELP = "staff roles: invite (prints a one-time link), list, revoke; login-link to the web console"
ORDER = 70


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="staff_cmd", required=True)
    inv = sub.add_parser("invite", help="print a one-time invitation link for a role")
    inv.add_argument("--role", choices=["staff", "admin", "social_worker"], default="staff")
    inv.add_argument("--office", default="", help="office id (from offices.yaml) for CNAP staff and admins")
    inv.add_argument("--days", type=int, default=7, help="how long the link stays valid")
    inv.add_argument("--name", default="", help="the person's name as colleagues see it (else they are asked)")
    sub.add_parser("list", help="who has which role")
    rev = sub.add_parser("revoke", help="take a role away (ids from `staff list`)")
    rev.add_argument("role_id", type=int)
    console.add_parser(sub)


async def _main(args, settings) -> int:
    from bot.app import CHANNELS
    from bot.features.staff import store as roles
    from bot.links import DeepLinks
    from knowledge.loader import DATA_DIR, load_kb
    from storage import people
    from storage.db import open_database

    db = await open_database(settings.database_url)
    try:
        async with db.sessions() as session, session.begin():
            if args.staff_cmd == "invite":
                if args.office:
                    kb = load_kb(settings.kb_dir or DATA_DIR, strict=False)
                    if args.office not in kb.offices:
                        print(f"Unknown office {args.office!r}; offices: {', '.join(kb.offices)}", file=sys.stderr)
                        return 2
                elif args.role == "staff":
                    print("CNAP staff belong to an office: add --office ID", file=sys.stderr)
                    return 2
                token = await roles.create_invite(session, args.role, args.office, args.days, name=args.name)
                print(f"One-time invitation ({args.role}{' @ ' + args.office if args.office else ''}), "
                      f"valid {args.days} days. Send it to the person only:")
                for channel, link in DeepLinks(CHANNELS, settings).all(f"inv_{token}").items():
                    print(f"  {channel}: {link}")
                return 0
            if args.staff_cmd == "login-link":
                return await console.login_link(session, args, settings)
            if args.staff_cmd == "list":
                members = await roles.list_roles(session)
                names = await people.display_names(session, [user.id for _role, user in members])
                for role, user in members:
                    who = names.get(user.id) or "(no name given)"
                    print(f"[{role.id}] {role.role}{' @ ' + role.scope if role.scope else ''}: {who} "
                          f"({user.channel} user #{user.id})")
                return 0
            if await roles.revoke_role(session, args.role_id):
                print("Role revoked.")
                return 0
            print("No such role id (see `staff list`).", file=sys.stderr)
            return 1
    finally:
        await db.dispose()


def run(args, settings) -> int:
    return asyncio.run(_main(args, settings))
