"""Themes, key remapping and NO_COLOR in the running TUI."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.helpers import wait_for
from tests.test_ui_main import make_config, start
from workbench.ui.app import WorkbenchApp


async def test_bundled_themes_are_selectable(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        for name in ("workbench-dark", "workbench-light", "workbench-high-contrast"):
            assert name in app.available_themes
        assert app.theme == "workbench-dark"


async def test_theme_choice_saved_in_config(demo_db: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(f'# my settings\n[[workspaces]]\nname = "default"\npath = "{demo_db}"\n', encoding="utf-8")
    from workbench.config import load_config

    app = WorkbenchApp(config=load_config(config_file))
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        app.theme = "workbench-light"
        await pilot.pause()
    text = config_file.read_text(encoding="utf-8")
    assert text.startswith("# my settings")
    assert tomllib.loads(text)["ui"]["theme"] == "workbench-light"
    assert load_config(config_file).theme == "workbench-light"


async def test_user_theme_file_loads(demo_db: Path, isolated_dirs: Path) -> None:
    themes = isolated_dirs / "config" / "themes"
    themes.mkdir()
    (themes / "soc-night.toml").write_text('name = "soc-night"\ndark = true\nprimary = "#336699"\n', encoding="utf-8")
    (themes / "broken.toml").write_text('name = "broken"\nprimary = \n', encoding="utf-8")
    config = make_config(demo_db)
    config.theme = "soc-night"
    app = WorkbenchApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        assert app.theme == "soc-night"
        assert "broken" not in app.available_themes


async def test_keymap_remaps_run(demo_db: Path) -> None:
    config = make_config(demo_db)
    config.keys = {"run_query": "f9"}
    app = WorkbenchApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        app.editor.load_text("DnsEvents | count")
        await pilot.press("ctrl+r")
        await pilot.pause(0.3)
        assert app.run_id == 0
        await pilot.press("f9")
        await wait_for(pilot, lambda: app.run_id == 1 and app.running is None, what="remapped run")
        await pilot.press("f1")
        await pilot.pause()
        keys = {binding_id: keys for keys, _, binding_id in app.screen.rows}
        assert keys["run_query"] == "f9"


async def test_no_color_screen_is_usable(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        assert app.no_color
        screen = app.export_screenshot().replace("&#160;", " ")
        for title in ("IOC feeds", "Query", "Results", "Exclusions"):
            assert title in screen


async def test_bad_keymap_keeps_defaults(demo_db: Path) -> None:
    config = make_config(demo_db)
    config.keys = {"run_query": "ctrl+zz", "no_such_binding": "f9"}
    app = WorkbenchApp(config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(pilot, app)
        messages = " ".join(str(notification.message) for notification in app._notifications)
        assert "'ctrl+zz' is not a key name" in messages
        assert "'no_such_binding' is not a binding id" in messages
        app.editor.load_text("DnsEvents | count")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.run_id == 1 and app.running is None, what="default run key")


def test_keymap_empty_key_rejected(tmp_path: Path) -> None:
    from workbench.config import ConfigError, load_config

    config_file = tmp_path / "config.toml"
    config_file.write_text('[keys]\nrun_query = "ctrl+r,,"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config_file)
    assert "keys.run_query" in str(raised.value)
    assert "line 2" in str(raised.value)
