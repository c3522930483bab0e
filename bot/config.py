"""Settings from the environment or a `.env` file (pydantic-settings).

Secrets are `SecretStr` so that printing or logging the settings never shows them.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
