#!/usr/bin/env bash
# Make sure the services the test suite talks to are installed and answering on 127.0.0.1:
# PostgreSQL 5432 (user postgres, trusted), Redis 6379, RabbitMQ 5672 (guest/guest),
# MariaDB 3306 (root, empty password, database `test`), Debian's chromium + chromedriver, and
# docker-compose (to validate compose/ offline; no Docker engine is needed).
# Installs only what is missing and starts only what is not answering, so when everything is up
# it returns in well under a second. Safe to run again and again.
set -euo pipefail

WAIT_SECONDS="${WAIT_SECONDS:-90}"

log() { printf '[ensure-services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

answering() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {  # name port
    local deadline=$((SECONDS + WAIT_SECONDS))
    until answering "$2"; do
        [ "$SECONDS" -lt "$deadline" ] || die "$1 is not answering on 127.0.0.1:$2 after ${WAIT_SECONDS}s"
        sleep 0.5
    done
    log "$1 is answering on 127.0.0.1:$2"
}

# -- 1. packages --------------------------------------------------------------------------
missing=()
for pkg in postgresql rabbitmq-server redis-server mariadb-server chromium chromium-driver docker-compose; do
    installed "$pkg" || missing+=("$pkg")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    # a policy-rc.d that says "no" keeps the packages' post-install scripts from starting
    # services through an init system a container does not have; they are started below
    policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod +x "$policy"
        trap 'as_root rm -f "$policy"' EXIT
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# -- 2. PostgreSQL ------------------------------------------------------------------------
pg_version="$(ls /etc/postgresql | sort -V | tail -n 1)"
[ -n "$pg_version" ] || die "no cluster under /etc/postgresql"
pg_hba="/etc/postgresql/$pg_version/main/pg_hba.conf"
pg_trusts_local() {
    psql -h 127.0.0.1 -U postgres -w -d postgres -tAc 'SELECT 1' >/dev/null 2>&1
}
if ! answering 5432; then
    log "starting PostgreSQL $pg_version"
    as_root pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start
fi
wait_for_port PostgreSQL 5432
if ! pg_trusts_local; then
    # a fresh Debian cluster asks for a password over TCP; the tests connect as postgres
    # without one, from this machine only
    log "trusting postgres@127.0.0.1 in $pg_hba"
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' \
        "$pg_hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main reload
    deadline=$((SECONDS + WAIT_SECONDS))
    until pg_trusts_local; do
        [ "$SECONDS" -lt "$deadline" ] || die "postgres@127.0.0.1 is still not trusted"
        sleep 0.5
    done
fi

# -- 3. Redis -----------------------------------------------------------------------------
if ! answering 6379; then
    log "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

# -- 4. RabbitMQ --------------------------------------------------------------------------
if ! answering 5672; then
    log "starting RabbitMQ"
    as_root rabbitmq-server -detached
fi

# -- 5. MariaDB ---------------------------------------------------------------------------
if ! answering 3306; then
    log "starting MariaDB"
    as_root install -d -o mysql -g mysql /run/mysqld
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi

wait_for_port Redis 6379
wait_for_port RabbitMQ 5672
wait_for_port MariaDB 3306

mariadb_open() { mysql -h 127.0.0.1 -u root -e 'SELECT 1' test >/dev/null 2>&1; }
if ! mariadb_open; then
    # a fresh install lets root in only through the unix socket (as the OS root); the tests
    # connect over TCP as root with an empty password to a database named `test`
    log "opening MariaDB to root@127.0.0.1 without a password"
    as_root mysql -u root <<'SQL'
CREATE DATABASE IF NOT EXISTS test;
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
    mariadb_open || die "MariaDB does not let root@127.0.0.1 in without a password"
fi

log "all services are up"
