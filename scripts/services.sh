#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on loopback for tests and for trying the scale-out by hand.
#   scripts/services.sh start   starts both (data in a temp folder), prints the settings to use
#   scripts/services.sh env     prints the settings again (eval "$(scripts/services.sh env)")
#   scripts/services.sh stop    stops both and deletes their data
# Ports: BOARD_PG_PORT (default 25432) and BOARD_REDIS_PORT (default 26379; both below the
# kernel's ephemeral range, 32768–60999, so that no client socket of a bench or test can be holding them). State lives in
# BOARD_SERVICES_DIR (default /tmp/board-services). PostgreSQL refuses to run as root, so as root the
# server runs as user postgres (runuser); the data folder is made reachable for that user.
set -euo pipefail
dir=${BOARD_SERVICES_DIR:-/tmp/board-services}
pg_port=${BOARD_PG_PORT:-25432}
redis_port=${BOARD_REDIS_PORT:-26379}
pg_bin=${BOARD_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

print_env() {
  echo "export BOARD_TEST_POSTGRES='Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=board;Database=postgres'"
  echo "export BOARD_TEST_REDIS='127.0.0.1:$redis_port'"
  echo "# the app, for a scale-out run (see README, Scale out):"
  echo "export Database__Provider=Postgres"
  echo "export ConnectionStrings__Board='Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=board;Database=board'"
  echo "export SignalR__Redis='127.0.0.1:$redis_port'"
}

start_pg() {
  [ -x "$pg_bin/initdb" ] || { echo "services: PostgreSQL not found (apt-get install postgresql)" >&2; exit 1; }
  if [ -f "$dir/pg/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then return; fi
  mkdir -p "$dir"
  chmod 755 "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    printf 'board\n' > "$dir/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pwfile"
    as_pg "$pg_bin/initdb" -D "$dir/pg" -U postgres --pwfile="$dir/pwfile" -A scram-sha-256 -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # fsync stays on: the tests prove durability claims (kill -9), so the database must behave like a real one.
  as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
    || { cat "$dir/pg.log" >&2; exit 1; }
}

start_redis() {
  command -v redis-server >/dev/null || { echo "services: redis-server not found (apt-get install redis-server)" >&2; exit 1; }
  if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then return; fi
  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$dir/redis" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "services: redis-server did not answer on $redis_port" >&2; exit 1
}

case "${1:-}" in
  start)
    start_pg
    start_redis
    print_env
    ;;
  env)
    print_env
    ;;
  stop)
    if [ -f "$dir/pg/PG_VERSION" ]; then as_pg "$pg_bin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
    if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; sleep 0.2; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
