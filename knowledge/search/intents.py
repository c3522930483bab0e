"""Messages that are not a search for a service: answered from data, not from a service card.

* ``status-lookup`` — an application number anywhere in the text (structured.py);
* ``human`` — «хочу поговорити з людиною», «оператор», «talk to a human»;
* ``cnap-contacts`` — where the CNAP is, its hours, phone, how to get there
  (``contact_topic`` says which was asked; None = all of it);
* ``about-bot`` — «що ви вмієте», «help», «як цим користуватися»;
* ``greeting`` / ``thanks`` — a message made only of a greeting or a thank-you.

Words are recognised by class (below) through their folded form, its prefix
and one typo (Levenshtein ≤ 1 on the prefix, first letter kept), in Ukrainian, Russian, English
and Latin transliteration. A class word only makes an intent when nothing
else in the message asks for something: «графік роботи» is about the CNAP,
«графік вивезення сміття» is a service, «скільки коштує паспорт» too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from knowledge.search.normalize import fold, tokenize
from knowledge.search.stopwords import is_filler, is_stop_word
from knowledge.search.structured import find_app_number
from knowledge.search.translit import transliterate_word_variants


@dataclass(frozen=True)
class WordClass:
    words: frozenset[str]  # whole folded words
    prefixes: tuple[str, ...]  # folded prefixes (≥ 4 letters; ≥ 5 also tolerate one typo)


def _cls(words: str = "", prefixes: str = "") -> WordClass:
    return WordClass(frozenset(fold(w) for w in words.split()), tuple(fold(p) for p in prefixes.split()))


CLASSES: dict[str, WordClass] = {
    # who is asked about: the CNAP, or "you" (the bot / the office behind it)
    "cnap": _cls("цнап цнапу цнапі цнапа cnap tsnap", "цнап адмінцентр"),
    "you": _cls("ви вас вам ваш ваша ваше ваші вами вы you your yours u ur"),
    # contact topics; *_weak words count only together with a subject
    "address": _cls("address location", "адрес знаходит знаходят розташ находит располож locat"),
    "address_weak": _cls("де где where куди куда"),
    "hours": _cls("hours open opening schedule saturday sunday", "графік график розклад расписан режим годин "
                  "субот суббот неділ воскресен вихідн выходн перерв обід відчиня відкриваєт відкриваєт открывает"
                  " зачиня закриваєт закрываете котрої котрій которого"),
    "hours_weak": _cls("work working", "працює працюєт працюют работает работаете работают відкрит открыт"),
    "phone": _cls("phone call", "телефон дзвонит подзвон звонит позвон"),
    "route": _cls("directions route", "доїхат доїжджа дістат добират добрат доехат проїхат проехат маршрут"),
    "route_weak": _cls("get reach пройти автобус автобусом маршрутка транспорт bus"),
    "contacts": _cls("contact contacts", "контакт"),
    # words that belong to a contact question without asking for anything else
    "contact_filler": _cls("номер number time today tomorrow now час", "робот работ прийом прием сьогодн сегодн завтра зараз"),
    # the bot itself
    "about": _cls("help хелп start menu меню", "вмієш вмієте умієш умієте умееш умеет користува пользова інструкц"),
    "about_weak": _cls("можеш можете can do use works бот бота ботом bot ти тобою ты тобой хто кто who this це цим"),
    # a person, please
    "human": _cls("human operator agent person", "оператор людин человек живий живою живим живой живым консультант"
                  " менеджер адміністратор администратор"),
    "talk": _cls("talk speak connect person someone real", "поговор говорит розмов зєдна соедин звяз связ поклич позов"),
    # greetings and thanks
    "greeting": _cls("привіт привет вітаю хай hello hi hey good morning afternoon evening доброго добрий добрый "
                     "день дня ранку ранок вечір вечора утро утра вечер доброе", "здраст здравств здоров"),
    "thanks": _cls("спс thx", "дяку дякс спасиб спасіб thank благодар"),
    "thanks_filler": _cls("за so much very lot все всё ясно зрозуміло понятно ок окей добре велике большое щиро "
                          "дуже очень", "допомог помощ відповід ответ інформац информац help"),
}
SHORT_MESSAGE = 10  # longer messages are a story: only the status look-up and "a person" are recognised


@dataclass(frozen=True)
class Intent:
    name: str | None  # see the module docstring
    contact_topic: str | None = None
    app_number: str | None = None


def _match(form: str, cls: WordClass) -> bool:
    if form in cls.words:
        return True
    for p in cls.prefixes:
        if form.startswith(p):
            return True
        n = len(p)
        # One typo, not in the first letter (people rarely miss it; «побратися» is not «добратися»).
        if n >= 5 and len(form) >= n - 1 and form[0] == p[0] and min(Levenshtein.distance(form[:k], p, score_cutoff=1) for k in (n - 1, n, n + 1)) <= 1:
            return True
    return False


@lru_cache(maxsize=50_000)
def word_classes(token: str) -> frozenset[str]:
    """Classes of one lower-cased token, as typed or (Latin) as transliterated Ukrainian."""
    forms = [fold(token)]
    if token.isascii() and token.isalpha():
        forms += [fold(v) for v in transliterate_word_variants(token, limit=4)]
    return frozenset(name for name, cls in CLASSES.items() if any(_match(f, cls) for f in forms))


def _content(tokens: list[str], classes: list[frozenset[str]], explained: set[str]) -> list[str]:
    """Tokens that ask for something else than the classes in `explained` do."""
    return [t for t, c in zip(tokens, classes) if not (c & explained) and not is_stop_word(t) and not is_filler(t)]


def _contact_topic(has: set[str]) -> tuple[bool, str | None]:
    strong = [t for t in ("address", "hours", "phone", "route") if t in has]
    if len(strong) == 1:
        return True, strong[0]
    if len(strong) > 1 or "contacts" in has:
        return True, None
    weak = [t for t in ("address", "hours", "route") if t + "_weak" in has]
    if weak and ("cnap" in has or "you" in has):
        return True, weak[0] if len(weak) == 1 else None
    return False, None


def detect_intent(text: str) -> Intent:
    """The intent of a cleaned message (Intent(None) when it is a search)."""
    number = find_app_number(text)
    if number:
        return Intent("status-lookup", app_number=number)
    tokens = tokenize(text)
    if not tokens:
        return Intent(None)
    classes = [word_classes(t) for t in tokens]
    has = set().union(*classes)
    short = len(tokens) <= SHORT_MESSAGE

    if "human" in has:
        rest = _content(tokens, classes, {"human", "talk", "about_weak", "you", "cnap"})
        if not rest or "talk" in has or "about_weak" in has:
            return Intent("human")
    if not short:
        return Intent(None)

    is_contact, topic = _contact_topic(has)
    if is_contact:
        explained = {"cnap", "you", "contacts", "contact_filler", "address", "address_weak", "hours", "hours_weak",
                     "phone", "route", "route_weak"}
        if not _content(tokens, classes, explained):
            return Intent("cnap-contacts", contact_topic=topic)

    # «що ви вмієте», «help»; or two words of the weak kind: «що ти можеш», «що це за бот», «хто ти».
    weak = sum(1 for c in classes if c & {"about_weak", "you"})
    if "about" in has or weak >= 2:
        if not _content(tokens, classes, {"about", "about_weak", "you", "cnap"}):
            return Intent("about-bot")

    if "thanks" in has and not _content(tokens, classes, {"thanks", "thanks_filler", "greeting", "you"}):
        return Intent("thanks")
    if "greeting" in has and not _content(tokens, classes, {"greeting", "you"}):
        return Intent("greeting")
    return Intent(None)


__all__ = ["Intent", "detect_intent", "word_classes", "CLASSES"]
