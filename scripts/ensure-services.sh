#!/usr/bin/env bash
# Makes sure every server the tests talk to is up on 127.0.0.1: starts the ones that are installed
# and stopped, installs the missing ones with apt-get (as root), and creates the test accounts.
# Idempotent and quick when everything already runs. Used by `npm test` and by `.ci/run`.
set -uo pipefail

log() { echo "[ensure-services] $*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 120); do port_open "$1" && return 0; sleep 0.5; done
  log "port $1 did not open"; return 1
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
APT_UPDATED=0
apt_install() {
  if ! command -v apt-get >/dev/null; then log "apt-get not found: install $* by hand"; return 1; fi
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq >&2 && APT_UPDATED=1; fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

# The fault tests run initdb and pg_ctl as the postgres user, which write to /dev/null: on a machine
# where /dev/null had lost its write bits for others (seen once: crw-r--r--), every such test failed.
if [ -c /dev/null ] && [ "$(stat -c %a /dev/null)" != 666 ]; then
  log "/dev/null is mode $(stat -c %a /dev/null); restoring 666"
  as_root chmod 666 /dev/null || log "could not chmod /dev/null"
fi

ensure() { # name port binary package start-command...
  local name=$1 port=$2 binary=$3 package=$4; shift 4
  if port_open "$port"; then return 0; fi
  if ! command -v "$binary" >/dev/null && [ ! -x "$binary" ]; then apt_install $package || return 1; fi
  log "starting $name on $port"
  as_root bash -c "$*" >&2 || log "start command for $name failed"
  wait_port "$port"
}

PG_VERSION_DIR=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
ensure postgresql 5432 /usr/bin/pg_ctlcluster "postgresql" \
  "pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql | sort -V | tail -1) main start"
ensure mariadb 3306 /usr/sbin/mariadbd "mariadb-server" \
  "mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null; start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1"
ensure redis 6379 redis-server "redis-server" \
  "mkdir -p /var/lib/redis /var/log/redis; redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
ensure rabbitmq 5672 rabbitmq-server "rabbitmq-server" "rabbitmq-server -detached"
ensure mosquitto 1883 mosquitto "mosquitto" "mosquitto -d -c /etc/mosquitto/mosquitto.conf"
ensure nats 4222 /usr/sbin/nats-server "nats-server" \
  "mkdir -p /var/lib/nats-server; start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log"

# Test accounts: the same credentials work on a fresh install and on a trust-auth machine.
if port_open 5432; then
  as_root su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='sluice') THEN CREATE ROLE sluice LOGIN SUPERUSER PASSWORD 'sluice'; END IF; END \\\$\\\$;\"" >/dev/null 2>&1 \
    || log "could not create the PostgreSQL role sluice (tests use postgres://sluice:sluice@127.0.0.1:5432/sluice_test)"
  as_root su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='sluice_test'\" | grep -q 1 || createdb -O sluice sluice_test" >/dev/null 2>&1 || true
fi
if port_open 3306; then
  as_root mariadb -u root -e "CREATE USER IF NOT EXISTS 'sluice'@'127.0.0.1' IDENTIFIED BY 'sluice'; CREATE USER IF NOT EXISTS 'sluice'@'localhost' IDENTIFIED BY 'sluice'; GRANT ALL ON *.* TO 'sluice'@'127.0.0.1'; GRANT ALL ON *.* TO 'sluice'@'localhost'; CREATE DATABASE IF NOT EXISTS sluice_test;" >/dev/null 2>&1 \
    || log "could not create the MariaDB user sluice"
fi

# The console's browser test drives Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then apt_install chromium || log "could not install chromium (the console test needs /usr/bin/chromium)"; fi

# The wire-level Kafka fake decodes lz4 and zstd batches with the reference tools, not with the
# codecs Sluice registers (test/support/fake-kafka/codecs.ts).
for tool in lz4 zstd; do
  command -v "$tool" >/dev/null || apt_install "$tool" || log "could not install $tool (the Kafka codec tests need it)"
done

# The docs' shell examples run in the docs examples test (docs/doc-examples.md) with these tools.
for tool in curl jq sqlite3; do
  command -v "$tool" >/dev/null || apt_install "$tool" || log "could not install $tool (the docs examples need it)"
done

missing=0
for p in 5432 3306 6379 5672 1883 4222; do port_open "$p" || { log "port $p is still closed"; missing=1; }; done
[ "$missing" = 0 ] && log "all services up"
exit "$missing"
