#!/usr/bin/env bash
# Installs the Debian packages a task needs, when missing: postgis, chromium, docker-compose, nginx.
# As root it uses apt-get; otherwise it says what to install and fails.
set -euo pipefail

missing=()
for want in "$@"; do
  case "$want" in
    postgis)
      ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 \
        || missing+=(postgresql postgresql-15-postgis-3) ;;
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    docker-compose) command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose) ;;
    nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx) ;;
    *) echo "system-deps: unknown dependency '$want'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
