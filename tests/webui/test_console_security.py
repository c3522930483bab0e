"""The console's locks, over real HTTP: sign-in links, sessions, CSRF, roles checked on every request,
office scope, cookies, escaping. Both databases where the SQL matters."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.core.clock import ManualClock
from bot.features.feedback.models import FeedbackResponse
from bot.features.status import store as apps
from bot.features.status.models import ApiToken
from bot.webui import build_console
from bot.webui.models import AuditEntry, ConsoleSession, SignInLink
from tests.chat import Chat
from tests.conftest import make_app, make_settings
from tests.console_support import PRE_RE, csrf_of, link_from_bot, person, serve, sign_in, signed_in
from tests.feedback_support import qr, take_survey

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))


@pytest.fixture
async def wcore(db_url, test_kb):
    core = await make_app(make_settings(db_url), test_kb, clock=ManualClock(NOW))
    yield core
    await core.close()


def console_pages(core) -> list[tuple[str, str]]:
    """(method, path) of every page the console serves, with ids filled in."""
    out = []
    for route in build_console(core.services, core.db, core.features).router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method == "HEAD" or path.startswith(("/signin", "/static")):
            continue
        path = re.sub(r"\{office[^}]*\}", "cnap-main", path)
        path = re.sub(r"\{fmt[^}]*\}", "svg", path)
        out.append((route.method, "/console" + re.sub(r"\{[^}]*\}", "1", path)))
    return out


async def test_every_console_page_requires_sign_in(wcore):
    pages = console_pages(wcore)
    assert len(pages) > 35 and ("GET", "/console/figures") in pages and ("POST", "/console/status/upload") in pages
    async with serve(wcore) as client:
        for method, path in pages:
            response = await client.request(method, path, allow_redirects=False)
            if method == "GET":
                assert (response.status, response.headers.get("Location")) == (303, "/console/signin"), path
            else:
                assert response.status == 403, path
        assert (await client.get("/console/signin")).status == 200  # the one public page: how to sign in


async def test_the_link_works_once_for_ten_minutes_and_explains_itself(wcore):
    await person(wcore, "staff", "cnap-main", user="clerk")
    async with serve(wcore) as client:
        token = await link_from_bot(wcore, "clerk")
        first = await sign_in(client, token)
        assert first.status == 303 and first.headers["Location"] == "/console/"
        client.session.cookie_jar.clear()
        again = await sign_in(client, token)
        assert again.status == 400 and "already been used" in await again.text() or "вже використано" in await again.text()

        late = await link_from_bot(wcore, "clerk")
        wcore.services.clock.advance(dt.timedelta(minutes=10, seconds=1))
        expired = await sign_in(client, late)
        body = await expired.text()
        assert expired.status == 400 and "10 хвилин" in body and "Кабінет працівника" in body  # what to do next
        bogus = await sign_in(client, "not-a-real-token")
        assert bogus.status == 400 and "недійсне" in await bogus.text()
    async with wcore.db.sessions() as s:
        refused = (await s.execute(select(AuditEntry.target).where(AuditEntry.action == "sign_in_refused"))).scalars().all()
    assert sorted(refused) == ["expired", "used"]


async def test_link_use_is_rate_limited_per_address(wcore):
    await person(wcore, "admin", user="boss")
    async with serve(wcore) as client:
        for _n in range(10):
            assert (await sign_in(client, "guess-" + str(_n))).status == 400
        token = await link_from_bot(wcore, "boss")
        limited = await sign_in(client, token)
        assert limited.status == 429 and "10 хвилин" in await limited.text()
        # Behind the local TLS proxy each visitor is limited apart (the address the proxy forwards).
        page = await client.get(f"/console/signin?t={token}")
        pre = PRE_RE.search(await page.text()).group(1)
        proxied = await client.post("/console/signin", data={"t": token, "pre": pre}, allow_redirects=False,
                                    headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status == 303
        wcore.services.clock.advance(dt.timedelta(minutes=11))
        token = await link_from_bot(wcore, "boss")
        assert (await sign_in(client, token)).status == 303


async def test_cookie_flags_plain_and_behind_https(db_url, test_kb):
    for public_url, secure in ((None, False), ("https://bot.example.org", True)):
        extra = {"PUBLIC_URL": public_url} if public_url else {}
        core = await make_app(make_settings(db_url, **extra), test_kb, clock=ManualClock(NOW))
        try:
            await person(core, "admin", user=f"boss-{secure}")
            async with serve(core) as client:
                token = await link_from_bot(core, f"boss-{secure}")
                form = await client.get(f"/console/signin?t={token}")
                pre = PRE_RE.search(await form.text()).group(1)
                # The test client speaks plain HTTP and so keeps Secure cookies to itself: send it as a browser would.
                response = await client.post("/console/signin", data={"t": token, "pre": pre}, allow_redirects=False,
                                             headers={"Cookie": f"hb_signin={pre}"})
                cookies = [*form.headers.getall("Set-Cookie"), *response.headers.getall("Set-Cookie")]
                for name in ("hb_signin=", "hb_console="):
                    cookie = next(c for c in cookies if c.startswith(name) and "Max-Age=0" not in c)
                    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
                    assert {"httponly", "path", "samesite"} <= attributes and "samesite=strict" in cookie.lower(), cookie
                    assert ("secure" in attributes) is secure, cookie
                assert response.status == 303
                page = await client.get("/console/signin")
                assert page.headers["X-Frame-Options"] == "DENY" and "default-src 'none'" in page.headers["Content-Security-Policy"]
                assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
        finally:
            await core.close()


async def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(wcore):
    await person(wcore, "admin", user="boss")
    async with serve(wcore) as client:
        csrf = await signed_in(wcore, client, "boss")
        forged = await client.post("/console/status/tokens/create", data={"name": "evil"})
        wrong = await client.post("/console/status/tokens/create", data={"name": "evil", "csrf": "x" * len(csrf)})
        assert forged.status == wrong.status == 403 and "застаріла" in await forged.text()
        async with wcore.db.sessions() as s:
            assert (await s.execute(select(func.count()).select_from(ApiToken))).scalar_one() == 0
        ok = await client.post("/console/status/tokens/create", data={"name": "vulyk", "csrf": csrf})
        assert ok.status == 200 and "hb_" in await ok.text()


async def test_office_staff_cannot_read_another_offices_feedback_by_changing_the_id(wcore):
    await person(wcore, "staff", "cnap-main", user="clerk-a")
    for n, office in enumerate(("cnap-main", "social-protection")):
        await take_survey(Chat(wcore, user=f"v{n}", lang="en"), {"overall": 4, "waiting": 4, "staff": 4, "premises": 4,
                                                                  "solved": True, "comment": f"про {office}"}, qr(office))
    async with wcore.db.sessions() as s:
        assert sorted((await s.execute(select(FeedbackResponse.office_id))).scalars()) == ["cnap-main", "social-protection"]
    async with serve(wcore) as client:
        await signed_in(wcore, client, "clerk-a")
        own = await (await client.get("/console/feedback?office=cnap-main")).text()
        assert "про cnap-main" in own and "про social-protection" not in own
        everything = await (await client.get("/console/feedback")).text()
        assert "про social-protection" not in everything  # "all my offices" is only theirs
        for path in ("/console/feedback?office=social-protection", "/console/feedback/export.csv?office=social-protection",
                     "/console/feedback/poster/social-protection", "/console/feedback?office=no-such-office"):
            response = await client.get(path)
            assert response.status == 404, path
        csv = await (await client.get("/console/feedback/export.csv")).text()
        assert "про cnap-main" in csv and "про social-protection" not in csv


async def test_another_offices_application_is_not_found(wcore):
    await person(wcore, "staff", "cnap-main", user="clerk-a")
    async with wcore.db.sessions() as s, s.begin():
        await apps.upsert(s, apps.ApplicationUpdate("B-1", "ready", office_id="social-protection"), "test", b"k")
        await apps.upsert(s, apps.ApplicationUpdate("A-1", "ready", office_id="cnap-main"), "test", b"k")
    async with serve(wcore) as client:
        await signed_in(wcore, client, "clerk-a")
        assert "Заява № A-1" in await (await client.get("/console/status/lookup?number=A-1")).text()
        assert "Заява № B-1" not in await (await client.get("/console/status/lookup?number=B-1")).text()


async def test_a_revoked_role_loses_access_on_the_next_request(wcore):
    boss = await person(wcore, "admin", user="boss")
    clerk = await person(wcore, "staff", "cnap-main", user="clerk")
    await take_survey(Chat(wcore, user="v", lang="en"), {"overall": 5, "waiting": 5, "staff": 5, "premises": 5,
                                                         "solved": True}, qr())
    async with serve(wcore) as clerk_client, serve(wcore) as boss_client:
        await signed_in(wcore, clerk_client, "clerk")
        assert (await clerk_client.get("/console/feedback")).status == 200
        csrf = await signed_in(wcore, boss_client, "boss")
        team = await (await boss_client.get("/console/team")).text()
        role_id = re.search(r'name="role" value="(\d+)"', team).group(1)
        revoked = await boss_client.post("/console/team/revoke", data={"role": role_id, "csrf": csrf}, allow_redirects=False)
        assert revoked.status == 303
        after = await clerk_client.get("/console/feedback", allow_redirects=False)
        assert (after.status, after.headers.get("Location")) == (303, "/console/signin")
    async with wcore.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(ConsoleSession)
                                .where(ConsoleSession.user_id == clerk))).scalar_one() == 0
        entry = (await s.execute(select(AuditEntry).where(AuditEntry.action == "role_revoked"))).scalar_one()
    assert (entry.actor_id, entry.subject_id, entry.target) == (boss, clerk, "staff@cnap-main")


async def test_a_role_revoked_in_the_bot_ends_the_page_at_once_and_other_roles_keep_working(wcore):
    worker = await person(wcore, "social_worker", user="both")
    async with wcore.db.sessions() as s, s.begin():
        from storage import people

        await people.grant_role(s, worker, "staff", "cnap-main")
    async with serve(wcore) as client:
        await signed_in(wcore, client, "both")
        assert (await client.get("/console/clients")).status == 200
        async with wcore.db.sessions() as s, s.begin():
            from bot.features.staff import store as roles

            role = next(r for r, u in await roles.list_roles(s) if u.id == worker and r.role == "social_worker")
            await roles.revoke_role(s, role.id)
        assert (await client.get("/console/clients")).status == 403  # that page: no more
        assert (await client.get("/console/feedback")).status == 200  # still CNAP staff


async def test_sessions_end_when_idle_and_after_twelve_hours(wcore):
    await person(wcore, "admin", user="boss")
    async with serve(wcore) as client:
        await signed_in(wcore, client, "boss")
        for _hour in range(11):
            for _step in range(3):
                wcore.services.clock.advance(dt.timedelta(minutes=20))
                assert (await client.get("/console/", allow_redirects=False)).status == 200
        wcore.services.clock.advance(dt.timedelta(hours=1, minutes=1))  # 12 hours and more since sign-in
        assert (await client.get("/console/", allow_redirects=False)).status == 303
        await signed_in(wcore, client, "boss")
        wcore.services.clock.advance(dt.timedelta(minutes=30))
        assert (await client.get("/console/", allow_redirects=False)).status == 303


async def test_sign_out_ends_the_session(wcore):
    await person(wcore, "admin", user="boss")
    async with serve(wcore) as client:
        csrf = await signed_in(wcore, client, "boss")
        cookie = client.session.cookie_jar.filter_cookies(client.make_url("/console/"))["hb_console"].value
        out = await client.post("/console/signout", data={"csrf": csrf}, allow_redirects=False)
        assert out.status == 303 and "bye=1" in out.headers["Location"]
        client.session.cookie_jar.update_cookies({"hb_console": cookie}, client.make_url("/console/"))  # a copied cookie
        assert (await client.get("/console/", allow_redirects=False)).status == 303


async def test_script_in_a_comment_is_rendered_inert(wcore):
    await person(wcore, "staff", "cnap-main", user="clerk")
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)> мій e-mail ivan@example.com'
    await take_survey(Chat(wcore, user="v", lang="en"), {"overall": 1, "what-wrong": ["queue"], "waiting": 1, "staff": 1,
                                                         "premises": 1, "solved": False, "why-not-solved": "other",
                                                         "comment": evil}, qr())
    async with serve(wcore) as client:
        await signed_in(wcore, client, "clerk")
        page = await (await client.get("/console/feedback")).text()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "ivan@example.com" not in page  # e-mails and phones in comments are masked


async def test_the_staff_console_entry_is_only_for_staff(wcore):
    citizen = Chat(wcore, user="citizen", lang="en")
    await citizen.start()
    assert not any(b.payload == "webconsole" for r in citizen.last for b in r.all_buttons())
    await citizen.press_payload("webconsole")  # a crafted button: refused like a stale one
    assert "/console/signin" not in citizen.text
    async with wcore.db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(SignInLink))).scalar_one() == 0


async def test_csrf_cookie_of_the_sign_in_form_is_required(wcore):
    await person(wcore, "admin", user="boss")
    async with serve(wcore) as client:
        token = await link_from_bot(wcore, "boss")
        forged = await client.post("/console/signin", data={"t": token, "pre": "made-up"}, allow_redirects=False)
        assert forged.status == 400
        assert (await sign_in(client, token)).status == 303  # the link was not spent by the forged form
        assert await csrf_of(client)


async def test_the_audit_log_records_staff_actions_and_only_admins_read_it(wcore):
    boss = await person(wcore, "admin", user="boss")
    await person(wcore, "staff", "cnap-main", user="clerk")
    async with serve(wcore) as client, serve(wcore) as clerk:
        csrf = await signed_in(wcore, client, "boss")
        await client.post("/console/status/tokens/create", data={"name": "vulyk", "csrf": csrf})
        await client.post("/console/status/tokens/revoke", data={"name": "vulyk", "csrf": csrf})
        exported = await client.get("/console/audit.csv")
        rows = (await exported.text()).splitlines()
        assert exported.status == 200 and rows[0].lstrip("\ufeff").startswith("id,at_utc,actor_user_id")
        actions = [(r.split(",")[2], r.split(",")[4], r.split(",")[5]) for r in rows[1:]]
        assert actions == [(str(boss), "link_created", "bot"), (str(boss), "sign_in", ""), (str(boss), "token_created", "vulyk"),
                           (str(boss), "token_revoked", "vulyk")]
        await signed_in(wcore, clerk, "clerk")
        assert (await clerk.get("/console/audit")).status == 403
        assert (await clerk.get("/console/audit.csv")).status == 403
    async with wcore.db.sessions() as s:
        assert "audit_export" in (await s.execute(select(AuditEntry.action))).scalars().all()
