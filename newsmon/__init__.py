"""newsmon: event-driven news monitoring over Kafka."""

__version__ = "0.1.0"
