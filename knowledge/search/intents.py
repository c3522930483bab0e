"""Messages that are not a search for a service: answered from data, not from a service card.

* ``status-lookup`` — an application number anywhere in the text (structured.py), or a question about
  one's application without it («чи готові мої документи»: the look-up then asks for the number);
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

Two passes (engine.py): strict before the search; when the search then finds
nothing, a lenient one where a weak cue alone will do («куди йти?», «how to
get there») — the alternative is "I don't know".
"""

from __future__ import annotations

import re
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
    # who is asked about: the CNAP, or "you" (the bot / the office behind it); see also _addresses_you()
    "cnap": _cls("цнап цнапу цнапі цнапа cnap tsnap центр центру центрі центра office офіс офісу офісі офис офиса "
                 "надання предоставления послуг услуг приміщення приміщенні помещение помещении будівля будівлі "
                 "здание здании установа установі учреждение", "цнап адмінцентр адмінпослуг адміністративн "
                 "административн відділен отделени філія філії филиал"),
    "you": _cls("ви вас вам ваш ваша ваше ваші вами вы you your yours u ur вашому вашем будете будешь"),
    # contact topics; *_weak words count only together with a subject (or when the search found nothing)
    "address": _cls("address location street map карті карта карте мапа мапі приміщенні здании будівлі помещении",
                    "адрес знаходит знаходят розташ находит располож locat вулиц улиц"),
    "address_weak": _cls("де где where куди куда знайти найти find філія філії филиал відділення"),
    # («зачиняєтесь» as whole words: its prefix with a typo would take «зайнятості»)
    "hours": _cls("hours open opening schedule saturday sunday monday tuesday wednesday thursday friday holidays "
                  "середу середа среду среда зачиняєтесь зачиняєтеся зачиняється зачиняєте зачиняються зачиняетесь "
                  "відкриті открыты відкрито открыто вихідні вихідних вихідний вихідна выходные выходных выходной "
                  "выходные", "графік график розклад расписан режим годин субот суббот "
                  "неділ воскресен перерв обід відчиня відкриваєт открывает понеділ понедельн вівтор "
                  "вторник четвер пятниц пʼятниц п'ятниц закриваєт закрываете котрої котрій которого святков праздн "
                  "вечірн вечерн"),
    "hours_weak": _cls("work working коли когда when час часу time скільки сколько скольки працюючих работающих",
                       "працює працюєт працюют работает работаете работают працюват работат відкрит открыт приймає "
                       "приймают принимает принимают"),
    # coming over: an hours question when asked with a time («в який час можна прийти»)
    "come": _cls("прийти прийду прийдемо приходити приходить підійти подійти подойти прийдти come йти іти идти"),
    "phone": _cls("phone call hotline viber вайбер вайбері телеграм telegram", "телефон дзвонит подзвон звонит "
                  "позвон зателефон гаряч горяч"),
    "phone_weak": _cls("number номерок", "номер"),
    "route": _cls("directions route parking ramp зупинці зупинка зупинки остановка остановке пандус пандуса "
                  "вхід входу вход входа entrance поверх поверсі поверху этаж этаже floor ліфт лифт lift elevator "
                  "орієнтир ориентир landmark",
                  "доїхат доїжджа дістат добират добрат доехат проїхат проехат маршрут парковк паркув парков"),
    "route_weak": _cls("get reach there пройти автобус автобусом маршрутка маршруткою bus їде їхати їдуть едет ехать "
                       "ходить ходит идет пішки пешком walk виходити выходить", "транспорт"),
    "contacts": _cls("contact contacts контакт контакти контактів контакты контактов контактах контактна контактная "
                     "email e-mail мейл емейл імейл имейл",
                     "зв'язат звʼязат звязат связат"),
    # words that belong to a contact question without asking for anything else
    "contact_filler": _cls("today tomorrow now без with without можна можно наперед заранее місті селі громаді "
                           "городе селе нашій нашому нашем нашей зранку утром вранці дні дни days громадян граждан "
                           "даремно зря точну точный точна довідок справок лінії линии для інформація информация "
                           "контактний контактный контактного контактну про о about каком якому якій какой не not "
                           "біля возле near поруч рядом візку візок коляска wheelchair к до to",
                           "робот работ прийом прием сьогодн сегодн завтра зараз"),
    # the bot itself
    # (the commands people know from other bots: «старт», «головне меню», «допомога»)
    "about": _cls("help хелп start menu меню допоможіть допоможи помогите помогіть допомога помощь старт начать "
                  "команди команды commands",
                  "вмієш вмієте умієш умієте умееш умеет користува пользова інструкц"),
    "about_weak": _cls("можеш можете can do use works бот бота ботом bot ти тобою ты тобой хто кто who this це цим "
                       "тут here робити зробити делать сделать розумію понимаю understand не not чат chat робот "
                       "для чого навіщо зачем запитати спитати спросить ask знаєш знаешь know шукати искать search "
                       "зрозуміло понятно поясніть объясните explain послуги услуги допомогти помочь тебе тобі тебя "
                       "нічого ничего чим чем work does головне главное main",
                       "працює работает"),
    # a person, please
    "human": _cls("human operator agent person ким кем whom жива живий живой жив", "оператор людин человек живий "
                  "живою живим живой живым консультант менеджер адміністратор администратор працівник працівниц "
                  "передзвон перезвон перетелефон "
                  "работник сотрудник співробітн спеціаліст специалист фахів specialist employee staff"),
    "talk": _cls("talk speak connect person someone somebody real кимось кем-то когось кого-нибудь хтось кто-то "
                 "write написати написать", "поговор говорит розмов зєдна соедин звяз связ поклич позов переключ"),
    # an application's status, asked without its number
    "status": _cls("status", "статус стан состояни етап этап розгляну рассмотр готов"),
    "application": _cls("application справа справи дело мої мою моя моє моєю мое моё моего моей моим my",
                        "заяв заявк звернен обращени документ подавал подала подав"),
    "check": _cls("перевірити перевірте перевір проверить проверьте check дізнатися дізнатись узнать track"),
    "status_filler": _cls("тиждень тижні неделю неделе місяць місяці месяц днів дней тому назад вже уже ще еще досі "
                          "коли когда буде будет відповідь відповіді ответ ответа which what"),
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
    # One typo, not in the first letter (people rarely miss it; «побратися» is not «добратися»); in a
    # five-letter prefix only in its last letter («робоо…» is «робот…», «похов…» is not «позов…»).
    if n < 5 or (n == 5 and form[:4] != p[:4]):
        return False
    # One edit at or after the second letter leaves either the second and third letters or the fourth and
    # fifth (shifted by at most one) in place: a cheap test before the edit distance.
    if form[1:3] != p[1:3] and p[3:5] not in form[2:6]:
        return False
    return len(form) >= n - 1 and min(
        Levenshtein.distance(form[:k], p, score_cutoff=1) for k in (n - 1, n, n + 1)) <= 1


# Whole words and prefixes by first letter, over all classes: a word is compared with the prefixes that
# start as it does (both a prefix match and a typo need the same first letter), not with all of them.
def _by_first_letter() -> tuple[dict[str, set[str]], dict[str, list[tuple[str, str]]]]:
    words: dict[str, set[str]] = {}
    prefixes: dict[str, list[tuple[str, str]]] = {}
    for name, cls in CLASSES.items():
        for w in cls.words:
            words.setdefault(w, set()).add(name)
        for p in cls.prefixes:
            prefixes.setdefault(p[0], []).append((name, p))
    return words, prefixes


_WORDS, _PREFIXES = _by_first_letter()


def _classes_of_form(form: str) -> set[str]:
    found = set(_WORDS.get(form, ()))
    for name, p in _PREFIXES.get(form[:1], ()):
        if name not in found and _prefix_matches(form, p):
            found.add(name)
    return found


# A verb in the second person plural or an imperative addresses "you" as «ви» does: «працюєте»,
# «відкриваєтесь», «скажіть», «дайте», «работаете», «подскажите».
_YOU_ENDINGS = tuple(fold(e) for e in "єте єтесь єтеся аете аетесь яете уете іть йте ите ьте".split())


def _addresses_you(form: str) -> bool:
    return len(form) >= 5 and not form.isascii() and form.endswith(_YOU_ENDINGS)


@lru_cache(maxsize=50_000)
def word_classes(token: str) -> frozenset[str]:
    """Classes of one lower-cased token, as typed or (Latin) as transliterated Ukrainian."""
    forms = [fold(token)]
    if token.isascii() and token.isalpha():
        forms += [fold(v) for v in transliterate_word_variants(token, limit=4)]
    found = set().union(*(_classes_of_form(f) for f in forms))
    if any(_addresses_you(f) for f in forms):
        found.add("you")
    return frozenset(found)


@lru_cache(maxsize=50_000)
def _says_nothing(token: str) -> bool:
    """A stop word or a filler, as typed or (Latin) as transliterated («chy» = «чи»)."""
    if is_stop_word(token) or is_filler(token):
        return True
    if token.isascii() and token.isalpha():
        return any(is_stop_word(v) or is_filler(v) for v in transliterate_word_variants(token, limit=4))
    return False


def clear_caches() -> None:
    """Forget the word classes seen so far (benchmarks time words as if new)."""
    word_classes.cache_clear()
    _says_nothing.cache_clear()


def _content(tokens: list[str], classes: list[frozenset[str]], explained: set[str],
             skip: frozenset[int] = frozenset()) -> list[str]:
    """Tokens that ask for something else than the classes in `explained` do (`skip`: positions explained anyway)."""
    return [t for i, (t, c) in enumerate(zip(tokens, classes))
            if i not in skip and not (c & explained) and not _says_nothing(t)]


def _contact_topic(has: set[str], counts: dict[str, int], lenient: bool) -> tuple[bool, str | None]:
    strong = [t for t in ("address", "hours", "phone", "route") if t in has]
    if "contacts" in has or len(strong) > 1:
        return True, None
    if strong:
        return True, strong[0]
    # Weak words need a subject («де ви», «ваш номер»), or a second word of the same topic
    # («в який час можна прийти»: a time and coming over; «куди йти»: a place and going); when the search
    # found nothing, one is enough.
    subject = "cnap" in has or "you" in has
    come = counts.get("come", 0)
    if lenient and come and not any(counts.get(t + "_weak") for t in ("address", "route")):
        counts = {**counts, "hours_weak": counts.get("hours_weak", 0) + come}  # «о 17:30 ще можна прийти?»
    weak = [t for t in ("address", "hours", "phone", "route")
            if counts.get(t + "_weak", 0)
            and (subject or lenient or counts[t + "_weak"] + (t in ("hours", "address")) * come >= 2)]
    if weak:
        return True, weak[0] if len(weak) == 1 else None
    if "cnap" in has:  # the CNAP named and nothing else asked: all of its contacts
        return True, None
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


# «…, бо я не місцева», «…, because I am new here»: the reason why does not change what is asked.
_REASON = frozenset(fold(w) for w in "бо оскільки because since потому".split())


def _before_reason(tokens: list[str]) -> list[str]:
    for i, t in enumerate(tokens[1:], start=1):
        if fold(t) in _REASON:
            return tokens[:i]
    return tokens


# The words that make each intent: a message that asks for a service too is searched without them
# («графік роботи цнапу, хочу подати на субсидію» -> «, хочу подати на субсидію»).
INTENT_WORDS: dict[str, frozenset[str]] = {
    "cnap-contacts": frozenset({"cnap", "contacts", "address", "address_weak", "hours", "hours_weak", "come",
                                "phone", "phone_weak", "route", "route_weak", "contact_filler"}),
    "human": frozenset({"human", "talk"}),
}
_TEXT_WORD = re.compile(r"\w[\w'’ʼ-]*")


def without_intent_words(text: str, intent: str | None) -> str:
    """`text` without the words that make `intent` (punctuation kept: clauses.py reads it)."""
    classes = INTENT_WORDS.get(intent or "")
    if not classes:
        return text
    return _TEXT_WORD.sub(lambda m: "" if any(word_classes(t) & classes for t in tokenize(m.group())) else m.group(),
                          text)


def detect_intent(text: str, lenient: bool = False) -> Intent:
    """The intent of a cleaned message (Intent(None) when it is a search).

    `lenient`: the search found nothing, so a weaker cue will do (a topic word without a subject, a
    longer message) — the alternative answer is "I don't know".
    """
    number = find_app_number(text)
    if number:
        return Intent("status-lookup", app_number=number)
    tokens = _before_reason(tokenize(text))
    if not tokens:
        return Intent(None)
    classes = [word_classes(t) | ({"contact_filler"} if t.isdigit() and len(t) <= 2 else set()) for t in tokens]
    has = set().union(*classes)
    counts: dict[str, int] = {}
    for c in classes:
        for name in c:
            counts[name] = counts.get(name, 0) + 1
    # Greetings, thanks and polite words do not make a message a story.
    said = [t for t, c in zip(tokens, classes) if not (c & _POLITE) and not is_stop_word(t) and not is_filler(t)]
    short = len(tokens) <= SHORT_MESSAGE or len(said) <= SHORT_CONTENT + 2 * lenient

    if "human" in has or counts.get("talk", 0) >= 2:
        rest = _content(tokens, classes, {"human", "talk", "about_weak", "you", "cnap"} | _POLITE)
        if not rest:
            return Intent("human")
    if not short:
        return Intent(None)

    # «чи готові мої документи», «статус заяви», «перевірити статус»: the status look-up, asking for the number.
    if ("status" in has and (has & {"application", "check"})) or (lenient and counts.get("application", 0) >= 2):
        if not _content(tokens, classes, {"status", "application", "check", "status_filler", "you"} | _POLITE):
            return Intent("status-lookup")

    is_contact, topic = _contact_topic(has, counts, lenient)
    if is_contact:
        explained = {"cnap", "you", "contacts", "contact_filler", "address", "address_weak", "hours", "hours_weak",
                     "come", "phone", "phone_weak", "route", "route_weak"} | _POLITE
        skip = _origins(tokens) if topic in ("route", None) and ("route" in has or "route_weak" in has) else frozenset()
        if not _content(tokens, classes, explained, skip):
            return Intent("cnap-contacts", contact_topic=topic)

    # «що ви вмієте», «help»; or two words of the weak kind: «що ти можеш», «що це за бот», «хто ти».
    weak = sum(1 for c in classes if c & {"about_weak", "you"})
    if "about" in has or weak >= 2 or (lenient and weak):
        if not _content(tokens, classes, {"about", "about_weak", "you", "cnap"} | _POLITE):
            return Intent("about-bot")

    if "thanks" in has and not _content(tokens, classes, {"thanks", "thanks_filler", "greeting", "you"}):
        return Intent("thanks")
    if "greeting" in has and not _content(tokens, classes, {"greeting", "you"}):
        return Intent("greeting")
    return Intent(None)


__all__ = ["Intent", "detect_intent", "word_classes", "clear_caches", "without_intent_words", "CLASSES", "INTENT_WORDS"]
