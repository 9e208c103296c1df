"""Deterministic demo telemetry for the embedded local workspace.

`generator.generate_workspace(path, seed=..., end=..., dns_rows=...)` writes
the DuckDB file; `planted` holds the ground truth of the planted Nanocore RAT
story (`NANOCORE_DOMAINS`, `TRAP_NAMES`, `PLANTED_HOSTS`, `CI_RUNNER_HOST`).
The modules are imported on use, not here, because the generator imports
DuckDB and the CLI must start without it.
"""
