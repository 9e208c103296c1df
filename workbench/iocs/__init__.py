"""Indicators (IOCs): the model, normalisation, one parser per feed format, live ThreatFox.

The public entry points are `load_feed`, `parse_feed_text`, `merge_indicators`,
`load_demo_feed` and `normalise`; the TUI and the CLI use only these.
"""

from workbench.iocs.feeds import detect_format, load_demo_feed, load_feed, merge_indicators, parse_feed_text
from workbench.iocs.model import IOC_TYPES, FeedError, FeedLoad, Indicator, Rejected
from workbench.iocs.normalise import normalise, refang

__all__ = [
    "IOC_TYPES",
    "FeedError",
    "FeedLoad",
    "Indicator",
    "Rejected",
    "detect_format",
    "load_demo_feed",
    "load_feed",
    "merge_indicators",
    "normalise",
    "parse_feed_text",
    "refang",
]
