"""What every social-worker screen checks first: is this a social worker, and is this link theirs."""

from __future__ import annotations

from bot.core.context import Context
from bot.features.reminders.models import ClientLink
from bot.features.reminders.timing import Policy


def policy(ctx: Context) -> Policy:
    return Policy.from_settings(ctx.settings)


def is_worker(ctx: Context) -> bool:
    return "social_worker" in ctx.roles


async def own_link(ctx: Context, link_id: str | int) -> ClientLink | None:
    if not is_worker(ctx) or not str(link_id).isdigit():
        return None
    link = await ctx.session.get(ClientLink, int(link_id))
    return link if link is not None and link.worker_id == ctx.user.id else None


def when(ctx: Context, moment, relative: bool = False) -> str:
    """A moment in words, in the community's time zone (see Translator.when)."""
    return ctx.t.when(moment, ctx.settings.timezone, ctx.now(), relative=relative)


def quoted(text: str) -> str:
    """A reminder's text to put in «…» inside a sentence: without its final full stop («… вчасно».)."""
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def capital(label: str) -> str:
    """Button labels start with a capital letter, whatever the word is in a sentence ("щотижня")."""
    return label[:1].upper() + label[1:]
