"""The cases the local Log Analytics emulator can answer with, by name.

Kept apart from `backends.emulator`, whose HTTP server, TLS and certificate
imports cost about 25 ms, so that building the `workbench` command line,
which lists these names in `workbench emulator --help`, does not pay for them.
"""

SCENARIOS: dict[str, str] = {
    "ok": "run the query on the DuckDB workspace (the default)",
    "partial": "the first half of the rows plus a PartialError: the result set passed the record limit",
    "syntax-error": "400 SyntaxError with line and position",
    "semantic-error": "400 SemanticError: a table or column that does not resolve",
    "unauthorized": "401 AuthenticationFailed, as for a missing or invalid token",
    "forbidden": "403 InsufficientAccessError: no read access to the workspace",
    "wrong-audience": "403 InvalidAuthenticationTokenAudience: token for another resource",
    "throttled": "429 with Retry-After for the first `throttle_count` requests, then ok",
    "throttled-no-retry-after": "429 without Retry-After for the first `throttle_count` requests, then ok",
    "gateway-timeout": "504 GatewayTimeout: the query ran past the service's time limit",
    "slow": "wait `slow_seconds` (or until stop) before sending the results; for cancel tests",
}
