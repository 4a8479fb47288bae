#!/bin/sh
# Health check of the example `cache` image. `redis-cli ping` alone exits 0 even when the server
# answers with an error (e.g. "LOADING" while it replays the append-only file), so require PONG.
reply=$(redis-cli -h 127.0.0.1 -p 6379 ping 2>&1)
[ "$reply" = PONG ] && exit 0
echo "unhealthy: redis-cli ping answered: $reply"
exit 1
