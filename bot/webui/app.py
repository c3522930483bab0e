"""The staff web console under /console: sign-in, sessions, CSRF, roles, layout, and the features' pages.

Features contribute pages (`Feature.console`, bot/core/feature.py); this module mounts them in an
aiohttp sub-application whose middleware, for every request but the sign-in page and the style
sheet: finds the session (cookie) and the person's roles *now* (a revoked role takes effect on the
next request), refuses a page the roles do not allow, and refuses any POST whose form lacks the
session's CSRF token. Responses carry a strict Content-Security-Policy (no inline script).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from aiohttp import BodyPartReader, web
from jinja2 import Environment, FileSystemLoader, select_autoescape
from multidict import MultiDict

from bot.core.feature import ConsolePage, Feature
from bot.core.services import Services
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator
from bot.webui import audit, auth
from bot.webui.models import ConsoleSession
from storage.db import Database
from storage.hashing import token_hash

if TYPE_CHECKING:
    from knowledge.models import Office

log = logging.getLogger(__name__)

PREFIX = "/console"
COOKIE = "hb_console"
PRE_COOKIE = "hb_signin"  # double-submit token of the sign-in form (there is no session yet)
MAX_FORM = 5 * 1024 * 1024  # an uploaded spreadsheet of ~50,000 rows
HERE = Path(__file__).resolve().parent
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
PUBLIC = ("/signin", "/static/")
REFUSALS = {
    "unknown": N_("This sign-in link is not valid. Perhaps it was copied incompletely."),
    "used": N_("This sign-in link has already been used. Each link works only once."),
    "expired": N_("This sign-in link has expired: links are valid for 10 minutes."),
    "no_role": N_("Your account has no staff role any more. Ask an administrator if this is a mistake."),
}


@dataclass
class Form:
    fields: MultiDict[str]
    files: dict[str, tuple[str, bytes]]  # field -> (file name, content)

    def get(self, name: str, default: str = "") -> str:
        return (self.fields.get(name) or default).strip()


class ConsoleRequest:
    """What a console page handler works with: the person, their roles, the database, words, rendering."""

    def __init__(self, request: web.Request, console: Console, staff: auth.Staff | None = None,
                 row: ConsoleSession | None = None, notice: str | None = None, lang: str | None = None):
        self.request = request
        self.console = console
        self.services: Services = console.services
        self.db: Database = console.db
        self.staff = staff
        self.row = row
        self.notice = notice
        self.lang = row.lang if row else (lang or console.services.settings.default_lang)
        self.t = Translator(self.lang)
        self._ = self.t.gettext
        self._form: Form | None = None

    # --- the signed-in person ------------------------------------------------------------
    @property
    def me(self) -> auth.Staff:
        assert self.staff is not None, "only pages behind sign-in ask who is signed in"
        return self.staff

    @property
    def session_hash(self) -> str:
        assert self.row is not None, "only pages behind sign-in have a session"
        return self.row.token_hash

    @property
    def kb(self):
        return self.services.kb

    @property
    def settings(self):
        return self.services.settings

    def today(self) -> dt.date:
        from zoneinfo import ZoneInfo

        return self.services.clock.now().astimezone(ZoneInfo(self.settings.timezone)).date()

    def offices(self, roles: frozenset[str] = frozenset({"staff", "admin"})) -> list[Office]:
        """Offices this person covers in these roles (main office first)."""
        allowed = self.me.offices(roles)
        found = [o for o in self.kb.offices.values() if allowed is None or o.id in allowed]
        return sorted(found, key=lambda o: not o.main)

    def match(self, name: str) -> str:
        return self.request.match_info.get(name, "")

    def query(self, name: str, default: str = "") -> str:
        return self.request.query.get(name, default).strip()

    # --- forms -----------------------------------------------------------------------------
    async def form(self) -> Form:
        """The posted form (urlencoded or multipart, at most MAX_FORM bytes), read once."""
        if self._form is None:
            self._form = await _read_form(self.request)
        return self._form

    # --- answers ---------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return PREFIX + path

    def render(self, template: str, *, status: int = 200, title: str = "", **context: Any) -> web.Response:
        html = self.console.env.get_template(template).render(
            req=self, _=self._, ngettext=self.t.ngettext, t=self.t, lang=self.lang, title=title, staff=self.staff,
            nav=self.console.nav(self), csrf=self.row.csrf if self.row else "", notice=self.notice,
            community=self.kb.community.name.get(self.lang), languages=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGES],
            path=self.request.path, **context,
        )
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

    async def done(self, path: str, notice: str = "") -> NoReturn:
        """Redirect after a successful POST (303), with a one-time notice on the next page."""
        if notice and self.row is not None:
            async with self.db.sessions() as session, session.begin():
                row = await session.get(ConsoleSession, self.row.token_hash)
                if row is not None:
                    row.notice = notice[:300]
        raise web.HTTPSeeOther(self.url(path))

    def refuse(self, status: int = 403, message: str = "") -> NoReturn:
        """Stop with an error page (403: not allowed; 404: no such thing — also for another office's ids)."""
        text = message or (self._("This page does not exist, or it is not one you may open.") if status == 404
                           else self._("Your roles do not allow this page."))
        raise _Refused(self.render("error.html", status=status, title=self._("Not available"), message=text))

    def audit(self, session, action: str, target: str = "", **kw: Any) -> None:
        audit.record(session, self.staff, action, target, **kw)


CONSOLE_REQUEST = web.RequestKey("console_request", ConsoleRequest)


class _Refused(Exception):
    def __init__(self, response: web.Response):
        self.response = response


async def _read_form(request: web.Request) -> Form:
    fields: MultiDict[str] = MultiDict()
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        total = 0
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            chunks = []
            while chunk := await part.read_chunk(64 * 1024):
                total += len(chunk)
                if total > MAX_FORM:
                    raise web.HTTPRequestEntityTooLarge(max_size=MAX_FORM, actual_size=total)
                chunks.append(chunk)
            data = b"".join(chunks)
            name = part.name or ""
            if part.filename:
                files[name] = (Path(part.filename).name, data)
            else:
                fields.add(name, data.decode("utf-8", "replace"))
    else:
        posted = await request.post()
        for key, value in posted.items():
            if isinstance(value, str):
                fields.add(key, value)
    return Form(fields, files)


class Console:
    """The mounted console: its pages, templates and the services they use."""

    def __init__(self, services: Services, db: Database, features: Sequence[Feature]):
        self.services = services
        self.db = db
        self.pages: list[ConsolePage] = [HOME, *(p for f in features for p in f.console)]
        dirs = [HERE / "templates"]
        for page in self.pages:
            module_dir = Path(__import__(page.handler.__module__, fromlist=["_"]).__file__ or "").parent / "templates"
            if module_dir.is_dir() and module_dir not in dirs:
                dirs.append(module_dir)
        self.env = Environment(loader=FileSystemLoader(dirs), autoescape=select_autoescape(["html"]),
                               trim_blocks=True, lstrip_blocks=True)
        self.secure = (services.settings.public_url or "").startswith("https://")

    def nav(self, req: ConsoleRequest) -> list[tuple[str, str]]:
        if req.staff is None:
            return []
        items = sorted((p for p in self.pages if p.nav and req.staff.has(p.roles)), key=lambda p: p.order)
        return [(PREFIX + p.path, req._(p.nav)) for p in items]

    def set_cookie(self, response: web.StreamResponse, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(name, value, path=PREFIX, httponly=True, secure=self.secure, samesite="Strict",
                            max_age=max_age)

    # --- the middleware: session, roles, CSRF, headers -------------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler):
        try:
            response = await self._guarded(request, handler)
        except _Refused as refused:
            response = refused.response
        except web.HTTPException as exc:
            if exc.status == 413:
                response = ConsoleRequest(request, self).render(
                    "error.html", status=413, title="413",
                    message=Translator(self.services.settings.default_lang).gettext("The file is too large."))
            else:
                raise
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")  # the sign-in token must not leak
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.path.startswith(PREFIX + "/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    async def _guarded(self, request: web.Request, handler):
        rel = request.path[len(PREFIX):]
        if rel.startswith(PUBLIC):
            return await handler(request)
        token = request.cookies.get(COOKIE, "")
        async with self.db.sessions() as session, session.begin():
            row, staff = await auth.current(session, token)
            notice = None
            if row is not None and request.method == "GET" and row.notice:
                notice, row.notice = row.notice, None
        if row is None or staff is None:
            if request.method == "GET":
                raise web.HTTPSeeOther(PREFIX + "/signin")
            lang = self.services.settings.default_lang
            return ConsoleRequest(request, self, lang=lang).render(
                "error.html", status=403, title="403", message=Translator(lang).gettext("Please sign in again."))
        req = ConsoleRequest(request, self, staff, row, notice)
        if request.method not in ("GET", "HEAD"):
            form = await req.form()
            if not hmac.compare_digest(form.get("csrf").encode(), row.csrf.encode()):
                log.warning("console: a form without a valid CSRF token was refused (%s)", request.path)
                req.refuse(403, req._("This form has expired or did not come from the console. Reload the page "
                                      "and try again."))
        request[CONSOLE_REQUEST] = req
        try:
            return await handler(request)
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
            req.refuse(exc.status)


REQ_KEY = web.AppKey("console", Console)


def _page(page: ConsolePage):
    async def handler(request: web.Request) -> web.StreamResponse:
        req = request[CONSOLE_REQUEST]
        if not req.me.has(page.roles):
            req.refuse(403)
        return await page.handler(req)

    return handler


# --- built-in pages: home, sign-in, sign-out, language ---------------------------------------------


async def home(req: ConsoleRequest) -> web.StreamResponse:
    return req.render("home.html", title=req._("Staff console"))


HOME = ConsolePage("/", home, frozenset(auth.CONSOLE_ROLES), nav=N_("Home"), order=0)


def _address(request: web.Request) -> str:
    """Who is signing in, for rate limiting: behind the local TLS proxy, the address it forwards (the last
    one it appended); otherwise the peer itself (a forwarded address from anyone else is not believed)."""
    remote = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in ("127.0.0.1", "::1") and forwarded:
        return forwarded.split(",")[-1].strip() or remote
    return remote


async def signin_page(request: web.Request) -> web.StreamResponse:
    console: Console = request.app[REQ_KEY]
    lang = request.query.get("lang") if request.query.get("lang") in LANGUAGES else None
    req = ConsoleRequest(request, console, lang=lang)
    token = request.query.get("t", "")
    if not token:
        return req.render("signin.html", title=req._("Sign in to the staff console"), bye="bye" in request.query)
    pre = _random()
    response = req.render("signin.html", title=req._("Sign in to the staff console"), token=token, pre=pre)
    console.set_cookie(response, PRE_COOKIE, pre, max_age=600)
    return response


async def signin_post(request: web.Request) -> web.StreamResponse:
    console: Console = request.app[REQ_KEY]
    posted = await request.post()
    lang = str(posted.get("lang", "")) if posted.get("lang") in LANGUAGES else None
    req = ConsoleRequest(request, console, lang=lang)
    pre, sent = request.cookies.get(PRE_COOKIE, ""), str(posted.get("pre", ""))
    token = str(posted.get("t", ""))
    if not pre or not hmac.compare_digest(pre.encode(), sent.encode()):
        return req.render("signin.html", status=400, title=req._("Sign in to the staff console"),
                          problem=req._("This sign-in form has expired. Open the link from the bot again."))
    async with console.db.sessions() as session, session.begin():
        if await auth.too_many_attempts(session, console.services.settings.secret_key_bytes(), _address(request)):
            limited = True
            user_id, why = None, "limited"
        else:
            limited = False
            user_id, why = await auth.redeem(session, token)
        if user_id is None:
            refused = None if limited else await _link_owner(session, token)
            if refused is not None:
                audit.record(session, None, "sign_in_refused", why, actor_id=refused)
            problem = (req._("Too many sign-in attempts from here. Please wait 10 minutes.") if limited
                       else req._(REFUSALS[why]))
            response = req.render("signin.html", status=429 if limited else 400, title=req._("Sign in to the staff console"),
                                  problem=problem, how=True)
            return response
        staff = await auth.staff_of(session, user_id)
        cookie = await auth.open_session(session, user_id, req.lang)
        audit.record(session, staff, "sign_in")
    response = web.HTTPSeeOther(PREFIX + "/")
    console.set_cookie(response, COOKIE, cookie)
    response.del_cookie(PRE_COOKIE, path=PREFIX)
    raise response


async def _link_owner(session, token: str) -> int | None:
    from bot.webui.models import SignInLink

    link = await session.get(SignInLink, token_hash(token))
    return link.user_id if link else None


def _random() -> str:
    import secrets

    return secrets.token_urlsafe(24)


async def signout(req: ConsoleRequest) -> web.StreamResponse:
    async with req.db.sessions() as session, session.begin():
        await auth.close_session(session, req.request.cookies.get(COOKIE, ""))
        req.audit(session, "sign_out")
    response = web.HTTPSeeOther(f"{PREFIX}/signin?bye=1&lang={req.lang}")
    response.del_cookie(COOKIE, path=PREFIX)
    raise response


async def set_language(req: ConsoleRequest) -> web.StreamResponse:
    form = await req.form()
    lang = form.get("lang")
    back = form.get("back") or PREFIX + "/"
    if lang in LANGUAGES and req.row is not None:
        async with req.db.sessions() as session, session.begin():
            row = await session.get(ConsoleSession, req.row.token_hash)
            if row is not None:
                row.lang = lang
    raise web.HTTPSeeOther(back if back.startswith(PREFIX + "/") and "//" not in back else PREFIX + "/")


BUILTIN = (
    ConsolePage("/signout", signout, frozenset(auth.CONSOLE_ROLES), method="POST"),
    ConsolePage("/lang", set_language, frozenset(auth.CONSOLE_ROLES), method="POST"),
)


def build_console(services: Services, db: Database, features: Sequence[Feature]) -> web.Application:
    """The console as an aiohttp sub-application (mount it under PREFIX)."""
    console = Console(services, db, features)
    app = web.Application(middlewares=[console.middleware])
    app[REQ_KEY] = console
    app.router.add_get("/signin", signin_page)
    app.router.add_post("/signin", signin_post)
    app.router.add_static("/static/", HERE / "static", append_version=False)
    for page in [*console.pages, *BUILTIN]:
        app.router.add_route(page.method, page.path, _page(page))
    return app


def mount_console(web_app: web.Application, services: Services, db: Database, features: Sequence[Feature]) -> None:
    web_app.add_subapp(PREFIX, build_console(services, db, features))
    web_app.router.add_get(PREFIX, _redirect_home)  # "/console" without the slash


async def _redirect_home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(PREFIX + "/")
