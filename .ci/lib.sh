# Shared by the .ci scripts that talk to a live server: the pinned tools
# they install (once, into target/) and starting the debug binary on a free
# loopback port with a fresh database. Source it; it defines functions only.

# Pinned so an upgrade cannot change a verdict.
OAS_VALIDATOR_VERSION=0.9.0
PYTHON_CLIENT_VERSION=0.29.1
REDOCLY_VERSION=2.77.0
SPECTRAL_VERSION=6.16.3
OAS_VENV=target/oas-venv
NODE_TOOLS=target/node-tools

# openapi-spec-validator and openapi-python-client into $OAS_VENV.
ensure_python_tools() {
  local want="openapi-spec-validator==$OAS_VALIDATOR_VERSION openapi-python-client==$PYTHON_CLIENT_VERSION"
  if [ "$(cat "$OAS_VENV/.pinned" 2>/dev/null)" != "$want" ]; then
    echo "== installing $want into $OAS_VENV"
    python3 -m venv "$OAS_VENV"
    # shellcheck disable=SC2086
    "$OAS_VENV/bin/pip" install -q --disable-pip-version-check $want
    echo "$want" >"$OAS_VENV/.pinned"
  fi
}

# Redocly CLI and Spectral into $NODE_TOOLS (npm; nothing global).
ensure_node_tools() {
  local want="@redocly/cli@$REDOCLY_VERSION @stoplight/spectral-cli@$SPECTRAL_VERSION"
  if [ "$(cat "$NODE_TOOLS/.pinned" 2>/dev/null)" != "$want" ]; then
    echo "== installing $want into $NODE_TOOLS"
    mkdir -p "$NODE_TOOLS"
    [ -f "$NODE_TOOLS/package.json" ] || echo '{"private": true}' >"$NODE_TOOLS/package.json"
    # shellcheck disable=SC2086
    (cd "$NODE_TOOLS" && npm install --no-audit --no-fund --silent $want)
    echo "$want" >"$NODE_TOOLS/.pinned"
  fi
}

# start_server DIR [ENV=VALUE...]: builds the debug binary and starts it
# on 127.0.0.1:0 with the database DIR/venue-groups.db and the admin
# $ADMIN_EMAIL / $ADMIN_PASSWORD; sets SERVER_PID and BASE
# (http://127.0.0.1:PORT). Stop it with stop_server.
start_server() {
  local dir=$1
  shift
  cargo build --quiet
  env VENUE_GROUPS_ADMIN_EMAIL="$ADMIN_EMAIL" VENUE_GROUPS_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$@" \
    target/debug/venue-groups serve --addr 127.0.0.1:0 --db "$dir/venue-groups.db" --log warn \
    >"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  BASE=""
  for _ in $(seq 1 200); do
    BASE="$(grep -o 'listening on http://[0-9.:]*' "$dir/server.log" | head -n1 | sed 's/listening on //')" || true
    [ -n "$BASE" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  cat "$dir/server.log" >&2
  echo "the server did not start" >&2
  return 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
