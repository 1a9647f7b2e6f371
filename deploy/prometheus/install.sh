#!/usr/bin/env bash
# Install Prometheus and promtool (Debian's `prometheus` package) when either is missing.
# The tests use them to check the configs and rules and to run a real Prometheus against the services.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi

install=(apt-get install -y --no-install-recommends prometheus)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "prometheus and promtool are missing and this is not a Debian-like system:" >&2
  echo "install Prometheus 2.x so that 'prometheus' and 'promtool' are on PATH, then retry." >&2
  exit 1
fi
echo "installing Debian's prometheus package (prometheus, promtool) for the tests..." >&2
if [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${install[@]}" -qq
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive "${install[@]}" -qq
else
  echo "prometheus and promtool are missing, and installing them needs root:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus" >&2
  exit 1
fi
# The package starts a system service where systemd runs; the tests start their own Prometheus instead.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  echo "note: the package's own prometheus service is running on port 9090; the tests do not need it" >&2
fi
command -v prometheus >/dev/null && command -v promtool >/dev/null
