"""The staff web console's framework: sign-in by one-time links from the bot, sessions bound to roles
and offices, CSRF on every form, the layout, charts as SVG with a table, and the audit log.

Features contribute pages (`Feature.console`); this package imports no feature, channel, `bot.app`
or `bot.cli` (tests/test_architecture.py), so features may import it as they import `bot.core`.
"""

from bot.webui.app import PREFIX, ConsoleRequest, Form, build_console, mount_console
from bot.webui.auth import Staff

__all__ = ["PREFIX", "ConsoleRequest", "Form", "Staff", "build_console", "mount_console"]
