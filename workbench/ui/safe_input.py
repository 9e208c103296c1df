"""Text fields that never send control characters from their value to the terminal.

A field can be filled from data (an exclusion value taken from a result
cell, a session title read from a file), and Textual draws an `Input`'s value
as it is, so an ESC in it would reach the terminal. These widgets keep the
value unchanged and draw each unsafe character as one visible cell.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Input

from workbench.text import visible_controls


def safe_strip(strip: Strip) -> Strip:
    """Return `strip` with control, bidirectional and zero-width characters drawn as visible symbols."""
    segments = list(strip)
    if all(segment.control or visible_controls(segment.text) == segment.text for segment in segments):
        return strip
    cleaned = [
        segment if segment.control else Segment(visible_controls(segment.text), segment.style)
        for segment in segments
    ]
    return Strip(cleaned, strip.cell_length)


class SafeInput(Input):
    """An `Input` whose value may contain any character but whose drawing contains no control character."""

    def render_line(self, y: int) -> Strip:
        return safe_strip(super().render_line(y))
