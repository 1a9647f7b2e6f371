#!/usr/bin/env bash
# Install the system tools the tests use, from Debian packages, when they are missing:
#   prometheus, promtool  (package prometheus): check the configs and rules, run a real Prometheus
#   chromium              (package chromium):   open the acknowledge page and HTML email as a person does
set -euo pipefail

missing=()
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing+=(prometheus)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0

install=(apt-get install -y --no-install-recommends "${missing[@]}")
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing for the tests: ${missing[*]}, and this is not a Debian-like system:" >&2
  echo "install Prometheus 2.x (prometheus, promtool) and Chromium so that they are on PATH, then retry." >&2
  exit 1
fi
echo "installing Debian packages for the tests: ${missing[*]}..." >&2
if [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${install[@]}" -qq
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive "${install[@]}" -qq
else
  echo "${missing[*]} missing, and installing needs root:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
# The prometheus package starts a system service where systemd runs; the tests start their own instead.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  echo "note: the package's own prometheus service is running on port 9090; the tests do not need it" >&2
fi
command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v chromium >/dev/null
