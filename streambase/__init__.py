"""The stream base every newsmon service stands on: Kafka plumbing written once.

Dead letters with a flood limit, records that never exceed the broker's limit, waiting for the broker at
start. It imports no service and nothing of the `newsmon` entry layer above the services.
"""

__version__ = "0.1.0"
"""The release of newsmon this base belongs to: in metrics (build_info) and the feed fetcher's User-Agent."""
