"""Settings from the environment or a `.env` file (pydantic-settings), checked at start.

Secrets are `SecretStr` so that printing or logging the settings never shows them, and every one
of them is redacted from log lines automatically (`secret_values`). A value that cannot work — a
time zone that does not exist, quiet hours that do not parse — stops the start with a clear
message instead of failing later at the first person who needs it.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

QUIET_HOURS_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{PROJECT_DIR / 'data' / 'hromada.sqlite3'}",
        validation_alias="BOT_DATABASE_URL",
    )
    timezone: str = Field(default="Europe/Kyiv", validation_alias="BOT_TIMEZONE")
    default_lang: str = Field(default="uk", validation_alias="BOT_DEFAULT_LANG")
    log_level: str = Field(default="INFO", validation_alias="BOT_LOG_LEVEL")
    kb_dir: Path | None = Field(default=None, validation_alias="BOT_KB_DIR")

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base: str | None = Field(default=None, validation_alias="TELEGRAM_API_BASE")
    telegram_webhook_secret: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_bot_username: str | None = Field(default=None, validation_alias="TELEGRAM_BOT_USERNAME")  # for t.me links
    viber_bot_uri: str | None = Field(default=None, validation_alias="VIBER_BOT_URI")  # for viber://pa links
    # Viber (bot/handlers/viber): the channel is on when VIBER_AUTH_TOKEN is set.
    viber_auth_token: SecretStr | None = Field(default=None, validation_alias="VIBER_AUTH_TOKEN")
    viber_api_base: str = Field(default="https://chatapi.viber.com/pa", validation_alias="VIBER_API_BASE")
    viber_bot_name: str = Field(default="Громада", min_length=1, max_length=28, validation_alias="VIBER_BOT_NAME")
    viber_bot_avatar: str | None = Field(default=None, validation_alias="VIBER_BOT_AVATAR")  # https URL, ≤ 100 KB
    # Pictures sent on Viber must be fetched by Viber from PUBLIC_URL; they are kept here meanwhile.
    viber_media_dir: Path | None = Field(default=None, validation_alias="VIBER_MEDIA_DIR")
    public_url: str | None = Field(default=None, validation_alias="PUBLIC_URL")
    serve_host: str = Field(default="127.0.0.1", validation_alias="BOT_SERVE_HOST")
    serve_port: int = Field(default=8080, validation_alias="BOT_SERVE_PORT")

    # Keys the hashes of application secrets; set it in production (any long random string).
    secret_key: SecretStr | None = Field(default=None, validation_alias="BOT_SECRET_KEY")
    # What the citizen types to prove an application is theirs: the last 4 digits of the phone
    # given at the CNAP ("phone4"), or a PIN printed on the receipt ("pin").
    status_secret: Literal["phone4", "pin"] = Field(default="phone4", validation_alias="BOT_STATUS_SECRET")
    # Outbound delivery (status notifications, reminders): how often the outbox is polled.
    delivery_poll_seconds: float = Field(default=1.0, validation_alias="BOT_DELIVERY_POLL_SECONDS")
    delivery_lease_seconds: float = Field(default=60.0, validation_alias="BOT_DELIVERY_LEASE_SECONDS")
    # Telegram allows about 30 messages a second per bot: the whole fleet of processes stays under this.
    telegram_rate: float = Field(default=29.0, validation_alias="BOT_TELEGRAM_RATE")
    # …and about one a second per chat, after a short burst (an answer often has two or three parts).
    telegram_chat_burst: int = Field(default=3, ge=1, validation_alias="BOT_TELEGRAM_CHAT_BURST")
    # On SIGTERM: how long calls and events in flight may take to finish before the process exits.
    drain_seconds: float = Field(default=10.0, ge=0, validation_alias="BOT_DRAIN_SECONDS")
    # Reminders: tell the worker if the client has not pressed "Got it" within this many hours.
    reminder_confirm_hours: float = Field(default=24.0, validation_alias="BOT_REMINDER_CONFIRM_HOURS")
    quiet_hours: str = Field(default="21:00-08:00", validation_alias="BOT_QUIET_HOURS")

    @field_validator("timezone")
    @classmethod
    def _real_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"BOT_TIMEZONE {v!r} is not a time zone (for example Europe/Kyiv)") from exc
        return v

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, v: str) -> str:
        v = v.replace(" ", "").replace("–", "-")
        if not QUIET_HOURS_RE.match(v):
            raise ValueError(f"BOT_QUIET_HOURS {v!r} must look like 21:00-08:00")
        return v

    @field_validator("default_lang")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("uk", "en"):
            raise ValueError(f"BOT_DEFAULT_LANG {v!r} must be uk or en")
        return v

    def secret_values(self) -> list[str]:
        """The values of every secret setting (for log redaction): any SecretStr field, now or later."""
        values = [getattr(self, name) for name in type(self).model_fields]
        return [v.get_secret_value() for v in values if isinstance(v, SecretStr) and v.get_secret_value()]

    def secret_key_bytes(self) -> bytes:
        """The configured key, or one generated once and kept in data/secret.key (single host)."""
        if self.secret_key:
            return self.secret_key.get_secret_value().encode()
        path = PROJECT_DIR / "data" / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
