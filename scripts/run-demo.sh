#!/usr/bin/env bash
# run-demo.sh BINDIR: starts two demo HTTP servers on 127.0.0.1:8081 and
# :8082, then hitless in the foreground on its embedded configuration
# (127.0.0.1:8080 balanced across them). Ctrl-C stops everything.
set -euo pipefail
bin=${1:-bin}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
"$bin/demo-backend" -listen 127.0.0.1:8081 -name app1 & pids+=($!)
"$bin/demo-backend" -listen 127.0.0.1:8082 -name app2 & pids+=($!)
cat <<'MSG'
hitless is starting on its embedded configuration:
  frontend demo  127.0.0.1:8080  ->  app1 127.0.0.1:8081, app2 127.0.0.1:8082 (roundrobin)
  runtime API    /tmp/hitless-demo.sock  (try: echo "show stat" | socat stdio unix-connect:/tmp/hitless-demo.sock)
Try:  curl http://127.0.0.1:8080/   (run it twice: app1 then app2 answer)
Ctrl-C stops hitless and the demo servers.
MSG
"$bin/hitless" -d
