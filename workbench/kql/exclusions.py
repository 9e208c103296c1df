"""False-positive exclusions: the structured record and its KQL rendering.

An exclusion is data, not KQL text, so it can be linted, counted and shown
before it touches a query. It renders as one `| where not(...)` clause; the
values go through `kql.literals`, the only code that writes KQL literals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from workbench.kql.literals import identifier, string_literal

OPERATORS = (
    "==", "!=", "=~", "!~",
    "in", "!in", "in~", "!in~",
    "has", "!has", "has_cs", "!has_cs",
    "contains", "!contains", "contains_cs", "!contains_cs",
    "startswith", "!startswith", "startswith_cs", "!startswith_cs",
    "endswith", "!endswith", "endswith_cs", "!endswith_cs",
    "matches regex",
)
"""Operators an exclusion may use, as KQL spells them."""

LIST_OPERATORS = ("in", "!in", "in~", "!in~")


@dataclass
class Exclusion:
    """A false-positive exclusion: rows where `field operator values` is true are removed."""

    id: str
    field: str
    """The column the predicate reads, as the table names it (`Computer`)."""
    operator: str
    """One of `OPERATORS`."""
    values: list[str]
    """One value for scalar operators; one or more for `in` and its variants."""
    reason: str
    """The analyst's reason these rows are false positives; required."""
    author: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc).replace(microsecond=0))
    expires: datetime | None = None
    """Aware UTC time after which lint reports the exclusion as expired; None for no expiry."""
    enabled: bool = True
    table: str = ""
    """The table the exclusion was written for; empty when it applies to every query."""

    def predicate(self) -> str:
        """Render the condition the exclusion removes, without the `not(...)`."""
        column = identifier(self.field)
        if self.operator in LIST_OPERATORS:
            values = ", ".join(string_literal(value) for value in self.values)
            return f"{column} {self.operator} ({values})"
        if not self.values:
            raise ValueError(f"exclusion {self.id} on {self.field} has no value")
        return f"{column} {self.operator} {string_literal(self.values[0])}"

    def clause(self) -> str:
        """Render `| where not(...)`, the line appended to a query."""
        return f"| where not({self.predicate()})"

    def is_expired(self, now: datetime | None = None) -> bool:
        if self.expires is None:
            return False
        return self.expires <= (now or datetime.now(timezone.utc))


def apply_exclusions(query: str, exclusions: list[Exclusion], now: datetime | None = None) -> str:
    """Append the clause of every enabled, unexpired exclusion to `query`.

    Clauses go at the end, so an exclusion on a column the query projects away
    fails loudly instead of silently matching nothing.
    """
    lines = [query.rstrip().rstrip(";")]
    for exclusion in exclusions:
        if exclusion.enabled and not exclusion.is_expired(now):
            lines.append(exclusion.clause())
    return "\n".join(lines)
