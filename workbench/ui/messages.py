"""Messages the workers post to the app; workers never touch widgets."""

from __future__ import annotations

from textual.message import Message

from workbench.backends.base import QueryError
from workbench.querying import HuntRun


class QueryFinished(Message):
    """A query worker finished: `hunt` on success, `error` on failure."""

    def __init__(self, run_id: int, query_id: str, hunt: HuntRun | None, error: QueryError | None) -> None:
        super().__init__()
        self.run_id = run_id
        """The id of the run; a finished run whose id is not the latest is stale and dropped."""
        self.query_id = query_id
        self.hunt = hunt
        self.error = error


class WorkspaceReady(Message):
    """The workspace backend is open (or failed to open, with `error`)."""

    def __init__(self, backend: object | None, error: str = "", tables: list | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.error = error
        self.tables = tables or []
        """The workspace's tables, read in the worker so the UI thread does not wait on the network for them."""


class FeedsLoaded(Message):
    """A feed worker finished loading indicators."""

    def __init__(self, loads: list, errors: list[str], append: bool = False) -> None:
        super().__init__()
        self.append = append
        """True to add the indicators to the session's; False to replace them."""
        self.loads = loads
        """The `FeedLoad`s that were read."""
        self.errors = errors
        """Feeds that could not be read at all, one message each."""
