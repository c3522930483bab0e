"""`run_bot.py viber`: register the Viber webhook (set-webhook, while `serve` runs: Viber calls the
URL to check it) and count the proactive messages Viber charges for (usage)."""

from __future__ import annotations

import asyncio
import sys

NAME = "viber"
HELP = "Viber: register the webhook, count paid messages"
ORDER = 25


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="viber_cmd", required=True)
    sub.add_parser("set-webhook", help="register PUBLIC_URL/viber/webhook with Viber (run while `serve` is up)")
    sub.add_parser("usage", help="proactive messages per month: session (free) and paid")


async def set_webhook(settings) -> int:
    from bot.channels.viber import EVENT_TYPES, WEBHOOK_PATH
    from bot.channels.viber.client import ViberApi, ViberError, ViberUnavailable

    if not settings.viber_auth_token or not settings.public_url:
        print("Set VIBER_AUTH_TOKEN and PUBLIC_URL (an https address Viber can reach) first.", file=sys.stderr)
        return 2
    url = settings.public_url.rstrip("/") + WEBHOOK_PATH
    api = ViberApi(settings.viber_auth_token.get_secret_value(), settings.viber_api_base)
    try:
        result = await api.set_webhook(url, EVENT_TYPES)
    except (ViberError, ViberUnavailable) as exc:
        print(f"Viber refused the webhook {url}: {exc}", file=sys.stderr)
        return 1
    finally:
        await api.close()
    print(f"Viber webhook set: {url} (events: {', '.join(result.get('event_types', EVENT_TYPES))})")
    return 0


async def usage(settings) -> int:
    from bot.delivery.outbox import monthly_counts
    from storage.db import open_database

    db = await open_database(settings.database_url)
    try:
        rows = await monthly_counts(db, "viber")
    finally:
        await db.dispose()
    print("Proactive Viber messages sent (replies to people and welcome messages are free and not counted):")
    if not rows:
        print("none yet")
    for month, billing, count in rows:
        print(f"{month}  {billing:<8} {count}")
    return 0


def run(args, settings) -> int:
    return asyncio.run(set_webhook(settings) if args.viber_cmd == "set-webhook" else usage(settings))
