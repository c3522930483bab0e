"""Names the Viber plug-in and its adapter share (kept apart so the plug-in need not import viberbot)."""

CHANNEL = "viber"
WEBHOOK_PATH = "/viber/webhook"
EVENT_TYPES = ["conversation_started", "subscribed", "unsubscribed", "delivered", "seen", "failed"]
