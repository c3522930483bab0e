"""Words that say nothing about *which* service a person needs.

Two lists, on purpose:

* STOP_WORDS are dropped: pronouns, prepositions, question words, politeness
  («як, де, що, мені, хочу, будь ласка»). They are matched on the word as
  typed, not on its lemma, so «мати» (mother) is never lost because «маю»
  (I have) is a stop word.
* WEAK_WORDS are kept with a small weight: verbs that fit every service
  («оформити, отримати, зробити, подати, стати»), words for "a problem, a
  question" and for the place where everything happens («місто, село, громада»). Dropping them would make
  «зняти з реєстрації» and «реєстрація» the same query; keeping them at full
  weight would let the word «оформлення» in a title outrank the real topic.

Two more classes for long, chatty messages (weight 0 in the search, and
"nothing else asked" for the intents):

* FILLER_WORDS: greetings, apologies, discourse markers of dictated text,
  signature formulas («шановні, вибачте, короче, значить, з повагою»);
* CONTEXT_WORDS: what a question asks *about* a service rather than which
  one («скільки коштує, як довго, терміново, вчора, минулого тижня»), so
  that in «скільки коштує паспорт» the word «паспорт» decides.

Negations and «без» are NOT stop words: «без судимості», «не перебуває».
All entries are written in Ukrainian letters and compared after `fold`.
"""

from __future__ import annotations

from knowledge.search.normalize import fold

_UK_STOP = """
як де що щоб шо коли куди чи і й та а але або бо в у на до з із зі зо за по про для від од о об при під над
це цей ця ці цього того той та те ті тому там тут ось от то ж же би б ну просто також теж дуже тобто
мені мене мій моя моє мої моїй моєї моєму моїм моїх мною я ми нам нас наш наша наше наші нами
ти тобі тебе твій твоя ви вам вас ваш ваша ваше ваші він вона воно вони його її їх їм їй йому ним ній них
свій своя своє свої своїй свого собі себе
хочу хочемо хоче хотів хотіла хотіли хотілося хотілось хотів би треба потрібно потрібен потрібна потрібні необхідно
можна можу може можемо могли міг могла маю маємо має є був була було були буде будуть бути
вже ще так будь ласка будьласка підкажіть підкажи скажіть скажи поясніть порадьте дякую привіт вітаю
добрий добрий день доброго дня
який яка яке які якого якої якому яку якій яким яких хто кому кого чому чого навіщо звідки скільки куди кудись
весь вся все всі всього всю усі усе кожен кожна інший інша інше інші іншу іншого іншої іншому інших іншим
нужно нада надо
"""

_RU_STOP = """
как где что чтобы когда куда ли и а но или в во на до с со за по про для от о об при под над
это этот эта эти этого тот та те то там тут вот же бы ну просто тоже также очень
мне меня мой моя мое моё мои моей моего моему моим моих мной я мы нам нас наш наша наше наши
ты тебе тебя твой вы вам вас ваш он она оно они его ее её их им ей ему ним ней них свой своя свое свои себе себя
хочу хотим хочет хотел хотела хотели надо нужно нужен нужна нужны необходимо
можно могу может можем мог могла имею есть был была было были будет быть
уже еще ещё так пожалуйста подскажите подскажи скажите скажи объясните спасибо здравствуйте привет
какой какая какое какие какого какую каким кто кому кого почему зачем откуда сколько
весь вся все всего каждый другой
"""

_EN_STOP = """
how where what which who whom when why i me my mine we us our you your he she it its they them their this that these those
to a an the of for in on at by with from about into do does did done can could would should will shall may might must
need needs needed want wants wanted like please is are am was were be been being have has had and or but if so
there here some any just also very help hello hi thanks thank ok okay yes no
ок окей ага угу
"""

_FILLER = """
шановні шановний шановна шановне вибачте вибачаюсь вибачаюся перепрошую извините простите sorry excuse
алло ало слухайте слушайте слухай короче кароче значить значит типу типа ніби наче вообще взагалі власне собственно
повагою уважением regards sincerely dear kind
привіт привет вітаю здрастуйте здравствуйте здраствуйте добрий доброго добрый доброе день дня вечір вечора ранку утра вечера
дякую дякуємо спасибі спасибо благодарю thanks thank пожалуйста будь ласка please
турбую турбуємо турботу беспокою беспокойство хелло hello hi hey
дайте дай give pls plz прошу просимо прошу-прошу
"""

_CONTEXT = """
скільки сколько коштує коштуватиме коштують стоит стоимость вартість ціна цена цін платно безкоштовно бесплатно
cost costs price fee much long
довго долго швидко быстро терміново срочно urgent urgently quickly
вчора вчера сьогодні сегодня завтра позавчора минулого минулий прошлой прошлого наступного следующей тижня тиждень неделе неделю
зараз сейчас тепер теперь потім потом раніше раньше
розглядають розглядає розглядати рассматривают чекати ждать чекаю жду робиться делается готується готовится триває длится
"""

# Set phrases whose words mean something on their own but nothing together.
_STOP_PHRASES = """
як справи
как дела
як ся маєш
що нового
"""

_WEAK = """
оформити оформлення оформляти оформить оформление отримати отримання одержати одержання получити получить получение
зробити робити сделать делать дати давати дали дав дала дадуть дать дали дайте
хотіти хотеть дізнатися дізнатись узнати узнать дізнаватися подивитися посмотреть знайти найти
подати подання подавати подать подача взяти брати послуга послуги услуга
допомогти допоможіть помочь помогите заява заявление документ документи
get getting apply applying application make service services do obtain obtaining issue issuing
стати стать становиться become became becoming got
проблема проблеми проблем проблемою проблемы питання вопрос вопросы ситуація ситуацію ситуация ситуацию
problem problems issue issues question questions
місто міста місті город города городе село села селі громада громади громаді
йти іти піти ходити прийти приходити підійти звернутися звертатися идти пойти обратиться обращаться go come
знати знать know розуміти понимать understand казати сказати говорити сказать говорить say tell
питати спитати запитати спросить ask уточнити уточнить
положено положена положені належить належать полагается положены entitled eligible
платити платить pay paid
"""


def _fold_set(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


# English words of three letters or more that Ukrainian in Latin letters does not use: two of them in a
# message mean English prose, never a keyboard-layout slip (variants.py).
ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset(
    w for w in _EN_STOP.split() if w.isascii() and len(w) >= 3 and w not in {"she", "may", "mine"})
STOP_WORDS: frozenset[str] = _fold_set(_UK_STOP) | _fold_set(_RU_STOP) | _fold_set(_EN_STOP)
WEAK_WORDS: frozenset[str] = _fold_set(_WEAK)
FILLER_WORDS: frozenset[str] = _fold_set(_FILLER)
CONTEXT_WORDS: frozenset[str] = _fold_set(_CONTEXT)
STOP_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(fold(w) for w in line.split()) for line in _STOP_PHRASES.strip().splitlines()
)
_MAX_PHRASE = max(len(p) for p in STOP_PHRASES)
WEAK_WEIGHT = 0.25


def is_stop_word(token: str) -> bool:
    """`token` as typed (lower case). Compared after `fold`."""
    return fold(token) in STOP_WORDS


def is_filler(token: str) -> bool:
    """A greeting, apology, discourse marker or signature formula (as typed, lower case)."""
    return fold(token) in FILLER_WORDS


def is_context_word(token: str) -> bool:
    """A word about the price, time or urgency of a need, not about which service."""
    return fold(token) in CONTEXT_WORDS


def drop_stop_phrases(tokens: list[str] | tuple[str, ...]) -> list[str]:
    """Remove set phrases such as «як справи» from a token sequence."""
    folded = [fold(t) for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(_MAX_PHRASE, 1, -1):
            if tuple(folded[i : i + n]) in STOP_PHRASES:
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def word_weight(token: str, lemmas: tuple[str, ...] = ()) -> float:
    """1.0 for a meaningful word, WEAK_WEIGHT for a generic verb, 0 for a stop, filler or context word."""
    f = fold(token)
    if f in STOP_WORDS or f in FILLER_WORDS or f in CONTEXT_WORDS:
        return 0.0
    if fold(token) in WEAK_WORDS or any(fold(lemma) in WEAK_WORDS for lemma in lemmas):
        return WEAK_WEIGHT
    return 1.0


__all__ = [
    "STOP_WORDS", "STOP_PHRASES", "WEAK_WORDS", "WEAK_WEIGHT", "FILLER_WORDS", "CONTEXT_WORDS",
    "is_stop_word", "is_filler", "is_context_word", "drop_stop_phrases", "word_weight",
]
