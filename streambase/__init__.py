"""The stream base every newsmon service stands on: Kafka plumbing written once.

Dead letters with a flood limit, records that never exceed the broker's limit, waiting for the broker at
start. It imports no service and nothing of the `newsmon` entry layer above the services.
"""
