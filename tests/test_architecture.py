"""The layering of ARCHITECTURE.md, checked on every module's imports (type-checking-only imports aside)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDKS = {"aiogram": "bot.channels.telegram", "viberbot": "bot.channels.viber"}


def _modules() -> dict[str, Path]:
    out = {}
    for base in ("bot", "knowledge", "storage"):
        for path in (ROOT / base).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts).removesuffix(".__init__")
            out[name] = path
    return out


MODULES = _modules()


def imports_of(name: str) -> set[str]:
    """Absolute names this module imports at run time (not under `if TYPE_CHECKING:`)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for sub in node.body for n in ast.walk(sub)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES}
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(modules: list[str], forbidden: list[str]) -> list[str]:
    return [f"{m} imports {i}" for m in modules for i in sorted(imports_of(m))
            if any(_under(i, f) for f in forbidden)]


def test_the_check_sees_imports():
    assert "bot.core.events" in imports_of("bot.core.engine")
    assert "aiogram" in imports_of("bot.channels.telegram.adapter")
    assert "aiogram" not in imports_of("bot.channels.telegram")  # the plug-in stays light


def test_core_and_delivery_import_no_feature_channel_or_composition():
    layer = [m for m in MODULES if _under(m, "bot.core") or _under(m, "bot.delivery")]
    assert layer
    assert violations(layer, ["bot.features", "bot.channels", "bot.app", "bot.web", "bot.cli"]) == []


def test_knowledge_and_storage_import_no_bot_code():
    # Migrations describe the whole schema, i.e. every feature's tables: they load the composition root.
    layer = [m for m in MODULES if (_under(m, "knowledge") or _under(m, "storage")) and ".migrations" not in m]
    assert violations(layer, ["bot"]) == []


@pytest.mark.parametrize("sdk", sorted(SDKS))
def test_a_channel_sdk_is_imported_only_inside_its_channel_package(sdk):
    outside = [m for m in MODULES if not _under(m, SDKS[sdk])]
    assert violations(outside, [sdk]) == []


def test_features_do_not_import_each_other_or_the_channels():
    features = {m.split(".")[2] for m in MODULES if _under(m, "bot.features") and m.count(".") >= 2}
    problems = []
    for feature in sorted(features):
        own = [m for m in MODULES if _under(m, f"bot.features.{feature}")]
        others = [f"bot.features.{f}" for f in features if f != feature]
        problems += violations(own, [*others, "bot.channels", "bot.app", "bot.web", "bot.cli"])
    assert problems == []


def test_channels_do_not_import_features_or_each_other():
    channels = {m.split(".")[2] for m in MODULES if _under(m, "bot.channels") and m.count(".") >= 2}
    problems = []
    for channel in sorted(channels):
        own = [m for m in MODULES if _under(m, f"bot.channels.{channel}")]
        others = [f"bot.channels.{c}" for c in channels if c != channel and c not in ("base", "textsplit")]
        problems += violations(own, [*others, "bot.features", "bot.app", "bot.cli"])
    assert problems == []


def test_the_consoles_framework_imports_no_feature_channel_or_composition():
    layer = [m for m in MODULES if _under(m, "bot.webui")]
    assert layer
    assert violations(layer, ["bot.features", "bot.channels", "bot.app", "bot.cli", "bot.web"]) == []
