"""`run_bot.py staff login-link USER`: a one-time sign-in link to the staff web console (10 minutes)."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    link = sub.add_parser("login-link", help="print a one-time sign-in link to the staff web console (10 minutes)")
    link.add_argument("user", metavar="USER", help="the person's number from `staff list` (e.g. 7), or CHANNEL:CHAT_ID")


async def login_link(session, args, settings) -> int:
    from bot.webui import audit, auth
    from storage import people

    who = args.user.lstrip("#")
    if who.isdigit():
        user_id = int(who)
    else:
        channel, _sep, external = who.partition(":")
        user = await people.find_user(session, channel, external) if external else None
        if user is None:
            print(f"No such person {args.user!r}: give the number from `staff list`, or CHANNEL:CHAT_ID.", file=sys.stderr)
            return 2
        user_id = user.id
    if await auth.staff_of(session, user_id) is None:
        print(f"Person #{user_id} has no staff role; invite them first (`staff invite`).", file=sys.stderr)
        return 2
    token = await auth.create_link(session, user_id)
    audit.record(session, None, "link_created", "cli", actor_id=user_id)
    print(f"One-time sign-in link for person #{user_id}, valid 10 minutes. Give it to them only:")
    print(f"  {auth.signin_url(settings, token)}")
    return 0
