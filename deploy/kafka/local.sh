#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft mode) for development, tests and CI, without Docker.
#
#   deploy/kafka/local.sh start|stop|status|restart|reset|logs
#
# Environment (all optional):
#   NEWSMON_KAFKA_PORT             broker port on 127.0.0.1 (default 9092)
#   NEWSMON_KAFKA_CONTROLLER_PORT  KRaft controller port (default: broker port + 1)
#   NEWSMON_KAFKA_STATE_DIR        data, log and pid file (default: .kafka/<port> in the repository)
#   NEWSMON_KAFKA_HEAP             maximum heap (default 768m)
#   NEWSMON_KAFKA_START_TIMEOUT    seconds to wait for the broker to answer (default 90)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
port="${NEWSMON_KAFKA_PORT:-9092}"
controller_port="${NEWSMON_KAFKA_CONTROLLER_PORT:-$((port + 1))}"
state="${NEWSMON_KAFKA_STATE_DIR:-$repo/.kafka/$port}"
heap="${NEWSMON_KAFKA_HEAP:-768m}"
timeout="${NEWSMON_KAFKA_START_TIMEOUT:-90}"
lib="$repo/.kafka/lib"
pidfile="$state/broker.pid"
logfile="$state/server.log"

say() { echo "local-kafka: $*" >&2; }

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" | grep -q kafka.Kafka && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

resolve_jars() {
  local stamp
  stamp="$(sha256sum "$here/pom.xml" | cut -c1-16)"
  if [ -f "$lib/.stamp" ] && [ "$(cat "$lib/.stamp")" = "$stamp" ]; then return 0; fi
  command -v mvn >/dev/null || { say "Maven (mvn) is required to fetch the broker jars"; exit 1; }
  command -v java >/dev/null || { say "Java 17+ is required to run the broker"; exit 1; }
  say "resolving the Kafka broker jars from Maven Central (first run only)"
  rm -rf "$lib.tmp"
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib.tmp" >&2
  rm -rf "$lib" && mv "$lib.tmp" "$lib" && echo "$stamp" >"$lib/.stamp"
}

write_properties() {
  cat >"$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$state/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.cleaner.backoff.ms=5000
PROPS
}

java_args=(-Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$here/log4j.properties" "-Dkafka.log.file=$logfile" -cp "$lib/*")
java_cmd() { java "${java_args[@]}" "$@"; }

start() {
  if pid="$(running_pid)"; then say "already running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  if port_open "$port"; then
    say "port $port is taken by another process; stop it, or set NEWSMON_KAFKA_PORT to a free port"
    exit 1
  fi
  resolve_jars
  mkdir -p "$state"
  write_properties
  if [ ! -f "$state/data/meta.properties" ]; then
    java_cmd kafka.tools.StorageTool format --ignore-formatted \
      -t "$(java_cmd kafka.tools.StorageTool random-uuid)" -c "$state/server.properties" >/dev/null
  fi
  : >"$logfile"
  setsid java "${java_args[@]}" kafka.Kafka "$state/server.properties" >>"$state/console.out" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local waited=0
  until grep -q "Kafka Server started" "$logfile" 2>/dev/null && port_open "$port"; do
    if ! running_pid >/dev/null; then
      say "the broker exited during start-up; last lines of $logfile:"
      tail -n 20 "$logfile" "$state/console.out" >&2 || true
      exit 1
    fi
    if [ "$waited" -ge "$((timeout * 5))" ]; then say "no answer after ${timeout}s; see $logfile"; stop; exit 1; fi
    sleep 0.2; waited=$((waited + 1))
  done
  say "started on 127.0.0.1:$port (pid $(cat "$pidfile"), log $logfile)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then say "not running on port $port"; rm -f "$pidfile"; return 0; fi
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then say "still running after 30s; killing"; kill -KILL "$pid"; fi
  rm -f "$pidfile"
  say "stopped (port $port)"
}

status() {
  if pid="$(running_pid)"; then say "running on 127.0.0.1:$port (pid $pid)"; else say "not running on port $port"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  reset) stop; rm -rf "$state"; say "state removed ($state)" ;;
  logs) exec tail -n "${2:-50}" -f "$logfile" ;;
  *) echo "usage: $0 start|stop|restart|status|reset|logs [lines]" >&2; exit 2 ;;
esac
