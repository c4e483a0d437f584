#!/usr/bin/env bash
# Makes sure MariaDB (127.0.0.1:3306) and Redis (127.0.0.1:6379) answer: starts them if they are
# installed but stopped (the same commands the machine uses at boot), and says what to install if not.
set -euo pipefail

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
mariadb_up() { mariadb-admin -uroot -h 127.0.0.1 --connect-timeout=2 ping >/dev/null 2>&1; }

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if $check; then echo "services: $what is up"; return 0; fi
    sleep 0.5
  done
  echo "services: $what did not come up within 30 s" >&2
  return 1
}

if redis_up; then
  echo "services: Redis is up"
elif command -v redis-server >/dev/null; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_up
else
  echo "services: Redis is not installed. Install it with: apt-get install -y redis-server" >&2
  exit 1
fi

if mariadb_up; then
  echo "services: MariaDB is up"
elif [ -x /usr/sbin/mariadbd ]; then
  echo "services: starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for MariaDB mariadb_up
else
  echo "services: MariaDB is not installed. Install it with: apt-get install -y mariadb-server" >&2
  exit 1
fi

# BullMQ and the booking holds are only correct if Redis never evicts keys.
policy=$(redis-cli -h 127.0.0.1 -p 6379 config get maxmemory-policy | tail -n 1)
if [ "$policy" != "noeviction" ]; then
  echo "services: Redis maxmemory-policy is '$policy'; setting noeviction"
  redis-cli -h 127.0.0.1 -p 6379 config set maxmemory-policy noeviction >/dev/null
fi
