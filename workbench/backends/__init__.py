"""Workspace backends: the embedded DuckDB workspace and Log Analytics."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.backends.base import Backend

if TYPE_CHECKING:
    from workbench.config import Config, WorkspaceConfig

log = logging.getLogger(__name__)


def open_backend(workspace: WorkspaceConfig, config: Config, **azure_options: object) -> Backend:
    """Return the backend for a configured workspace, creating the demo workspace on first use.

    Raises `workbench.backends.local.WorkspaceError` when a local file cannot
    be created or opened. `azure_options` (such as `prompt_callback`) go to
    the Azure backend.
    """
    if workspace.kind == "azure":
        from workbench.backends.azure import AzureBackend

        return AzureBackend(workspace, **azure_options)

    from workbench.backends.local import LocalBackend

    path = local_workspace_path(workspace, config)
    return LocalBackend(path, name=workspace.backend_name, fetch_limit=config.fetch_limit)


def local_workspace_path(workspace: WorkspaceConfig, config: Config) -> Path:
    """Return the DuckDB file of a local workspace, generating the demo data on the default one's first use.

    Raises `workbench.backends.local.WorkspaceError` when the demo file cannot be created.
    """
    path = workspace.local_path()
    if not path.exists() and workspace.name == "default" and not workspace.path:
        create_demo_workspace(path, config)
    return path


def create_demo_workspace(path: Path, config: Config) -> None:
    """Generate the demo telemetry into a new workspace file at `path`."""
    from workbench.backends.local import WorkspaceError, is_lock_error
    from workbench.demo.generator import generate_workspace

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WorkspaceError(
            f"the data folder {path.parent} cannot be created: {error.strerror}. "
            "Set HUNT_WORKBENCH_DATA_DIR to a writable folder, or fix the folder's permissions"
        ) from None
    log.info("creating the demo workspace at %s", path)
    partial = path.with_name(path.name + ".partial")
    try:
        if partial.exists():
            partial.unlink()
        generate_workspace(partial, seed=config.demo_seed, dns_rows=config.demo_dns_rows)
        partial.replace(path)
    except OSError as error:
        raise WorkspaceError(f"the demo workspace {path} cannot be written: {error}") from None
    except Exception as error:
        if is_lock_error(error):
            raise WorkspaceError(f"the demo workspace {path} is locked by another process; retry when it finishes") from None
        raise
