"""Small pure pieces: payload encoding, text splitting, log redaction, event parsing."""

from __future__ import annotations

import logging

import pytest

from bot.channels.textsplit import split_text
from bot.core import payloads
from bot.core.events import Incoming
from bot.logging_setup import RedactingFilter


def test_payload_round_trip_and_limits():
    text = payloads.encode("tick", ("registered-on-owner-death-certificate", "12"), "zz9")
    assert len(text.encode()) <= 64
    assert payloads.decode(text) == payloads.Payload("tick", ("registered-on-owner-death-certificate", "12"), "zz9")
    assert payloads.decode("menu") == payloads.Payload("menu")
    with pytest.raises(payloads.PayloadError):
        payloads.encode("svc", ("a" * 70,))
    with pytest.raises(payloads.PayloadError):
        payloads.encode("svc", ("субсидія",))  # ids are ASCII: Cyrillic would eat the 64 bytes
    for bad in ["", "a:b~", "ж", "a b", "x" * 65]:
        with pytest.raises(payloads.PayloadError):
            payloads.decode(bad)
    assert [payloads.to_base36(n) for n in (0, 35, 36, 1295)] == ["0", "z", "10", "zz"]


def test_every_real_service_id_fits_in_the_longest_payload(real_kb):
    for sid in real_kb.services:
        payloads.encode("tick", (sid, "99"), payloads.to_base36(10**9))


def test_split_text_respects_the_limit_and_boundaries():
    text = "\n\n".join(f"Абзац {n}. " + "слово " * 40 for n in range(30))
    parts = split_text(text, 500)
    assert all(0 < len(p) <= 500 for p in parts)
    assert all(p.startswith("Абзац") for p in parts)  # cut between paragraphs
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert split_text("коротко", 4096) == ["коротко"]
    hard = split_text("я" * 10000, 4096)  # no boundary at all: cut hard
    assert [len(p) for p in hard] == [4096, 4096, 1808]
    sentences = split_text("Перше речення. " * 100, 100)
    assert all(p.endswith(".") for p in sentences)


def test_log_redaction_hides_tokens_in_messages_and_tracebacks():
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    flt = RedactingFilter(["viber-secret-token-value"])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "calling %s and %s", (f"https://api/bot{token}/getMe", "viber-secret-token-value"), None)
    assert flt.filter(record)
    assert token not in record.getMessage() and "viber-secret-token-value" not in record.getMessage()
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{token}/sendMessage")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    flt.filter(record)
    assert token not in record.getMessage() and "RuntimeError" in record.getMessage()


@pytest.mark.parametrize(
    ("text", "kind", "command", "payload", "arg"),
    [
        ("/start", "start", "", "", ""),
        ("/start svc_id-card", "start", "", "svc_id-card", ""),
        ("/help", "command", "help", "", ""),
        ("/HELP@hromada_bot", "command", "help", "", ""),
        ("субсидія", "text", "", "", "субсидія"),
        ("  /  ", "text", "", "", "/"),
    ],
)
def test_incoming_from_text(text, kind, command, payload, arg):
    e = Incoming.from_text("telegram", "1", text)
    assert (e.kind, e.command, e.payload) == (kind, command, payload)
    if kind == "text":
        assert e.text == arg
