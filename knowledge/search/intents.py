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
    "cnap": _cls("цнап цнапу цнапі цнапа cnap tsnap центр центру центрі центра office офіс офісу офісі офис офиса "
                 "надання предоставления послуг услуг", "цнап адмінцентр адмінпослуг адміністративн административн"),
    "you": _cls("ви вас вам ваш ваша ваше ваші вами вы you your yours u ur"),
    # contact topics; *_weak words count only together with a subject
    "address": _cls("address location street", "адрес знаходит знаходят розташ находит располож locat вулиц улиц"),
    "address_weak": _cls("де где where куди куда знайти найти find"),
    # («зачиняєтесь» as whole words: its prefix with a typo would take «зайнятості»)
    "hours": _cls("hours open opening schedule saturday sunday monday tuesday wednesday thursday friday середу середа "
                  "среду среда зачиняєтесь зачиняєтеся зачиняється зачиняєте зачиняються зачиняетесь", "графік график розклад расписан режим годин "
                  "субот суббот неділ воскресен вихідн выходн перерв обід відчиня відкриваєт открывает понеділ понедельн "
                  "вівтор вторник четвер пятниц пʼятниц п'ятниц"
                  " закриваєт закрываете котрої котрій которого"),
    "hours_weak": _cls("work working коли когда when час time", "працює працюєт працюют работает работаете работают "
                       "відкрит открыт"),
    # coming over: an hours question when asked with a time («в який час можна прийти»)
    "come": _cls("прийти прийду прийдемо приходити приходить підійти подійти подойти прийдти come"),
    "phone": _cls("phone call", "телефон дзвонит подзвон звонит позвон"),
    "phone_weak": _cls("number номерок", "номер"),
    "route": _cls("directions route", "доїхат доїжджа дістат добират добрат доехат проїхат проехат маршрут"),
    "route_weak": _cls("get reach пройти автобус автобусом маршрутка маршруткою транспорт bus їде їхати їдуть едет ехать "
                       "ходить ходит"),
    "contacts": _cls("contact contacts", "контакт"),
    # words that belong to a contact question without asking for anything else
    "contact_filler": _cls("today tomorrow now без без with without можна можно наперед заранее місті селі громаді "
                           "городе селе нашій нашому нашем нашей", "робот работ прийом прием сьогодн сегодн завтра зараз"),
    # the bot itself
    "about": _cls("help хелп start menu меню допоможіть допоможи помогите помогіть",
                  "вмієш вмієте умієш умієте умееш умеет користува пользова інструкц"),
    "about_weak": _cls("можеш можете can do use works бот бота ботом bot ти тобою ты тобой хто кто who this це цим "
                       "тут here робити зробити делать сделать розумію понимаю understand не not", "працює работает"),
    # a person, please
    "human": _cls("human operator agent person ким кем whom", "оператор людин человек живий живою живим живой живым консультант"
                  " менеджер адміністратор администратор"),
    "talk": _cls("talk speak connect person someone real кимось кем-то", "поговор говорит розмов зєдна соедин звяз связ поклич позов"),
    # greetings and thanks
    "greeting": _cls("привіт привет вітаю хай hello hi hey good morning afternoon evening доброго добрий добрый "
                     "день дня ранку ранок вечір вечора утро утра вечер доброе", "здраст здравств здоров"),
    "thanks": _cls("спс thx", "дяку дякс спасиб спасіб thank благодар"),
    "thanks_filler": _cls("за so much very lot все всё ясно зрозуміло понятно ок окей добре велике большое щиро "
                          "дуже очень", "допомог помощ відповід ответ інформац информац help"),
}
SHORT_MESSAGE = 10  # longer messages are a story: only the status look-up and "a person" are recognised ...
SHORT_CONTENT = 6  # ... unless this many words or fewer remain without greetings, thanks and polite words


@dataclass(frozen=True)
class Intent:
    name: str | None  # see the module docstring
    contact_topic: str | None = None
    app_number: str | None = None


def _prefix_matches(form: str, p: str) -> bool:
    if form.startswith(p):
        return True
    n = len(p)
    # One typo, not in the first letter (people rarely miss it; «побратися» is not «добратися»).
    return n >= 5 and len(form) >= n - 1 and min(
        Levenshtein.distance(form[:k], p, score_cutoff=1) for k in (n - 1, n, n + 1)) <= 1


# Whole words and prefixes by first letter, over all classes: a word is compared with the prefixes that
# start as it does (both a prefix match and a typo need the same first letter), not with all of them.
_WORDS: dict[str, set[str]] = {}
_PREFIXES: dict[str, list[tuple[str, str]]] = {}
for _name, _cls_ in CLASSES.items():
    for _w in _cls_.words:
        _WORDS.setdefault(_w, set()).add(_name)
    for _p in _cls_.prefixes:
        _PREFIXES.setdefault(_p[0], []).append((_name, _p))


def _classes_of_form(form: str) -> set[str]:
    found = set(_WORDS.get(form, ()))
    for name, p in _PREFIXES.get(form[:1], ()):
        if name not in found and _prefix_matches(form, p):
            found.add(name)
    return found


@lru_cache(maxsize=50_000)
def word_classes(token: str) -> frozenset[str]:
    """Classes of one lower-cased token, as typed or (Latin) as transliterated Ukrainian."""
    forms = [fold(token)]
    if token.isascii() and token.isalpha():
        forms += [fold(v) for v in transliterate_word_variants(token, limit=4)]
    return frozenset().union(*(_classes_of_form(f) for f in forms))


@lru_cache(maxsize=50_000)
def _says_nothing(token: str) -> bool:
    """A stop word or a filler, as typed or (Latin) as transliterated («chy» = «чи»)."""
    if is_stop_word(token) or is_filler(token):
        return True
    if token.isascii() and token.isalpha():
        return any(is_stop_word(v) or is_filler(v) for v in transliterate_word_variants(token, limit=4))
    return False


def _content(tokens: list[str], classes: list[frozenset[str]], explained: set[str],
             skip: frozenset[int] = frozenset()) -> list[str]:
    """Tokens that ask for something else than the classes in `explained` do (`skip`: positions explained anyway)."""
    return [t for i, (t, c) in enumerate(zip(tokens, classes))
            if i not in skip and not (c & explained) and not _says_nothing(t)]


def _contact_topic(has: set[str], counts: dict[str, int]) -> tuple[bool, str | None]:
    strong = [t for t in ("address", "hours", "phone", "route") if t in has]
    if len(strong) == 1:
        return True, strong[0]
    if len(strong) > 1 or "contacts" in has:
        return True, None
    # Weak words need a subject («де ви», «ваш номер»), or a second word of the same topic
    # («в який час можна прийти»: a time and coming over).
    subject = "cnap" in has or "you" in has
    weak = [t for t in ("address", "hours", "phone", "route")
            if counts.get(t + "_weak", 0) and (subject or counts[t + "_weak"] + (t == "hours") * counts.get("come", 0) >= 2)]
    if weak:
        return True, weak[0] if len(weak) == 1 else None
    return False, None


# After these, a route question names where the person comes from («з вокзалу», «від автостанції»).
_FROM = frozenset(fold(w) for w in "з із зі від од от from".split())
_POLITE = {"greeting", "thanks", "thanks_filler"}


def _origins(tokens: list[str]) -> frozenset[int]:
    """Positions of the one or two words after «з / від / from» (a place the person sets off from)."""
    out: set[int] = set()
    for i, t in enumerate(tokens):
        if fold(t) not in _FROM:
            continue
        taken = 0
        for j in range(i + 1, len(tokens)):
            if taken == 2 or fold(tokens[j]) in _FROM:
                break
            out.add(j)
            taken += not _says_nothing(tokens[j])
    return frozenset(out)


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
    counts: dict[str, int] = {}
    for c in classes:
        for name in c:
            counts[name] = counts.get(name, 0) + 1
    # Greetings, thanks and polite words do not make a message a story.
    said = [t for t, c in zip(tokens, classes) if not (c & _POLITE) and not is_stop_word(t) and not is_filler(t)]
    short = len(tokens) <= SHORT_MESSAGE or len(said) <= SHORT_CONTENT

    if "human" in has or counts.get("talk", 0) >= 2:
        rest = _content(tokens, classes, {"human", "talk", "about_weak", "you", "cnap"})
        if not rest or "talk" in has or "about_weak" in has:
            return Intent("human")
    if not short:
        return Intent(None)

    is_contact, topic = _contact_topic(has, counts)
    if is_contact:
        explained = {"cnap", "you", "contacts", "contact_filler", "address", "address_weak", "hours", "hours_weak",
                     "come", "phone", "phone_weak", "route", "route_weak"} | _POLITE
        skip = _origins(tokens) if topic in ("route", None) and ("route" in has or "route_weak" in has) else frozenset()
        if not _content(tokens, classes, explained, skip):
            return Intent("cnap-contacts", contact_topic=topic)

    # «що ви вмієте», «help»; or two words of the weak kind: «що ти можеш», «що це за бот», «хто ти».
    weak = sum(1 for c in classes if c & {"about_weak", "you"})
    if "about" in has or weak >= 2:
        if not _content(tokens, classes, {"about", "about_weak", "you", "cnap"} | _POLITE):
            return Intent("about-bot")

    if "thanks" in has and not _content(tokens, classes, {"thanks", "thanks_filler", "greeting", "you"}):
        return Intent("thanks")
    if "greeting" in has and not _content(tokens, classes, {"greeting", "you"}):
        return Intent("greeting")
    return Intent(None)


__all__ = ["Intent", "detect_intent", "word_classes", "CLASSES"]
