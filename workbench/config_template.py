"""The commented starting config that `workbench config init` writes.

It is kept as a string inside the package, because an installed package has
no repository root to read `sample_config.toml` from. The test suite checks
that this text and `sample_config.toml` are identical, so edit both together.
"""

CONFIG_TEMPLATE = '''# hunt-workbench configuration: every setting the workbench reads, with its default.
# Copy it to the config folder (`workbench config init` writes it there) or pass
# `--config PATH`. On Linux the folder is ~/.config/hunt-workbench/config.toml.

# The workspace queries go to when --workspace is not given: a name from [[workspaces]].
# "default" is the embedded local workspace, which always exists.
default_workspace = "default"

[log]
# Level of the log file (DEBUG, INFO, WARNING, ERROR). The file is in the
# platformdirs log folder (~/.local/state/hunt-workbench/log on Linux); the help
# screen (f1) shows its path. Tokens and secrets are never logged.
level = "INFO"

[query]
# ISO 8601 timespan new queries run over, applied to TimeGenerated as Log Analytics does.
default_timespan = "P14D"

[results]
# Rows of each run kept in the session file.
snapshot_rows = 5000
# Rows fetched from the engine per run; more are reported as "N of >N".
fetch_limit = 1000000
# Rows drawn in the results table; the rest stay available to filter, sort and export.
display_limit = 1000000

[demo]
# Seed and size of the demo telemetry generated into the embedded workspace on first run.
seed = 4242
dns_rows = 200000

[ui]
# Theme name: a file name (without .toml) from themes/ or from the themes folder
# beside this file, or a Textual built-in theme.
theme = "workbench-dark"

[session]
# Seconds after the last change before the session is saved to its file.
autosave_seconds = 2.0

[keys]
# Remap key bindings by binding id; the help screen (f1) lists every id.
# Several keys are separated by commas.
# run_query = "ctrl+r,f5"
# generate_hunt = "ctrl+g"

# The embedded workspace: a DuckDB file. `path` may point elsewhere; an empty
# path means the file under the platformdirs data folder.
[[workspaces]]
name = "default"
kind = "local"
path = ""

# A Log Analytics workspace (Microsoft Sentinel). `auth` is one of azure-cli,
# device-code, environment, managed-identity, default; static sends the token in
# HUNT_WORKBENCH_STATIC_TOKEN and is meant for the local emulator only.
# [[workspaces]]
# name = "sentinel-prod"
# kind = "azure"
# workspace_id = "00000000-0000-0000-0000-000000000000"
# auth = "azure-cli"
# endpoint = ""              # empty: the public cloud
# audience = ""              # empty: the endpoint's default
# default_timespan = "P1D"
# server_timeout = 180       # seconds the service may run a query
# additional_workspaces = []
# ca_bundle = ""             # a PEM file to trust, such as the emulator's certificate
# token_cache = false        # true persists tokens; over SSH without a keyring that is an unencrypted file

# IOC feeds loaded at start. A file feed is any format `workbench iocs` reads.
# [[feeds]]
# name = "team-feed"
# kind = "file"
# path = "~/feeds/threatfox_export.csv"
#
# [[feeds]]
# name = "threatfox"
# kind = "threatfox"
# auth_key_env = "THREATFOX_AUTH_KEY"   # the environment variable holding the Auth-Key
# days = 1                              # 1 to 7
# url = "https://threatfox-api.abuse.ch/api/v1/"   # the ThreatFox API URL
'''
