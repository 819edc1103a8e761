# Sourced by scripts/test.sh: a throw-away PostgreSQL cluster in a temporary directory,
# owned by the postgres user, on a free loopback port. Exports EXPLAINER_TEST_PG for tests.
pg_test_server_start() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$bindir" ]]; then
    echo "pg-test-server: PostgreSQL not installed; PostgreSQL tests will be skipped" >&2
    return 0
  fi
  PG_TEST_DIR=$(mktemp -d /tmp/explainer-pg.XXXXXX)
  PG_TEST_PORT=${PG_TEST_PORT:-55432}
  chown postgres:postgres "$PG_TEST_DIR" 2>/dev/null || true
  local as_pg=()
  if [[ $(id -u) -eq 0 ]]; then as_pg=(su postgres -s /bin/sh -c); else as_pg=(sh -c); fi
  "${as_pg[@]}" "$bindir/initdb -D $PG_TEST_DIR/data -A trust -U postgres >/dev/null"
  "${as_pg[@]}" "$bindir/pg_ctl -D $PG_TEST_DIR/data -o '-p $PG_TEST_PORT -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c fsync=on' -l $PG_TEST_DIR/log -w start >/dev/null"
  "${as_pg[@]}" "$bindir/psql -h 127.0.0.1 -p $PG_TEST_PORT -U postgres -qc \"create role explainer login password 'explainer'\" >/dev/null"
  "${as_pg[@]}" "$bindir/psql -h 127.0.0.1 -p $PG_TEST_PORT -U postgres -qc 'create database explainer_test owner explainer' >/dev/null"
  export EXPLAINER_TEST_PG="host=127.0.0.1 port=$PG_TEST_PORT user=explainer password=explainer dbname=explainer_test"
  PG_TEST_BINDIR=$bindir
  echo "pg-test-server: PostgreSQL running on 127.0.0.1:$PG_TEST_PORT"
}

pg_test_server_stop() {
  if [[ -n "${PG_TEST_DIR:-}" ]]; then
    if [[ $(id -u) -eq 0 ]]; then
      su postgres -s /bin/sh -c "$PG_TEST_BINDIR/pg_ctl -D $PG_TEST_DIR/data -m fast -w stop >/dev/null" || true
    else
      "$PG_TEST_BINDIR/pg_ctl" -D "$PG_TEST_DIR/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$PG_TEST_DIR"
  fi
}
