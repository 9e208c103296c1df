"""Modal screens: help, row detail, column frequency, exclusion form, confirmation, open session."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from workbench.kql.exclusions import OPERATORS, Exclusion
from workbench.text import sanitize
from workbench.ui.safe_input import SafeInput


class HelpScreen(ModalScreen[None]):
    """Every active key binding, built from the bindings themselves."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]], log_path: str) -> None:
        super().__init__()
        self.rows = rows
        """(keys, description, binding id) per binding."""
        self.log_path = log_path

    def compose(self) -> ComposeResult:
        text = Text()
        width = max((len(keys) for keys, _, _ in self.rows), default=8)
        for keys, description, binding_id in self.rows:
            text.append(keys.ljust(width + 2), style="bold")
            text.append(description)
            if binding_id:
                text.append(f"  [{binding_id}]", style="dim")
            text.append("\n")
        text.append("\nRemap keys by binding id in config.toml under [keys], e.g. run_query = \"ctrl+r,f5\".\n", style="dim")
        text.append("Copy (y) uses OSC 52; inside tmux set: set -g set-clipboard on\n", style="dim")
        text.append(f"Log file: {self.log_path}\n", style="dim")
        with Vertical(classes="dialog tall"):
            yield Static("Key bindings", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(text)
            yield Static("escape closes", classes="dialog-hint")

    def action_dismiss(self) -> None:
        self.dismiss(None)


class RowDetailScreen(ModalScreen[None]):
    """Every column of one row with its full value; JSON values pretty-printed."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="detail.close")]

    def __init__(self, row: dict[str, Any], column_types: dict[str, str]) -> None:
        super().__init__()
        self.row = row
        self.column_types = column_types

    def compose(self) -> ComposeResult:
        text = Text()
        for name, value in self.row.items():
            text.append(sanitize(name), style="bold")
            text.append(f" ({self.column_types.get(name, '')})\n", style="dim")
            text.append(sanitize(_pretty(value), keep_newlines=True) + "\n\n")
        with Vertical(classes="dialog tall"):
            yield Static("Row detail", classes="dialog-title")
            with VerticalScroll(id="detail-body"):
                yield Static(text)
            yield Static("escape closes; arrows scroll", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()

    def action_dismiss(self) -> None:
        self.dismiss(None)


def _pretty(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, indent=2)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.dumps(json.loads(value), ensure_ascii=False, indent=2)
        except ValueError:
            return value
    return str(value)


class FrequencyScreen(ModalScreen[None]):
    """How often each value of one column occurs in the shown rows."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", id="frequency.close")]

    def __init__(self, column: str, counts: list[tuple[Any, int]], distinct: int) -> None:
        super().__init__()
        self.column = column
        self.counts = counts
        self.distinct = distinct

    def compose(self) -> ComposeResult:
        text = Text()
        for value, count in self.counts:
            text.append(f"{count:>9}  ", style="bold")
            text.append(sanitize("null" if value is None else str(value)) + "\n")
        shown = f"top {len(self.counts)} of {self.distinct}" if self.distinct > len(self.counts) else f"{self.distinct}"
        with Vertical(classes="dialog tall"):
            yield Static(f"Frequency of {sanitize(self.column)} ({shown} distinct values)", classes="dialog-title")
            with VerticalScroll(id="detail-body"):
                yield Static(text)

    def action_dismiss(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; `y` confirms, `n` or escape cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            yield Static("y: yes    n or escape: no", classes="dialog-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ExclusionFormScreen(ModalScreen[Exclusion | None]):
    """Add or edit an exclusion: field, operator, values, a required reason, an optional expiry."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="exclusion_form.cancel")]

    def __init__(self, exclusion: Exclusion, *, is_new: bool) -> None:
        super().__init__()
        self.exclusion = exclusion
        self.is_new = is_new

    def compose(self) -> ComposeResult:
        exclusion = self.exclusion
        title = "New exclusion" if self.is_new else f"Edit exclusion {exclusion.id}"
        with VerticalScroll(classes="dialog form"):
            yield Static(title, classes="dialog-title")
            yield Static("", id="exclusion-error")
            yield Label("Field (column)")
            yield SafeInput(exclusion.field, id="exclusion-field")
            yield Label("Operator")
            yield Select([(operator, operator) for operator in OPERATORS], value=exclusion.operator, allow_blank=False, id="exclusion-operator")
            yield Label("Values (separate the values of in and !in with ' | ')")
            yield SafeInput(" | ".join(exclusion.values), id="exclusion-values")
            yield Label("Reason (required): why these rows are false positives")
            yield SafeInput(exclusion.reason, id="exclusion-reason", placeholder="e.g. CI runner resolves dynamic-DNS test names")
            yield Label("Expires (optional, YYYY-MM-DD)")
            yield SafeInput(exclusion.expires.strftime("%Y-%m-%d") if exclusion.expires else "", id="exclusion-expires")
            with Horizontal():
                yield Button("Save", variant="primary", id="exclusion-save")
                yield Button("Cancel", id="exclusion-cancel")

    def on_mount(self) -> None:
        self.query_one("#exclusion-reason" if self.exclusion.field else "#exclusion-field", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "exclusion-save":
            self._save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _save(self) -> None:
        field = self.query_one("#exclusion-field", Input).value.strip()
        operator = str(self.query_one("#exclusion-operator", Select).value)
        raw_values = self.query_one("#exclusion-values", Input).value
        reason = self.query_one("#exclusion-reason", Input).value.strip()
        expires_text = self.query_one("#exclusion-expires", Input).value.strip()
        values = [part.strip() for part in raw_values.split(" | ")] if operator in ("in", "!in", "in~", "!in~") else [raw_values]
        error = ""
        expires = None
        if not field:
            error = "The field is empty: type the column name, such as Computer."
        elif not reason:
            error = "The reason is empty: say why these rows are false positives."
        elif not any(value.strip() for value in values):
            error = "The value is empty: an exclusion on an empty value is almost always a mistake."
        elif expires_text:
            try:
                expires = datetime.strptime(expires_text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            except ValueError:
                error = f"Expiry {expires_text!r} is not a date: use YYYY-MM-DD, or leave it empty."
        if error:
            self.query_one("#exclusion-error", Static).update(Text(error, style="bold red"))
            self.query_one("#exclusion-error").scroll_visible()
            self.notify(error, severity="error")
            return
        self.exclusion.field = field
        self.exclusion.operator = operator
        self.exclusion.values = values
        self.exclusion.reason = reason
        self.exclusion.expires = expires
        self.dismiss(self.exclusion)


class PathSuggester:
    """Suggests the completion of a file path from the file system, for `Input(suggester=...)`."""

    @staticmethod
    def make():
        from textual.suggester import Suggester

        class _PathSuggester(Suggester):
            async def get_suggestion(self, value: str) -> str | None:
                return complete_path(value)

        return _PathSuggester(use_cache=False, case_sensitive=True)


def complete_path(value: str) -> str | None:
    """Return `value` completed to the first matching file or folder name; None when nothing matches."""
    import os
    from pathlib import Path

    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, _, prefix = expanded.rpartition("/")
    base = Path(folder or ".")
    try:
        names = sorted(entry.name for entry in base.iterdir() if entry.name.startswith(prefix) and not entry.name.startswith(".") or (prefix.startswith(".") and entry.name.startswith(prefix)))
    except OSError:
        return None
    if not names:
        return None
    match = names[0]
    suffix = "/" if (base / match).is_dir() else ""
    return value[: len(value) - len(prefix)] + match + suffix


class PathScreen(ModalScreen[str | None]):
    """Ask for a file path (open a session, export, add a feed); right arrow accepts the suggested completion."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="path.cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "", *, default_name: str = "", replace: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        """The folder (ending in /) or text the field starts with."""
        self.hint = hint
        self.default_name = default_name
        """The file name used when the entered path is a folder; shown as the placeholder."""
        self.replace = replace
        """True when the first key typed replaces the starting text instead of adding to it."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield SafeInput(
                self.value,
                id="path-input",
                suggester=None if self.replace else PathSuggester.make(),
                select_on_focus=self.replace,
                placeholder=self.default_name,
            )
            hint = self.hint + (f" (enter alone: {self.default_name})" if self.default_name else "")
            yield Static(Text(hint), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answer = event.value.strip()
        if self.default_name and (not answer or answer.endswith("/")):
            answer = answer + self.default_name
        self.dismiss(answer or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one of several labelled values with the arrow keys and enter."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]], hint: str = "", current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        """(label, value) pairs in display order."""
        self.hint = hint
        self.current = current
        """The value highlighted when the list opens; None for the first."""

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(Text(label), id=str(index)) for index, (label, _) in enumerate(self.choices)], id="choice-list")
            if self.hint:
                yield Static(Text(self.hint), classes="dialog-hint")

    def on_mount(self) -> None:
        choice_list = self.query_one("#choice-list")
        values = [value for _, value in self.choices]
        if self.current in values:
            choice_list.highlighted = values.index(self.current)
        choice_list.focus()

    def on_option_list_option_selected(self, event: Any) -> None:
        event.stop()
        index = int(event.option.id)
        self.dismiss(self.choices[index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """A scrollable block of text, such as a replay report."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="text.close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Static(self.title_text, classes="dialog-title")
            with VerticalScroll(id="detail-body"):
                yield Static(Text(sanitize(self.body, keep_newlines=True)))
            yield Static("escape closes", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()

    def action_dismiss(self) -> None:
        self.dismiss(None)


class TablePickerScreen(ModalScreen[list[str] | None]):
    """Choose the tables a generated hunt covers: space toggles, enter generates."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="tables.cancel"),
        Binding("enter", "accept", "Generate", priority=True, id="tables.accept"),
    ]

    def __init__(self, tables: list[str]) -> None:
        super().__init__()
        self.tables = tables

    def compose(self) -> ComposeResult:
        from textual.widgets import SelectionList

        with Vertical(classes="dialog"):
            yield Static("Tables to hunt in", classes="dialog-title")
            yield SelectionList[str](*[(name, name, True) for name in self.tables], id="table-list")
            yield Static("space toggles a table, enter generates, escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#table-list").focus()

    def action_accept(self) -> None:
        self.dismiss(list(self.query_one("#table-list").selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
