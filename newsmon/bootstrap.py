"""Where each service is wired: every service gets only its own part of the configuration and settings.

The services never import this layer; it imports them, reads the environment for them and hands each one
narrow, typed inputs. Only the alert service is given receiver secrets.
"""

from __future__ import annotations

from newsmon import runtime
from newsmon.config import NewsmonConfig
from services.alert.names import DisplayNames
from streambase.settings import ServiceSettings


def run_ingest(settings: ServiceSettings, config: NewsmonConfig, metrics_port: int) -> None:
    from services.ingest.service import IngestConfig, main

    main(settings, IngestConfig(config.feeds, config.ingest), metrics_port)


def run_classify(settings: ServiceSettings, config: NewsmonConfig, metrics_port: int) -> None:
    from services.classify.worker import ClassifyConfig, main

    main(settings, ClassifyConfig(config.classify, config.taxonomy, config.packs), metrics_port)


def display_names(config: NewsmonConfig) -> DisplayNames:
    """The labels of the taxonomy this deployment classifies with (validated with the rest of newsmon.yaml
    at start): the alert service names topics and signals by them, and gets nothing else of the taxonomy."""
    taxonomy = config.taxonomy
    return DisplayNames.of(
        ((t.id, t.label) for t in taxonomy.topics), ((s.id, s.label) for s in taxonomy.signals)
    )


def run_alert(settings: ServiceSettings, config: NewsmonConfig, metrics_port: int) -> None:
    from services.alert.service import AlertConfig, main

    alert = AlertConfig(
        config.alerting, config.rules, config.classify.window, config.receivers, display_names(config)
    )
    rt = runtime.alert_settings(settings, config.receivers)
    runtime.check_receivers(rt, config)
    main(rt, alert, metrics_port)
