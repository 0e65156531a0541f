#!/usr/bin/env bash
# install-deps.sh PKG... installs the Debian packages that are missing.
# It is idempotent: with everything present it only checks and exits 0.
set -euo pipefail
missing=()
for pkg in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "need root or sudo to install ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services on install; tests start their own instances. Only
# the services of the packages installed now are stopped: an instance that
# was there before is not ours to stop.
for pkg in "${missing[@]}"; do
	case "$pkg" in
	haproxy) svc=haproxy ;;
	nginx-light) svc=nginx ;;
	redis-server) svc=redis-server ;;
	mariadb-server) svc=mariadb ;;
	postgresql) svc=postgresql ;;
	*) continue ;;
	esac
	$sudo systemctl stop "$svc" 2>/dev/null || $sudo service "$svc" stop 2>/dev/null || true
done
