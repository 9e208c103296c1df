"""hunt-workbench: hunt for threats in Microsoft Sentinel data from the terminal.

The package is layered: `iocs`, `kql`, `backends` and `sessions` contain the
domain logic and never import Textual, and `ui` contains the Textual application.
"""

__version__ = "0.1.0"
