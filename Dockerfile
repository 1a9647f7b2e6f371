# One image for every newsmon service: `docker run IMAGE serve ingest|classify|alert`.
# Build stage: install newsmon and its dependencies into a virtualenv. Runtime stage: that virtualenv,
# the default config, and an unprivileged user; no compilers, no pip cache, no build files.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/newsmon
WORKDIR /src
COPY pyproject.toml README.md ./
COPY newsmon ./newsmon
COPY streambase ./streambase
COPY schemas ./schemas
COPY services ./services
RUN /opt/newsmon/bin/pip install --quiet . \
    && /opt/newsmon/bin/python -m compileall -q /opt/newsmon/lib
# The classification engine's hot path in Rust (about 4x the Python engine's speed). The toolchain lives
# in this stage only; the extension it builds needs nothing at run time.
ENV PATH=/root/.cargo/bin:$PATH
RUN apt-get update && apt-get install --yes --no-install-recommends curl ca-certificates gcc libc6-dev \
    && curl --proto '=https' --tlsv1.2 --silent --show-error --fail https://sh.rustup.rs \
       | sh -s -- -y --profile minimal --no-modify-path \
    && /opt/newsmon/bin/pip install --quiet ./services/classify/engine_rs

FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 newsmon \
    && useradd --system --uid 10001 --gid newsmon --home-dir /app --no-create-home --shell /usr/sbin/nologin newsmon
COPY --from=build /opt/newsmon /opt/newsmon
WORKDIR /app
COPY config ./config
RUN mkdir -p /app/var && chown newsmon:newsmon /app/var
ENV PATH=/opt/newsmon/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    NEWSMON_CONFIG=/app/config/newsmon.yaml \
    NEWSMON_STATE_DIR=/app/var \
    NEWSMON_METRICS_HOST=0.0.0.0 \
    NEWSMON_LOG_FORMAT=json
USER 10001:10001
EXPOSE 9101 9102 9103
ENTRYPOINT ["newsmon"]
CMD ["--help"]
