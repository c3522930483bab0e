"""Application statuses as people read them (translatable), and the words CNAP files use."""

from __future__ import annotations

from bot.i18n import N_

LABELS = {
    "received": N_("Received"),
    "in_progress": N_("In progress"),
    "needs_documents": N_("Documents needed"),
    "ready": N_("Ready for pickup"),
    "issued": N_("Issued"),
    "refused": N_("Refused"),
}

EXPLAIN = {
    "received": N_("Your application has been received and registered."),
    "in_progress": N_("Your application is being considered. You do not need to do anything now."),
    "needs_documents": N_("More documents are needed before your application can go on. What is missing:"),
    "ready": N_("The result is ready. Please come to pick it up, with your passport."),
    "issued": N_("The result has been issued. The application is closed."),
    "refused": N_("The application was refused. The reason:"),
}

APPEAL = N_(
    "You can appeal a refusal to a higher authority or to the court. The CNAP administrator will explain how, free of charge."
)

# Values accepted in imported files and the API besides the codes themselves.
ALIASES = {
    "прийнято": "received", "отримано": "received", "зареєстровано": "received", "нова": "received",
    "в роботі": "in_progress", "розглядається": "in_progress", "на розгляді": "in_progress", "в обробці": "in_progress",
    "потрібні документи": "needs_documents", "доопрацювання": "needs_documents", "на доопрацюванні": "needs_documents",
    "готово": "ready", "готова": "ready", "готово до видачі": "ready", "можна забрати": "ready",
    "видано": "issued", "видана": "issued", "виконано": "issued", "завершено": "issued",
    "відмовлено": "refused", "відмова": "refused",
    "in progress": "in_progress", "needs documents": "needs_documents", "ready for pickup": "ready",
}


def parse_status(value: str) -> str | None:
    key = " ".join((value or "").strip().lower().replace("_", " ").split())
    code = key.replace(" ", "_")
    if code in LABELS:
        return code
    return ALIASES.get(key)
