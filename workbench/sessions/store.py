"""The session store: TOML files that survive crashes, full disks and hand edits.

A save writes a temporary file in the session's folder, fsyncs it and renames
it over the target, so a reader, or a crash at any moment, finds either the old
file or the new one and never half of one. The previous version is kept as
`<name>.toml.bak` through a hard link made before the rename, so the target
path exists at every instant. Files are created with mode 0600 because a hunt
names hosts, users and indicators.

A file that cannot be loaded (invalid TOML, another format, a newer version,
an invalid value) raises `SessionFileError` with the path, the line and what
to do, and is never overwritten: before replacing a file, `save_session`
checks that the file on disk is one this process loaded or wrote (same inode,
size and modification time) or else loads it again, and rejects the save when
that load fails, unless `force=True`. A file that loads but was saved by
another process (the TUI and a `workbench replay --update` from cron) is not
overwritten either, since that would drop the other process's changes. A forced save keeps the unloadable file
as `<name>.toml.unreadable` and leaves the `.bak` alone, since the `.bak` is
then the last good version.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import tempfile
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import tomli_w

from workbench.paths import sessions_dir
from workbench.sessions.codec import DocumentError, decode_session, encode_session
from workbench.sessions.model import Session

log = logging.getLogger(__name__)

SUFFIX = ".toml"
BACKUP_SUFFIX = ".bak"
UNREADABLE_SUFFIX = ".unreadable"

_save_lock = threading.Lock()
_known_stamps: dict[str, tuple[int, int, int]] = {}
"""Resolved path to (inode, size, mtime_ns) of the file as this process last loaded or wrote it."""


class SessionError(Exception):
    """Base class of the store's errors; `str()` is the message to show the user."""


class SessionFileError(SessionError):
    """A session file that cannot be loaded, or a save rejected because of one."""

    def __init__(self, message: str, *, path: Path, line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        """1-based line of the problem; None when it is not known."""


class SessionConflictError(SessionError):
    """A save rejected because another process saved the same file after this one loaded it."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


class SessionWriteError(SessionError):
    """A save that failed in the file system (full disk, read-only folder); nothing on disk changed."""

    def __init__(self, message: str, *, path: Path, reason: str) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
        """The operating system's reason, such as `No space left on device`."""


@dataclass
class SessionSummary:
    """One session file as the open dialog lists it."""

    path: Path
    id: str
    title: str
    updated: datetime | None
    """The session's `updated` time; None when the file could not be loaded."""
    workspace: str = ""
    indicator_count: int = 0
    query_count: int = 0
    run_count: int = 0
    hit_count: int = 0
    """Rows of the last run of every query, added up."""
    verdict_counts: dict[str, int] = field(default_factory=dict)
    """Verdicts of the last runs by kind (`true_positive`, ...); empty when there are none."""
    error: str = ""
    """The load error message of a file that could not be loaded; empty for a good file."""


# ---------------------------------------------------------------------------
# Paths


def default_session_path(session: Session) -> Path:
    """Return `<sessions folder>/<id>.toml`, with the id reduced to safe file-name characters.

    A session id read from a file is data, so `../x` or `/etc/x` must not
    leave the sessions folder.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", session.id).strip(".-") or "hunt"
    return sessions_dir() / f"{safe}{SUFFIX}"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def _display(path: Path) -> str:
    """Return `path` with the home folder written as `~`, as messages show it."""
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home):]
    return text


# ---------------------------------------------------------------------------
# Loading


def load_session(path: Path) -> Session:
    """Read and return the session in `path`, migrating an older version.

    Raises SessionFileError naming the path, the line when known and what to
    do, for a file that is missing, unreadable, not UTF-8, not valid TOML, not
    a session, of a newer version, or holding an invalid value.
    """
    path = Path(path).expanduser()
    session, stamp = _read(path)
    _known_stamps[_key(path)] = stamp
    log.info("loaded session %s from %s", session.id, path)
    return session


def _read(path: Path) -> tuple[Session, tuple[int, int, int]]:
    shown = _display(path)
    if backup_path(path).exists():
        restore = f"restore {path.name}{BACKUP_SUFFIX}"
    else:
        restore = f"restore the file from a copy (there is no {path.name}{BACKUP_SUFFIX})"
    try:
        with open(path, "rb") as handle:
            stamp = _stamp(os.fstat(handle.fileno()))
            raw = handle.read()
    except FileNotFoundError:
        raise SessionFileError(f"Session file {shown} not found; check the path", path=path) from None
    except OSError as error:
        raise SessionFileError(
            f"Session file {shown} cannot be read: {error.strerror}. Fix its permissions and retry", path=path
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SessionFileError(
            f"Session file {shown} is not UTF-8 text at line {line} (byte {error.start}). "
            f"The file was not changed; fix the line or {restore}",
            path=path,
            line=line,
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason, line = _toml_reason(str(error))
        if line is None and "end of document" in str(error):
            # A truncated file: the error is at its last line.
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
        where = f" at line {line}" if line else ""
        raise SessionFileError(
            f"Session file {shown} is not valid TOML{where}: {reason}. "
            f"The file was not changed; fix the line or {restore}",
            path=path,
            line=line,
        ) from None
    try:
        session = decode_session(document)
    except DocumentError as error:
        line = line_of_key(text, error.key)
        where = f" at line {line}" if line else ""
        if error.key == "version" and "newer" in error.problem:
            advice = f"upgrade hunt-workbench, or {restore} to go back to the previous version"
        elif error.key == "format":
            advice = "open a file that hunt-workbench wrote"
        else:
            advice = f"fix the line or {restore}"
        raise SessionFileError(
            f"Session file {shown} is invalid{where}: {error}. The file was not changed; {advice}",
            path=path,
            line=line,
        ) from None
    return session, stamp


def _toml_reason(message: str) -> tuple[str, int | None]:
    """Split tomllib's `Expected '=' after a key (at line 14, column 5)` into reason and line."""
    match = re.search(r"\s*\(at line (\d+), column \d+\)\s*$", message)
    if not match:
        match_end = re.search(r"\s*\(at end of document\)\s*$", message)
        reason = message[: match_end.start()] if match_end else message
        line = None
    else:
        reason = message[: match.start()]
        line = int(match.group(1))
    return (reason[:1].lower() + reason[1:]) if reason else "invalid syntax", line


def line_of_key(text: str, key: str) -> int | None:
    """Return the 1-based line holding dotted `key` (`queries[1].runs[0].rows`), or None.

    Arrays of tables are found by counting their `[[header]]` lines; a plain
    key is the first `key =` line after its table's header.
    """
    if not key:
        return None
    lines = text.splitlines()
    tokens: list[str | int] = [
        int(index) if index else name for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", key)
    ]
    start, end, prefix = 0, len(lines), ""
    position = 0
    while position < len(tokens):
        name = tokens[position]
        if not isinstance(name, str):
            position += 1
            continue
        index = tokens[position + 1] if position + 1 < len(tokens) else None
        header = re.compile(rf"^\s*\[\[\s*{re.escape(prefix + name)}\s*\]\]\s*$")
        matches = [number for number in range(start, end) if header.match(lines[number])]
        if isinstance(index, int) and index < len(matches):
            start = matches[index]
            end = matches[index + 1] if index + 1 < len(matches) else end
            prefix = f"{prefix}{name}."
            position += 2
            continue
        assignment = re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*=")
        first = start + 1 if prefix else start
        for number in range(first, end):
            if re.match(r"^\s*\[", lines[number]):
                break
            if assignment.match(lines[number]):
                return number + 1
        return start + 1 if prefix else None
    return start + 1 if prefix else None


# ---------------------------------------------------------------------------
# Saving


def save_session(session: Session, path: Path, *, force: bool = False) -> None:
    """Write `session` to `path` atomically with mode 0600, keeping the previous file as `.bak`.

    Raises, leaving every file as it was: SessionFileError when `path`
    contains a file that does not load, SessionConflictError when another
    process saved `path` after this one loaded or wrote it (both unless
    `force`), and SessionWriteError when the file system fails (full disk,
    read-only folder). `session` is never
    changed; callers set `session.updated` themselves.
    """
    path = Path(path).expanduser()
    text = render_session(session)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise SessionWriteError(
            f"Session {session.id} was not saved to {_display(path)}: it contains text that is not valid "
            f"Unicode ({error.object[error.start:error.end]!r}). Remove that value and save again",
            path=path,
            reason="invalid Unicode",
        ) from None

    with _save_lock:
        unloadable = _check_target(session, path, force)
        _write(path, data, keep_as=UNREADABLE_SUFFIX if unloadable else BACKUP_SUFFIX)
    log.info("saved session %s to %s (%d bytes)", session.id, path, len(data))


def render_session(session: Session) -> str:
    """Return the TOML text of `session`.

    Strings are written as multi-line basic strings only when no string contains a
    carriage return, because TOML parsers may normalise the line endings
    inside multi-line strings and `\\r\\n` in a query must survive.
    """
    document = encode_session(session)
    return tomli_w.dumps(document, multiline_strings=not _contains_carriage_return(document))


def _contains_carriage_return(value: object) -> bool:
    if isinstance(value, str):
        return "\r" in value
    if isinstance(value, dict):
        return any(_contains_carriage_return(key) or _contains_carriage_return(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_contains_carriage_return(item) for item in value)
    return False


def _check_target(session: Session, path: Path, force: bool) -> bool:
    """Return True when `path` contains a file that does not load and `force` allows replacing it.

    Raises SessionFileError when that file does not load, and SessionConflictError
    when it loads but another process replaced it after this one loaded or wrote
    it, unless `force` is True.
    """
    try:
        stamp = _stamp(os.stat(path))
    except OSError:
        return False
    known = _known_stamps.get(_key(path))
    if known == stamp:
        return False
    try:
        _read(path)
    except SessionFileError as error:
        if force:
            log.warning("replacing unloadable session file %s (kept as %s): %s", path, UNREADABLE_SUFFIX, error)
            return True
        log.warning("rejected saving session %s over unloadable file %s: %s", session.id, path, error)
        raise SessionFileError(
            f"Session {session.id} was not saved: {error}. To keep this session, save it under another name",
            path=path,
            line=error.line,
        ) from None
    if known is not None and not force:
        log.warning("rejected saving session %s: %s changed on disk after it was loaded", session.id, path)
        raise SessionConflictError(
            f"Session {session.id} was not saved: {_display(path)} changed on disk after it was opened here "
            "(another workbench or a `workbench replay --update` saved it). The file was not changed; "
            "reopen it to get the other changes, or save under another name",
            path=path,
        )
    return False


def _write(path: Path, data: bytes, keep_as: str) -> None:
    folder = path.parent
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.lexists(path):
            _keep_previous(path, path.with_name(path.name + keep_as))
        os.replace(temporary, path)
        temporary = None
        _fsync_folder(folder)
        _known_stamps[_key(path)] = _stamp(os.stat(path))
    except OSError as error:
        reason = error.strerror or str(error)
        code = errno.errorcode.get(error.errno or 0, "")
        raise SessionWriteError(
            f"Session file {_display(path)} could not be saved: {reason}"
            + (f" ({code})" if code else "")
            + ". The file on disk was not changed and the session is still open; "
            "free disk space or make the folder writable, then save again",
            path=path,
            reason=reason,
        ) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _keep_previous(path: Path, keep: Path) -> None:
    """Make `keep` a copy of `path` without a moment where `path` is missing.

    A hard link costs no copy; file systems without links get a real copy.
    Either goes to a temporary name first and is renamed, so `keep` is whole too.
    """
    staging = keep.with_name(f".{keep.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        os.unlink(staging)
    except FileNotFoundError:
        pass
    try:
        os.link(path, staging)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        shutil.copyfile(path, staging)
        os.chmod(staging, 0o600)
    os.replace(staging, keep)


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _stamp(status: os.stat_result) -> tuple[int, int, int]:
    return (status.st_ino, status.st_size, status.st_mtime_ns)


def _key(path: Path) -> str:
    return os.path.realpath(path)


# ---------------------------------------------------------------------------
# Listing


def list_sessions(folder: Path | None = None) -> list[SessionSummary]:
    """Return a summary of every `*.toml` session in `folder` (default: the sessions folder).

    Newest `updated` first; files that do not load come last, with `error` set.
    NOTE: every file is parsed whole, which is fine for tens of sessions but
    slow for hundreds of large ones.
    """
    folder = Path(folder).expanduser() if folder is not None else sessions_dir()
    if not folder.is_dir():
        return []
    summaries: list[SessionSummary] = []
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            session = load_session(path)
        except SessionFileError as error:
            summaries.append(SessionSummary(path=path, id=path.stem, title="", updated=None, error=str(error)))
            continue
        summaries.append(
            SessionSummary(
                path=path,
                id=session.id,
                title=session.title,
                updated=session.updated,
                workspace=session.workspace,
                indicator_count=len(session.indicators),
                query_count=len(session.queries),
                run_count=sum(len(query.runs) for query in session.queries),
                hit_count=sum(query.last_run.row_count for query in session.queries if query.last_run),
                verdict_counts=_verdict_counts(session),
            )
        )
    good = sorted((item for item in summaries if item.updated is not None), key=lambda item: item.updated, reverse=True)
    bad = [item for item in summaries if item.updated is None]
    return good + bad


def _verdict_counts(session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for query in session.queries:
        if query.last_run is None:
            continue
        for verdict in query.last_run.verdicts:
            counts[verdict.verdict] = counts.get(verdict.verdict, 0) + 1
    return counts
