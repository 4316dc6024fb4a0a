# shellcheck shell=bash
# Helpers for .ci/run: the system packages and services the tests need, and a
# throwaway database per run. Sourced, not executed; expects `set -euo pipefail`.
# Written for the CI machine: Debian 12, root, PostgreSQL 15 at 127.0.0.1:5432
# (trust auth for user postgres), Redis at 127.0.0.1:6379.

CI_PG_HOST=127.0.0.1
CI_PG_PORT=5432
CI_REDIS_HOST=127.0.0.1
CI_REDIS_PORT=6379
# One Redis logical db for CI, so FLUSHDB never touches keys kept in db 0.
CI_REDIS_DB=${CI_REDIS_DB:-5}
CI_DB_NAME=

ci_die() {
  echo "ci: error: $*" >&2
  exit 1
}

# psql as the postgres superuser on the maintenance db; stops at the first error.
ci_psql() {
  psql -h "$CI_PG_HOST" -p "$CI_PG_PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

# `dpkg -s` also succeeds for removed packages whose config files remain, so
# look at the status line, not just the exit code.
ci_pkg_installed() {
  dpkg -s "$1" 2>/dev/null | grep -qx 'Status: install ok installed'
}

# Install only what is missing: apt-get update is slow and needs the mirror, so
# a machine that already has everything never touches the network.
ci_ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    ci_pkg_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    echo "already installed: $*"
    return
  fi
  [[ $EUID -eq 0 ]] || ci_die "missing Debian packages (${missing[*]}); install them or run as root"
  echo "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# ci_wait_for <what> <seconds> <log file> <command...>: poll until the command
# succeeds. On timeout, show the service's log, which says why it did not come up.
ci_wait_for() {
  local what=$1 seconds=$2 log=$3
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "ci: error: $what did not answer within ${seconds}s ($*)" >&2
      [[ -r $log ]] && { echo "--- last lines of $log:" >&2; tail -n 20 "$log" >&2; }
      exit 1
    fi
    sleep 0.5
  done
}

ci_pg_ready() {
  pg_isready -q -h "$CI_PG_HOST" -p "$CI_PG_PORT"
}

# redis-cli exits 0 on some errors (e.g. LOADING), so compare the reply.
ci_redis_ready() {
  [[ $(redis-cli -h "$CI_REDIS_HOST" -p "$CI_REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

ci_ensure_postgres() {
  local log
  log=/var/log/postgresql/postgresql-$(ls /etc/postgresql)-main.log
  if ci_pg_ready; then
    echo "PostgreSQL already answering on $CI_PG_HOST:$CI_PG_PORT"
    return
  fi
  # --skip-systemctl-redirect: start the cluster directly, systemd does not run
  # here. A failed start ("already running" while still recovering) is not
  # fatal by itself: the wait below decides, and prints the server log if the
  # server never answers.
  echo "starting PostgreSQL"
  # shellcheck disable=SC2046 # one PostgreSQL version under /etc/postgresql
  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ||
    echo "ci: warning: pg_ctlcluster start failed; waiting for the server anyway" >&2
  ci_wait_for PostgreSQL 60 "$log" ci_pg_ready
  echo "PostgreSQL is up"
}

ci_ensure_redis() {
  local log=/var/log/redis/ci.log
  if ci_redis_ready; then
    echo "Redis already answering on $CI_REDIS_HOST:$CI_REDIS_PORT"
    return
  fi
  # No persistence: CI data is throwaway. With --daemonize, bind errors happen
  # after the fork and only reach the log, so the wait is the real check.
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  ci_wait_for Redis 30 "$log" ci_redis_ready
  echo "Redis is up"
}

# Databases that killed runs left behind (an EXIT trap does not survive
# SIGKILL or a lost machine). Other runs may be going on at the same time (CI
# or a developer's `npm test`), so only drop what is provably abandoned:
# - dispatch_ci_<epoch>_<pid>: the run that made it is no longer alive, or it
#   is over a day old (the pid was reused).
# - dispatch_test_*: the tests' own copies. We cannot tell whose they are, so:
#   nobody connected (and a plain DROP, no FORCE, still refuses if someone
#   connects meanwhile) and created over 10 minutes ago, so one a live run just
#   made is not dropped before it connects. Creation time = mtime of the
#   database's PG_VERSION file.
ci_drop_leftover_databases() {
  local name epoch pid age sessions now list err
  now=$(date +%s)
  # Name, age in seconds, sessions connected; one database a line.
  list=$(ci_psql -At -c "
    SELECT d.datname,
           extract(epoch FROM now() - (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification)::bigint,
           (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid)
    FROM pg_database d
    WHERE d.datname LIKE 'dispatch\_ci\_%' OR d.datname LIKE 'dispatch\_test\_%'
    ORDER BY d.datname")
  while IFS='|' read -r name age sessions; do
    [[ -n $name ]] || continue
    if [[ $name =~ ^dispatch_ci_([0-9]+)_([0-9]+)$ ]]; then
      epoch=${BASH_REMATCH[1]} pid=${BASH_REMATCH[2]}
      if kill -0 "$pid" 2>/dev/null && ((now - epoch < 86400)); then
        echo "keeping $name (run $pid still alive)"
        continue
      fi
      # Its run is gone; FORCE also ends sessions of orphaned test workers.
      ci_psql -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" &&
        echo "dropped leftover $name" ||
        echo "ci: warning: could not drop $name" >&2
    elif [[ $name =~ ^dispatch_test_[^\"]+$ ]]; then
      if ((age < 600)); then
        echo "keeping $name (created ${age}s ago, may belong to a live run)"
        continue
      fi
      # Checked first because a DROP of a database in use waits 5 s to fail.
      if ((sessions > 0)); then
        echo "keeping $name (in use: $sessions sessions)"
        continue
      fi
      if err=$(ci_psql -c "DROP DATABASE IF EXISTS \"$name\"" 2>&1); then
        echo "dropped leftover $name"
      else
        err=${err#ERROR:  }
        echo "keeping $name (${err%%$'\n'*})"
      fi
    fi
  done <<<"$list"
}

# A fresh database for this run; the pid in the name lets later runs see
# whether its owner is still alive. PostGIS is created here, once, so a broken
# PostGIS install fails CI with a clear message instead of inside a test, and
# the tests' dispatch_test_* copies of this database inherit the extension.
ci_create_database() {
  CI_DB_NAME=dispatch_ci_$(date +%s)_$$
  psql -h "$CI_PG_HOST" -p "$CI_PG_PORT" -U postgres -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$CI_DB_NAME\""
  psql -h "$CI_PG_HOST" -p "$CI_PG_PORT" -U postgres -X -q -v ON_ERROR_STOP=1 -d "$CI_DB_NAME" -c 'CREATE EXTENSION postgis' ||
    ci_die "CREATE EXTENSION postgis failed in $CI_DB_NAME (is postgresql-15-postgis-3 installed?)"
  local postgis
  postgis=$(psql -h "$CI_PG_HOST" -p "$CI_PG_PORT" -U postgres -X -At -d "$CI_DB_NAME" -c 'SELECT postgis_lib_version()')
  echo "created $CI_DB_NAME with PostGIS $postgis"
}

# EXIT trap: drop this run's database. It must not change the run's exit
# status, and FORCE because a failed test may have left a pool connected.
ci_drop_database() {
  local rc=$?
  if [[ -n $CI_DB_NAME ]]; then
    ci_psql -c "DROP DATABASE IF EXISTS \"$CI_DB_NAME\" WITH (FORCE)" &&
      echo "== dropped $CI_DB_NAME" ||
      echo "ci: warning: could not drop $CI_DB_NAME" >&2
    CI_DB_NAME=
  fi
  return "$rc"
}

# Start from an empty Redis db: keys from an earlier run would leak into tests.
ci_flush_redis_db() {
  [[ $(redis-cli -h "$CI_REDIS_HOST" -p "$CI_REDIS_PORT" -n "$CI_REDIS_DB" flushdb) == OK ]] ||
    ci_die "FLUSHDB of Redis db $CI_REDIS_DB failed"
  echo "flushed Redis db $CI_REDIS_DB"
}
