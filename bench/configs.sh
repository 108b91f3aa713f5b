#!/usr/bin/env bash
# Writes the configs of the benchmark's backends and of the three proxies into $1.
# Every proxy gets one thread, round robin over the same three backends, TCP health checks, 1 h idle.
set -euo pipefail
W=$1
nofile=${NOFILE:-20000}
conns=$(( nofile - 64 ))

cat >"$W/backends.conf" <<CONF
# The "K3s servers": a small static body over HTTP keep-alive on 127.0.0.11-13.
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes ${BACKEND_WORKERS:-1};
worker_rlimit_nofile $nofile;
pid $W/backends.pid;
error_log $W/logs/backends.err warn;
events { worker_connections $conns; }
http {
  access_log off;
  client_body_temp_path $W/nginx-temp/body;
  proxy_temp_path $W/nginx-temp/proxy;
  fastcgi_temp_path $W/nginx-temp/fastcgi;
  uwsgi_temp_path $W/nginx-temp/uwsgi;
  scgi_temp_path $W/nginx-temp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 3600s;
  client_header_timeout 3600s;
  default_type text/plain;
  server { listen 127.0.0.11:8080 backlog=4096; location / { return 200 "k3s-1\n"; } }
  server { listen 127.0.0.12:8080 backlog=4096; location / { return 200 "k3s-2\n"; } }
  server { listen 127.0.0.13:8080 backlog=4096; location / { return 200 "k3s-3\n"; } }
}
CONF

cat >"$W/haproxy.cfg" <<CONF
# The seed recipe's shape (K3s docs), on loopback, one thread.
global
    nbthread 1
    maxconn $(( conns / 2 ))
    stats socket $W/haproxy.sock mode 600 level admin
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
frontend k3s-frontend
    bind 127.0.0.1:7443 backlog 4096
    mode tcp
    maxconn $(( conns / 2 ))
    default_backend k3s-backend
backend k3s-backend
    mode tcp
    option tcp-check
    balance roundrobin
    default-server inter 10s downinter 5s
    server server-1 127.0.0.11:8080 check
    server server-2 127.0.0.12:8080 check
    server server-3 127.0.0.13:8080 check
frontend bulk-frontend
    bind 127.0.0.1:7201
    default_backend bulk-backend
backend bulk-backend
    option tcp-check
    default-server inter 10s downinter 5s
    server iperf-1 127.0.0.11:5201 check
frontend push-frontend
    bind 127.0.0.1:7444
    default_backend push-backend
backend push-backend
    server s1 127.0.0.11:8080
CONF

cat >"$W/nginx-stream.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
worker_rlimit_nofile $nofile;
pid $W/nginx-stream.pid;
error_log $W/logs/nginx-stream.err warn;
events { worker_connections $conns; }
stream {
  proxy_timeout 1h;
  proxy_connect_timeout 5s;
  upstream k3s { server 127.0.0.11:8080; server 127.0.0.12:8080; server 127.0.0.13:8080; }
  server { listen 127.0.0.1:8443 backlog=4096; proxy_pass k3s; }
  upstream bulk { server 127.0.0.11:5201; }
  server { listen 127.0.0.1:8201; proxy_pass bulk; }
  upstream push { include $W/nginx-push-upstream.conf; }
  server { listen 127.0.0.1:8444; proxy_pass push; }
}
CONF
echo "server 127.0.0.11:8080;" >"$W/nginx-push-upstream.conf"

echo "bench-token-$(date +%s%N | sha256sum | cut -c1-24)" >"$W/token"
chmod 600 "$W/token"
cat >"$W/proxy.yaml" <<CONF
name: bench
admin: {listen: "127.0.0.1:9445", tokenFile: "$W/token"}
stateDir: "$W/fulcrum-state"
workerThreads: 1
transport: ${FULCRUM_TRANSPORT:-io_uring}
loadBalancers:
  - id: bench.k3s-api
    frontend: {port: 9443, bind: 127.0.0.1}
    balance: RoundRobin
    healthCheck: {mode: TCP, intervalSeconds: 10, downIntervalSeconds: 5}
    maxConnections: $(( conns / 2 ))
    # The peers have no admission pace; here it is off so the rounds compare the data planes.
    admission: {newConnectionsPerSecond: 0}
    backends:
      - {name: server-1, address: 127.0.0.11, port: 8080}
      - {name: server-2, address: 127.0.0.12, port: 8080}
      - {name: server-3, address: 127.0.0.13, port: 8080}
  # The same with the shipped admission pace (1000 new connections a second per server), for the
  # reconnect storm.
  - id: bench.k3s-api-paced
    frontend: {port: 9446, bind: 127.0.0.1}
    balance: RoundRobin
    healthCheck: {mode: TCP, intervalSeconds: 10, downIntervalSeconds: 5}
    maxConnections: $(( conns / 2 ))
    backends:
      - {name: server-1, address: 127.0.0.11, port: 8080}
      - {name: server-2, address: 127.0.0.12, port: 8080}
      - {name: server-3, address: 127.0.0.13, port: 8080}
  - id: bench.bulk
    frontend: {port: 9201, bind: 127.0.0.1}
    healthCheck: {mode: TCP, intervalSeconds: 10, downIntervalSeconds: 5}
    backends:
      - {name: iperf-1, address: 127.0.0.11, port: 5201}
CONF
