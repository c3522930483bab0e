"""`run_bot.py qr OFFICE_ID --out poster.pdf`: a print-ready feedback poster with QR code(s).

Scanning a code opens the bot (Telegram or Viber) straight in the office's survey.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

NAME = "qr"
HELP = "print-ready feedback poster (PNG, SVG or PDF) with QR codes for an office"
ORDER = 80


def add_arguments(parser) -> None:
    parser.add_argument("office", metavar="OFFICE_ID", help="office id from offices.yaml")
    parser.add_argument("--service", default=None, help="service id: the survey is tagged with this service")
    parser.add_argument("--window", default=None, help="service window (1–8 letters or digits), e.g. 3")
    parser.add_argument("--channel", action="append", default=None, metavar="NAME",
                        help="which messenger (telegram, viber; repeat for several, or 'both'); default: every one "
                             "configured (TELEGRAM_BOT_USERNAME, VIBER_BOT_URI)")
    parser.add_argument("--out", type=Path, default=None, help="file to write; .png, .svg or .pdf (default: poster-OFFICE.pdf)")
    parser.add_argument("--format", choices=["png", "svg", "pdf"], default=None, help="default: from --out")
    parser.add_argument("--lang", choices=["uk", "en"], default="uk", help="language of the poster (default uk)")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def run(args, settings) -> int:
    from bot.app import CHANNELS
    from bot.features.feedback.links import Target, make_payload
    from bot.features.feedback.poster import FORMATS, PosterCode, make_poster
    from bot.features.feedback.surveys import SurveyError, get_surveys
    from bot.links import DeepLinks
    from knowledge.loader import DATA_DIR, load_kb

    kb = load_kb(settings.kb_dir or DATA_DIR, strict=False)
    office = kb.offices.get(args.office)
    if office is None:
        return _fail(f"Unknown office {args.office!r}; offices: {', '.join(kb.offices)}")
    if args.service and args.service not in kb.services:
        return _fail(f"Unknown service {args.service!r} (ids are the file names in services/)")
    try:
        survey = get_surveys(settings.kb_dir).for_target(office.id, args.service, args.window)
        payload = make_payload(Target(office.id, args.service, args.window))
    except (SurveyError, ValueError) as exc:
        return _fail(str(exc))
    if survey is None:
        return _fail(f"No survey is attached to {office.id!r}: add it to a survey's `attach:` list")

    titles = {c.name: getattr(c, "title", c.name.title()) for c in CHANNELS}
    links = DeepLinks(CHANNELS, settings).urls(payload)  # only channels whose link a phone can open
    asked = [n for a in (args.channel or []) for n in (("telegram", "viber") if a == "both" else (a,))]
    unknown = [n for n in asked if n not in titles]
    if unknown:
        return _fail(f"Unknown channel(s): {', '.join(unknown)}; channels: {', '.join(titles)}")
    wanted = asked or list(links)
    missing = [n for n in wanted if n not in links]
    if missing or not wanted:
        return _fail("Set TELEGRAM_BOT_USERNAME (the bot's @username) and/or VIBER_BOT_URI (the bot's URI) "
                     f"in the environment or .env; missing for: {', '.join(missing) or 'telegram, viber'}")
    codes = []
    for name in wanted:
        link = links[name]
        hint = link.removeprefix("https://").split("?")[0] if link.startswith("https://") else ""
        codes.append(PosterCode(titles[name], link, hint))

    out = args.out or Path(f"poster-{office.id}.{args.format or 'pdf'}")
    fmt = args.format or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        return _fail(f"Cannot tell the format from {out.name!r}: use .png, .svg or .pdf, or --format")
    lang = args.lang
    note = survey.poster_note.get(lang) if survey.poster_note else ""
    started = time.perf_counter()
    data = make_poster(fmt, heading=kb.community.name.get(lang), office=office.name.get(lang),
                       call_to_action=survey.call_to_action.get(lang), note=note, codes=codes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"Poster for {office.id} ({survey.id} survey): {out} ({fmt.upper()}, A4, "
          f"{len(data) // 1024} KB, {time.perf_counter() - started:.1f} s)")
    print(f"Payload: {payload}")
    for code in codes:
        print(f"  {code.label}: {code.link}")
    return 0
