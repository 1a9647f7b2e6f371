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
COPY schemas ./schemas
COPY services ./services
RUN /opt/newsmon/bin/pip install --quiet . \
    && /opt/newsmon/bin/python -m compileall -q /opt/newsmon/lib
# The classification engine compiled with mypyc (1.4x faster on conflict-heavy text). The compiler and mypy
# live in this stage only; the extensions they build need neither at run time.
RUN apt-get update && apt-get install --yes --no-install-recommends gcc libc6-dev \
    && python -m venv /opt/build-tools && /opt/build-tools/bin/pip install --quiet mypy setuptools \
    && PYTHONPATH=$(/opt/build-tools/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
       /opt/newsmon/bin/python -m services.classify.build_native build

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
    NEWSMON_LOG_FORMAT=json
USER 10001:10001
EXPOSE 9101 9102 9103
ENTRYPOINT ["newsmon"]
CMD ["--help"]
