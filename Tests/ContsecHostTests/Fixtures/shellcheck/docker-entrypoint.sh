#!/bin/sh
# Entrypoint with mistakes ShellCheck knows: the shellcheck-wrapper test expects them by line.
set -e
cd /app
for f in $(ls /docker-entrypoint.d/*.sh); do
  . $f
done
if [ $1 == "serve" ]; then
  exec app --port $PORT
fi
exec "$@"
