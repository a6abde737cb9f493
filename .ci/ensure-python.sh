#!/usr/bin/env bash
# Make sure PYTHON (default python3) exists and can create a virtualenv: a fresh Debian has
# python3 but not python3-venv. Installs the missing Debian packages only.
set -euo pipefail

python="${1:-python3}"
if command -v "$python" >/dev/null 2>&1 && "$python" -c 'import ensurepip, venv' 2>/dev/null; then
    exit 0
fi
echo "[ensure-python] installing python3 and python3-venv" >&2
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run env DEBIAN_FRONTEND=noninteractive apt-get update -q
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    python3 python3-venv
