"""Names the Telegram plug-in and its adapter share (kept apart so neither imports the other)."""

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
