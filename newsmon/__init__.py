"""newsmon: event-driven news monitoring over Kafka. This package is the entry layer: the command line,
configuration assembly, `serve`, `run` and dashboards. No service imports it."""

from streambase import __version__

__all__ = ["__version__"]
