"""Apply false-positive exclusions to a result and count what each one removed.

The engine runs the hunt without exclusions once; the exclusions' `where
not(...)` clauses then run on the Arrow result in an in-memory DuckDB through
duckdb-kql. The clauses are appended at the end of the query either way, so
this gives the rows the full query would return, plus an exact count per
exclusion, for one engine call instead of one per exclusion.

NOTE: an engine that caps rows (Log Analytics returns at most 500,000) caps
them before the exclusions here, so a huge unexcluded result can leave fewer
rows than the same query with the clauses sent to the service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from workbench.backends.base import QueryResult
from workbench.kql.exclusions import Exclusion

log = logging.getLogger(__name__)


@dataclass
class ExclusionOutcome:
    """The rows left after the exclusions and what each exclusion did."""

    result: QueryResult
    """The result with every applicable exclusion applied."""
    removed: dict[str, int] = field(default_factory=dict)
    """Rows each applied exclusion matched, by exclusion id (rows can match several)."""
    removed_total: int = 0
    """Rows removed by all exclusions together."""
    errors: dict[str, str] = field(default_factory=dict)
    """Exclusions that could not be applied, by id, with the reason (a column the result lacks)."""


def active_exclusions(exclusions: list[Exclusion], now: datetime | None = None) -> list[Exclusion]:
    return [exclusion for exclusion in exclusions if exclusion.enabled and not exclusion.is_expired(now)]


def apply_to_result(result: QueryResult, exclusions: list[Exclusion], now: datetime | None = None) -> ExclusionOutcome:
    """Filter `result` by the enabled, unexpired `exclusions`; see the module docstring."""
    active = active_exclusions(exclusions, now)
    if not active:
        return ExclusionOutcome(result=result)

    import duckdb_kql

    column_names = set(result.table.column_names)
    outcome = ExclusionOutcome(result=result)
    usable: list[Exclusion] = []
    for exclusion in active:
        if exclusion.field not in column_names:
            outcome.errors[exclusion.id] = (
                f"column {exclusion.field!r} is not in the result; project it, or edit the exclusion"
            )
            continue
        usable.append(exclusion)
    if not usable:
        return outcome

    connection = duckdb_kql.connect()
    try:
        connection.register("Results", result.table)
        counts_query = "Results | summarize " + ", ".join(
            f"c{index} = countif({exclusion.predicate()})" for index, exclusion in enumerate(usable)
        )
        counts = duckdb_kql.kql(connection, counts_query).fetchall()[0]
        for exclusion, count in zip(usable, counts):
            outcome.removed[exclusion.id] = int(count or 0)
        filter_query = "Results\n" + "\n".join(exclusion.clause() for exclusion in usable)
        filtered = duckdb_kql.kql(connection, filter_query).to_arrow_table()
    except Exception as error:  # noqa: BLE001 - a broken exclusion must not lose the hunt's rows
        log.warning("applying %d exclusions failed: %s", len(usable), error)
        for exclusion in usable:
            outcome.errors.setdefault(exclusion.id, f"could not be applied: {error}")
        return outcome
    finally:
        connection.close()

    outcome.removed_total = result.table.num_rows - filtered.num_rows
    outcome.result = replace(result, table=filtered)
    return outcome
