"""The `receivers:` section of newsmon.yaml: named receivers, any number of each type.

A receiver is an instance of a type (`slack`, `email`, `teams`, `mattermost`, `webhook`, `console`) under a
name that routes use and that delivery records are keyed by, so a name must be unique and stay the same.
Secrets (webhook URLs, signing secrets, passwords) never live in this file: a receiver names the
environment variable that holds each (`webhook_url_env: NEWSMON_RECEIVER_DESK_URL`), and the variable
`NAME_FILE` may name a file holding it instead, as Docker secrets do. Pure: the checks here take what they
need to know about the environment as arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
)

from services.alert.config import AlertingOptions, ReceiverName
from services.alert.digest_config import DigestOptions

ReceiverType = Literal["slack", "email", "teams", "mattermost", "webhook", "console"]
RECEIVER_TYPES: tuple[ReceiverType, ...] = ("slack", "email", "teams", "mattermost", "webhook", "console")

LEGACY = {
    "slack": "set NEWSMON_SLACK_WEBHOOK_URL",
    "email": "set NEWSMON_SMTP_HOST and NEWSMON_SMTP_RECIPIENTS",
    "console": "always available",
}
"""Receivers configured by variables alone, as before named receivers existed."""


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
Loc = tuple[int | str, ...]
Problems = list[tuple[Loc, str]]


def _env_name(value: object) -> str:
    """The name of a variable, never its value: the message does not repeat what was written."""
    if not isinstance(value, str) or not _ENV_NAME.match(value) or value.endswith("_FILE"):
        raise ValueError(
            "must be the name of an environment variable that holds the secret (e.g. "
            "NEWSMON_RECEIVER_DESK_URL; NAME_FILE may then name a file holding it), not the secret itself"
        )
    return value


EnvName = Annotated[str, BeforeValidator(_env_name)]

SECRET_FIELDS = {
    "webhook_url": "webhook_url_env",
    "url": "url_env",
    "secret": "secret_env",
    "password": "password_env",
    "token": "a *_env field",
}
"""Fields someone might write a secret into, and where its variable's name goes instead."""


def _refuse_secret(field: str) -> str:
    return (
        f"secrets are never written in this file: put it in an environment variable (or a file named by "
        f"VARIABLE_FILE) and give the variable's name in `{SECRET_FIELDS[field]}`"
    )


class _NoSecrets(BaseModel):
    """Refuses a secret written where its variable's name belongs, with a message that does not echo it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_url: None = Field(default=None, exclude=True, description="Refused: use webhook_url_env")
    url: None = Field(default=None, exclude=True, description="Refused: use url_env")
    secret: None = Field(default=None, exclude=True, description="Refused: use secret_env")
    password: None = Field(default=None, exclude=True, description="Refused: use password_env")
    token: None = Field(default=None, exclude=True, description="Refused")

    @field_validator("webhook_url", "url", "secret", "password", "token", mode="before")
    @classmethod
    def _refused(cls, value: object, info: ValidationInfo) -> None:
        if value is not None:
            raise ValueError(_refuse_secret(info.field_name or "token"))
        return None


class _Receiver(_NoSecrets):
    type: ReceiverType
    name: ReceiverName = Field(
        description="Unique and stable: routes name it, delivery records are keyed by it"
    )
    digest: DigestOptions | None = Field(
        default=None, description="One message per period with its situations (digest_config.py)"
    )

    def secret_vars(self) -> dict[str, str]:
        """Field -> name of the environment variable it names."""
        return {
            field: value
            for field, value in self.model_dump().items()
            if field.endswith("_env") and isinstance(value, str)
        }


class SlackReceiverSpec(_Receiver):
    type: Literal["slack"]
    webhook_url_env: EnvName = Field(description="Variable holding the incoming-webhook URL")


class TeamsReceiverSpec(_Receiver):
    type: Literal["teams"]
    webhook_url_env: EnvName = Field(description="Variable holding the Workflows webhook URL")


class MattermostReceiverSpec(_Receiver):
    type: Literal["mattermost"]
    webhook_url_env: EnvName = Field(description="Variable holding the incoming-webhook URL")
    channel: str | None = Field(default=None, max_length=64, description="Override the webhook's channel")
    username: str | None = Field(default=None, max_length=64, description="Override the poster's name")


class WebhookReceiverSpec(_Receiver):
    type: Literal["webhook"]
    url_env: EnvName = Field(description="Variable holding the URL the JSON body is POSTed to")
    secret_env: EnvName = Field(description="Variable holding the HMAC-SHA256 signing secret")


class SmtpOverrides(_NoSecrets):
    """This receiver's own SMTP server; what is left out comes from NEWSMON_SMTP_*."""

    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] | None = None
    username: str | None = None
    password_env: EnvName | None = Field(default=None, description="Variable holding the SMTP password")
    sender: str | None = None


EmailAddress = Annotated[str, StringConstraints(pattern=r"^[^@\s,<>]+@[^@\s,<>]+$", max_length=254)]


class EmailReceiverSpec(_Receiver):
    type: Literal["email"]
    to: tuple[EmailAddress, ...] = Field(min_length=1, description="Recipients")
    smtp: SmtpOverrides = SmtpOverrides()

    def secret_vars(self) -> dict[str, str]:
        env = self.smtp.password_env
        return {"smtp.password_env": env} if env else {}


class ConsoleReceiverSpec(_Receiver):
    type: Literal["console"]


def _type_of(value: object) -> str | None:
    found = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return found if isinstance(found, str) else None


ReceiverSpec = Annotated[
    Annotated[SlackReceiverSpec, Tag("slack")]
    | Annotated[EmailReceiverSpec, Tag("email")]
    | Annotated[TeamsReceiverSpec, Tag("teams")]
    | Annotated[MattermostReceiverSpec, Tag("mattermost")]
    | Annotated[WebhookReceiverSpec, Tag("webhook")]
    | Annotated[ConsoleReceiverSpec, Tag("console")],
    Discriminator(
        _type_of,
        custom_error_type="receiver_type",
        custom_error_message=f"unknown or missing receiver type: use one of {', '.join(RECEIVER_TYPES)}",
    ),
]
Receivers = tuple[ReceiverSpec, ...]


# -- checks across sections --------------------------------------------------------------------------------


def _named(alerting: AlertingOptions) -> Iterator[tuple[Loc, str]]:
    """Every receiver name that routes and the default use, with where it is written."""
    for j, name in enumerate(alerting.receivers):
        yield ("alerting", "receivers", j), name
    for i, route in enumerate(alerting.routes):
        for j, name in enumerate(route.receivers):
            yield ("alerting", "routes", i, "receivers", j), name


def reference_problems(receivers: Sequence[_Receiver], alerting: AlertingOptions) -> Problems:
    """What is wrong whatever the environment: a name used twice or reserved, a route to no receiver."""
    problems: Problems = []
    seen: set[str] = set()
    for i, spec in enumerate(receivers):
        if spec.name == "console" and spec.type != "console":
            problems.append((("receivers", i, "name"), "'console' is the built-in console receiver"))
        if spec.name in seen:
            problems.append(
                (("receivers", i, "name"), f"receiver name {spec.name!r} is used twice; names must be unique")
            )
        seen.add(spec.name)
    for loc, name in _named(alerting):
        if name not in seen and name not in LEGACY:
            problems.append((loc, f"no receiver is named {name!r} (see `receivers:`)"))
    return problems


SecretState = Callable[[str], str | None]
"""Given a variable's name: None when it (or NAME_FILE) gives a secret, else what is wrong."""


def environment_problems(
    receivers: Sequence[_Receiver],
    alerting: AlertingOptions,
    secret_state: SecretState,
    legacy_configured: frozenset[str],
    smtp_host_set: bool,
) -> Problems:
    """What is wrong in this environment: a secret that is not set, a name also configured by the old
    variables, an email receiver without a server, a route to an old receiver that is not configured."""
    problems: Problems = []
    for i, spec in enumerate(receivers):
        for field, env in spec.secret_vars().items():
            state = secret_state(env)
            if state is not None:
                problems.append((("receivers", i, *field.split(".")), state))
        if spec.name in legacy_configured - {"console"}:
            variable = LEGACY[spec.name].removeprefix("set ")
            problems.append(
                (
                    ("receivers", i, "name"),
                    f"receiver {spec.name!r} is also configured by {variable}: rename one",
                )
            )
        if isinstance(spec, EmailReceiverSpec) and not (spec.smtp.host or smtp_host_set):
            problems.append(
                (("receivers", i, "to"), "no SMTP server: set NEWSMON_SMTP_HOST or this receiver's smtp.host")
            )
    named = {spec.name for spec in receivers}
    for loc, name in _named(alerting):
        if name not in named and name in LEGACY and name not in legacy_configured:
            problems.append((loc, f"receiver {name!r} is not configured ({LEGACY[name]})"))
    return problems
