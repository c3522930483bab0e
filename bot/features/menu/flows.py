"""Main menu and the behaviours that are always there: help, language, privacy, forget."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.feature import MenuEntry
from bot.core.router import Router
from bot.core.ui import cnap_contacts
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_

router = Router("menu")

MENU = (
    MenuEntry(N_("Language / Мова 🌐"), "lang", 90, row="end"),
    MenuEntry(N_("Help ❓"), "help", 91, row="end"),
)


def menu_rows(ctx: Context, skip: frozenset[str] = frozenset()) -> list:
    """Every feature's entries the person may see, in order; entries sharing a `row` side by side."""
    rows: list[list] = []
    rows_by_key: dict[str, list] = {}
    for entry in ctx.menu_entries:
        if (entry.roles and not (entry.roles & ctx.roles)) or entry.action in skip:
            continue
        button = ctx.btn(ctx._(entry.label), entry.action)
        if entry.row and entry.row in rows_by_key:
            rows_by_key[entry.row].append(button)
            continue
        rows.append([button])
        if entry.row:
            rows_by_key[entry.row] = rows[-1]
    return rows


@router.action("menu", screen=True)
async def main_menu(ctx: Context) -> None:
    ctx.expect(None)
    ctx.say(ctx._("Main menu. Choose what you need, or just type your question, e.g. «subsidy» or «passport»."),
            menu_rows(ctx))


@router.command("start", "menu")
async def cmd_menu(ctx: Context) -> None:
    await ctx.show("menu")


@router.action("back", stateful=True, neutral=True)
async def back(ctx: Context) -> None:
    await ctx.back()


@router.action("help", screen=True)
async def help_screen(ctx: Context) -> None:
    """What the bot can do, briefly, with the main things as buttons (also the answer to «що ви вмієте»)."""
    _ = ctx._
    text = "\n".join(
        [
            _("What I can do (I am a bot, not a person):"),
            _("• find a service: just type what you need in your own words;"),
            _("• tell you which documents to bring, the cost, the term and where to go;"),
            _("• keep your document list, so you can tick off what you already have;"),
            _("• check the status of your application;"),
            _("• give the CNAP's address, opening hours and phone."),
            "",
            _("«Back» returns to the previous screen, «Main menu» to the start."),
            "",
            _("Commands: /start — main menu, /help — this help, /status — application status, "
              "/checklists — my document lists, /language — change language, /privacy — what we store, "
              "/forget — delete your data, /stop — stop a social worker's reminders."),
            "",
            cnap_contacts(ctx),
        ]
    )
    ctx.say(text.strip(), [*menu_rows(ctx, skip=frozenset({"help"})), ctx.nav_row()])


@router.command("help")
async def cmd_help(ctx: Context) -> None:
    await ctx.show("help")


@router.action("lang", screen=True)
async def language_screen(ctx: Context) -> None:
    rows = [[ctx.btn(("✔ " if code == ctx.lang else "") + LANGUAGE_NAMES[code], "setlang", code)] for code in LANGUAGES]
    ctx.say(ctx._("Choose the language of the bot:"), [*rows, ctx.nav_row()])


@router.command("language", "lang")
async def cmd_language(ctx: Context) -> None:
    await ctx.show("lang")


@router.action("setlang")
async def set_language(ctx: Context, code: str) -> bool:
    if code not in LANGUAGES:
        return False
    ctx.user.lang = code
    ctx.set_lang(code)
    ctx.say(ctx._("Done: the bot now speaks English."))
    await ctx.show("menu")
    return True


async def welcome(ctx: Context) -> None:
    """The first thing a new person sees: who we are and what we keep (before their answer)."""
    await privacy(ctx, first_contact=True)


@router.command("privacy")
async def privacy(ctx: Context, first_contact: bool = False) -> None:
    _ = ctx._
    text = "\n".join(
        [
            _("Hello! I am the assistant of the {community}.").format(
                community=ctx.t.of_community(ctx.kb.community.name.get(ctx.lang)))
            if first_contact and ctx.kb is not None
            else _("Your privacy."),
            _("What we store: your chat id on this messenger, your language, your document lists and the "
              "applications you follow. We do not ask for your name or address."),
            _("To check an application's status you type the last 4 digits of your phone: they are only compared "
              "with the CNAP's record and are not kept. Feedback answers are kept without any link to you; phone "
              "numbers and e-mail addresses in comments are removed."),
            _("Why: only to answer you and to remind you of what you asked for."),
            _("Search queries that found nothing are kept without any link to you, to improve the bot."),
            _("To delete everything about you at any time, send /forget."),
        ]
    )
    if first_contact:
        ctx.say(text)
    else:
        ctx.say(text, [[ctx.btn(_("Delete my data 🗑"), "forget")], ctx.nav_row(back=False)])


@router.action("forget", screen=True)
async def forget_confirm(ctx: Context) -> None:
    _ = ctx._
    ctx.say(
        _("Delete everything the bot stores about you (language, document lists, followed applications, "
          "reminders)? This cannot be undone."),
        [
            [ctx.btn(_("Yes, delete everything 🗑"), "forget_yes")],
            [ctx.btn(_("No, keep my data"), "menu")],
        ],
    )


@router.command("forget")
async def cmd_forget(ctx: Context) -> None:
    await ctx.show("forget")


@router.action("forget_yes", stateful=True)
async def forget_yes(ctx: Context) -> None:
    await ctx.forget_me()
    ctx.say(
        ctx._("Done. Everything about you has been deleted. If you write again, the bot will start from scratch."),
        [[ctx.btn(ctx._("Main menu 🏠"), "menu")]],
    )
