"""Message schemas shared by every newsmon service: pydantic v2 models and their one codec."""

from schemas.alert import Acknowledgement, Alert, AlertEvidence, DeliveryRecord, DeliveryStatus, Silence
from schemas.article import RawArticle
from schemas.classified import ClassifiedArticle, Evidence, SignalHit, StoryRef
from schemas.codec import InvalidMessage, decode, encode, payload_preview
from schemas.common import Duration, Identifier, Message, Polarity, Severity, parse_duration
from schemas.deadletter import DeadLetter
from schemas.feed import FeedHealth, FeedSpec, SeenArticle
from schemas.trend import TrendWindow

__all__ = [
    "Acknowledgement",
    "Alert",
    "AlertEvidence",
    "ClassifiedArticle",
    "DeadLetter",
    "DeliveryRecord",
    "DeliveryStatus",
    "Duration",
    "Evidence",
    "FeedHealth",
    "FeedSpec",
    "Identifier",
    "InvalidMessage",
    "Message",
    "Polarity",
    "RawArticle",
    "SeenArticle",
    "Severity",
    "SignalHit",
    "Silence",
    "StoryRef",
    "TrendWindow",
    "decode",
    "encode",
    "parse_duration",
    "payload_preview",
]
