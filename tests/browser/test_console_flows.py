"""The staff jobs, done in a real browser: each step as a person would do it, each page checked with axe-core."""

from __future__ import annotations

import datetime as dt
import shutil

from aiohttp import ClientSession
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from bot.features.status import store as apps
from bot.webui.models import AuditEntry
from knowledge.loader import load_kb
from tests.browser.conftest import check_page
from tests.chat import Chat
from tests.conftest import TEST_KB_DIR
from tests.console_support import link_from_bot, person
from tests.feedback_support import qr, take_survey

UNANSWERED = "платіжка за світло завелика"


def sign_in(browser, live, user: str) -> None:
    """Press "Staff console" in the bot, open the link it sends, press "Sign in"."""
    token = live.run(link_from_bot(live.app, user))
    browser.get(f"{live.url}/console/signin?t={token}")
    press(browser, By.CSS_SELECTOR, "form[action='/console/signin'] button")
    assert browser.current_url.endswith("/console/"), browser.current_url


def text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def press(browser, by: str, selector: str, confirm: bool = False) -> None:
    """Press a button or a link and wait for the next page (the old one goes stale)."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(by, selector).click()
    if confirm:
        browser.switch_to.alert.accept()

    def gone(_driver) -> bool:
        try:
            old.is_enabled()
            return False
        except WebDriverException:  # stale, or "does not belong to the document" while the next page loads
            return True

    WebDriverWait(browser, 20).until(gone)


def notice(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".notice").text


def test_sign_in_with_the_bots_link_then_sign_out(browser, live):
    live.run(person(live.app, "admin", user="boss"))
    token = live.run(link_from_bot(live.app, "boss"))
    browser.get(f"{live.url}/console/signin?t={token}")
    assert "Увійти" in text(browser)  # Ukrainian by default
    check_page(browser, "signin")
    press(browser, By.CSS_SELECTOR, "form[action='/console/signin'] button")
    assert browser.current_url == f"{live.url}/console/"
    nav = browser.find_element(By.CSS_SELECTOR, "nav.main").text
    assert "Відгуки" in nav and "Показники громади" in nav and "Журнал дій" in nav
    check_page(browser, "home")

    press(browser, By.XPATH, "//button[normalize-space()='English']")
    assert "Community figures" in browser.find_element(By.CSS_SELECTOR, "nav.main").text

    press(browser, By.XPATH, "//button[normalize-space()='Sign out']")
    assert "/console/signin" in browser.current_url and "You have signed out" in text(browser)
    browser.get(f"{live.url}/console/feedback")
    assert "/console/signin" in browser.current_url  # the session is gone

    browser.get(f"{live.url}/console/signin?t={token}")  # the same link again: it worked once
    press(browser, By.CSS_SELECTOR, "form[action='/console/signin'] button")
    assert "вже використано" in text(browser) and "Кабінет працівника" in text(browser)
    check_page(browser, "signin-used", shots=False)


def test_feedback_dashboard_with_an_inert_script_in_a_comment(browser, live):
    live.run(person(live.app, "staff", "cnap-main", user="clerk"))
    comment = "<script>alert('x')</script> Дуже довго чекали, мій номер 067 123 45 67"
    for n in range(3):
        chat = Chat(live.app, user=f"visitor-{n}", lang="en")
        live.run(take_survey(chat, {"overall": 5 - n, "waiting": 4, "staff": 5, "premises": 4, "solved": True,
                                    "comment": comment if n == 2 else None}, qr()))
    sign_in(browser, live, "clerk")
    press(browser, By.LINK_TEXT, "Відгуки")
    page = text(browser)
    assert "Відгуки\n3" in page, page[:600]
    assert "<script>alert('x')</script> Дуже довго чекали" in page  # shown as text …
    assert "067 123 45 67" not in page  # … with the phone number masked
    try:
        browser.switch_to.alert.dismiss()
        raise AssertionError("the comment's script ran")
    except NoAlertPresentException:
        pass
    svg = browser.find_elements(By.CSS_SELECTOR, "svg.chart[role='img']")
    assert len(svg) == 2 and browser.find_elements(By.CSS_SELECTOR, ".chart-block table")
    check_page(browser, "feedback")

    browser.get(f"{live.url}/console/feedback?office=social-protection")  # not their office
    assert "не існує" in text(browser)
    browser.get(f"{live.url}/console/feedback/poster/cnap-main")
    check_page(browser, "poster", shots=False)


def test_upload_a_status_file_with_a_bad_row_preview_then_import(browser, live, tmp_path):
    live.run(person(live.app, "staff", "cnap-main", user="clerk"))
    sheet = tmp_path / "statuses.csv"
    sheet.write_text("номер;статус;примітка;офіс\nЦН-1;готово;;cnap-main\nЦН-2;загублено;;cnap-main\nЦН-3;в роботі;;cnap-main\n",
                     encoding="utf-8")
    sign_in(browser, live, "clerk")
    press(browser, By.LINK_TEXT, "Статуси заяв")
    check_page(browser, "status")
    browser.find_element(By.ID, "file").send_keys(str(sheet))
    press(browser, By.CSS_SELECTOR, "form[action='/console/status/upload'] button")
    page = text(browser)
    assert "Нічого ще не збережено" in page and "загублено" in page
    rejected = browser.find_elements(By.XPATH, "//table[caption[contains(., 'помилками')]]//tbody/tr")
    assert [r.text.split()[0] for r in rejected] == ["3"]
    assert live.run(_find(live, "ЦН-1")) is None  # a preview writes nothing
    check_page(browser, "status-preview")
    press(browser, By.XPATH, "//button[contains(., 'Імпортувати')]")
    assert "2 додано" in notice(browser)
    assert live.run(_find(live, "ЦН-1")).status == "ready" and live.run(_find(live, "ЦН-2")) is None

    browser.find_element(By.ID, "number").send_keys("цн 1")
    press(browser, By.CSS_SELECTOR, "form[action='/console/status/lookup'] button")
    assert "Заява № ЦН-1" in text(browser) and "Готово до видачі" in text(browser)
    check_page(browser, "status-lookup")


async def _find(live, number):
    async with live.app.db.sessions() as s:
        return await apps.find(s, number)


def test_create_and_revoke_an_api_token(browser, live):
    live.run(person(live.app, "admin", user="boss"))
    sign_in(browser, live, "boss")
    browser.get(f"{live.url}/console/status/tokens")
    browser.find_element(By.ID, "name").send_keys("vulyk")
    press(browser, By.XPATH, "//button[contains(., 'Створити токен')]")
    token = browser.find_element(By.ID, "new-token").text
    assert token.startswith("hb_")
    check_page(browser, "tokens")
    assert live.run(_api(live.url, token)) == 404  # authorised: no such application
    browser.get(f"{live.url}/console/status/tokens")
    assert token not in text(browser)  # shown once
    press(browser, By.XPATH, "//button[contains(., 'Відкликати «vulyk»')]", confirm=True)  # "Revoke this token?"
    assert "відкликано" in notice(browser)
    assert live.run(_api(live.url, token)) == 401


async def _api(base: str, token: str) -> int:
    async with ClientSession() as http:
        response = await http.get(f"{base}/api/v1/applications/X-1", headers={"Authorization": f"Bearer {token}"})
        return response.status


def test_a_worker_creates_a_reminder_that_reaches_the_client_through_the_outbox(browser, live):
    from tests.features.reminders.test_reminders import Sink, linked_pair

    _worker, _client, link = live.run(linked_pair(live.app))
    sign_in(browser, live, "worker")
    press(browser, By.LINK_TEXT, "Мої клієнти")
    check_page(browser, "clients")
    press(browser, By.LINK_TEXT, "Ганна К.")
    browser.find_element(By.ID, "tpl1").click()  # "Bring documents"
    time_input = browser.find_element(By.ID, "time")
    browser.execute_script("arguments[0].value = '12:20'", time_input)
    press(browser, By.XPATH, "//button[contains(., 'Підтвердити')]")
    assert "Збережено" in notice(browser)
    assert "заплановано" in text(browser)
    check_page(browser, "client")

    sink = Sink()
    live.clock.advance(dt.timedelta(minutes=25))  # 12:00 → 12:25, past 12:20 (and within the console's idle time)
    live.run(live.app.delivery_worker([sink]).run_once())
    to_client = [words for who, words, _buttons in sink.sent if who == "client"]
    assert len(to_client) == 1 and "Будь ласка, не забудьте взяти документи." in to_client[0]
    browser.refresh()
    assert "надіслано" in text(browser)


def test_an_admin_links_an_unanswered_query_and_the_next_search_finds_the_service(browser, live_factory, tmp_path):
    kb_dir = tmp_path / "kb"
    shutil.copytree(TEST_KB_DIR, kb_dir)
    live = live_factory(load_kb(kb_dir), BOT_KB_DIR=str(kb_dir))
    live.run(person(live.app, "admin", user="boss"))
    citizen = Chat(live.app, user="citizen")
    live.run(citizen.send(UNANSWERED))
    assert "цього я не знаю" in citizen.text

    sign_in(browser, live, "boss")
    press(browser, By.LINK_TEXT, "Пошуки без відповіді")
    assert f"«{UNANSWERED}» — 1 раз" in text(browser)
    check_page(browser, "unanswered")
    Select(browser.find_element(By.ID, "svc1")).select_by_value("housing-subsidy")
    press(browser, By.XPATH, "//button[normalize-space()='Пов’язати']")
    assert "Пов’язано" in notice(browser)

    live.run(citizen.send(UNANSWERED))
    assert "Ось що я знайшов" in citizen.text and "субсидії" in citizen.labels[0]
    assert "housing-subsidy" in (kb_dir / "community-synonyms.yaml").read_text(encoding="utf-8")
    audit = live.run(_audit(live))
    assert ("synonym_added", f"«{UNANSWERED}» → housing-subsidy") in audit


async def _audit(live) -> list[tuple[str, str]]:
    async with live.app.db.sessions() as s:
        return [(e.action, e.target) for e in (await s.execute(select(AuditEntry))).scalars()]


def test_every_page_passes_axe(browser, live):
    """Every page an admin and a social worker can open, with some data on it, has no serious or critical
    accessibility violation, at phone and desktop widths (screenshots saved)."""
    live.run(person(live.app, "admin", user="boss"))
    live.run(take_survey(Chat(live.app, user="v", lang="en"), {"overall": 2, "what-wrong": ["queue"], "waiting": 2,
                                                               "staff": 3, "premises": 3, "solved": False,
                                                               "why-not-solved": "come-again"}, qr()))
    live.run(Chat(live.app, user="c").send(UNANSWERED))
    sign_in(browser, live, "boss")
    for path, name in [("/console/figures", "figures"), ("/console/figures?days=365&by=month", None),
                       ("/console/figures/summary?month=2026-12", "summary"), ("/console/figures/open-data", "open-data"),
                       ("/console/team", "team"), ("/console/audit", "audit"), ("/console/status/lookup?number=nope", None),
                       ("/console/nowhere", None)]:
        browser.get(live.url + path)
        check_page(browser, name or path, shots=name is not None)
    browser.set_window_size(390, 844)  # the navigation wraps on a phone and stays usable
    browser.get(live.url + "/console/figures")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    check_page(browser, "figures-phone", shots=False)

