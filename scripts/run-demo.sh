#!/usr/bin/env bash
# run-demo.sh BINDIR: runs hitless in the foreground on its embedded
# configuration: 127.0.0.1:8080 balanced across app1 (:8081) and app2
# (:8082), two servers hitless itself plays. Ctrl-C stops it.
set -euo pipefail
bin=${1:-bin}
cat <<'MSG'
hitless is starting on its embedded configuration:
  frontend demo  127.0.0.1:8080  ->  app1 127.0.0.1:8081, app2 127.0.0.1:8082 (roundrobin, mode http)
  runtime API    /tmp/hitless-demo.sock  (try: echo "show stat" | socat stdio unix-connect:/tmp/hitless-demo.sock)
Try:  curl http://127.0.0.1:8080/   (run it twice: app1 then app2 answer)
Ctrl-C stops hitless.
MSG
exec "$bin/hitless" -d
