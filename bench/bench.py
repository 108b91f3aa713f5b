#!/usr/bin/env python3
"""Measures HAProxy, nginx stream and fulcrum-proxy the same way, interleaved, and writes the table.

Usage: bench.py WORKDIR RESULTS_MD (run.sh starts the processes first). Traffic stays on 127.0.0.0/8.
"""
import datetime
import http.client
import json
import os
import platform
import re
import select
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time

W, OUT = sys.argv[1], sys.argv[2]
ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = int(os.environ.get("DURATION", "5"))
IDLE = int(os.environ.get("IDLE", "5000"))
BIG = int(os.environ.get("BIG", "10000"))
PUSHES = int(os.environ.get("PUSHES", "200"))
PUSH_WARMUP = int(os.environ.get("PUSH_WARMUP", "2"))
# Reconnect storm sizes: clients connecting within STORM_SPREAD seconds, each holding its connection.
STORM = [int(x) for x in os.environ.get("STORM", "1000,5000,9000").split(",") if x]
STORM_SPREAD = float(os.environ.get("STORM_SPREAD", "1"))
# Warm-up cycles (keep-alive, close, bulk) per proxy before the rounds: fulcrum's JIT compiler is
# still busy for ~30 s of traffic after start; HAProxy and nginx get the same cycles.
WARMUP = int(os.environ.get("WARMUP", "3"))
NOFILE = int(os.environ.get("NOFILE", "20000"))
BACKEND_PORT = 8080
CPU_SOURCE = {"perf": "`perf stat -e task-clock`",
              "proc": "user + system time (/proc/PID/stat ticks; perf was not usable)"}
NOTES_MARK = "<!-- notes: everything below is kept when run.sh rewrites this file -->"


def read_pid(name):
    with open(os.path.join(W, name)) as f:
        return int(f.read().strip())


def with_children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [pid] + [int(p) for p in out.split()]


PROXIES = {
    "haproxy": {"http": 7443, "bulk": 7201, "pids": lambda: [read_pid("haproxy.pid")]},
    "nginx": {"http": 8443, "bulk": 8201, "pids": lambda: with_children(read_pid("nginx-stream.pid"))},
    "fulcrum": {"http": 9443, "bulk": 9201, "pids": lambda: [read_pid("fulcrum.pid")]},
}
PEERS = ["haproxy", "nginx"]
# fulcrum's load balancer with the shipped admission pace, in the storm round only (the others have
# the pace off, as the peers have none).
PACED = "fulcrum, shipped pace"


def log(msg):
    print(msg, flush=True)


def http_get(port, host="127.0.0.1", timeout=2.0):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk


def wait_ready():
    deadline = time.time() + 120
    for name, p in PROXIES.items():
        while True:
            try:
                if http_get(p["http"]).startswith(b"HTTP/1.1 200"):
                    break
            except OSError:
                pass
            if time.time() > deadline:
                sys.exit(f"{name} does not answer on 127.0.0.1:{p['http']}")
            time.sleep(0.2)
    while not os.path.exists(os.path.join(W, "fulcrum-state", "admin.crt")):
        if time.time() > deadline:
            sys.exit("fulcrum wrote no admin.crt")
        time.sleep(0.2)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def process_ticks(pids):
    """CPU clock ticks (user + system, all threads) the processes have used so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def perf_works():
    """Whether `perf stat` can count task-clock here (root, or a permissive perf_event_paranoid)."""
    try:
        r = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock", "--", "true"],
                           capture_output=True, text=True, timeout=10)
        return r.returncode == 0 and "task-clock" in r.stderr
    except (OSError, subprocess.TimeoutExpired):
        return False


# perf's task-clock counts all the time the proxy's threads run, io_uring task work included,
# which /proc's tick sampling undercounts for a ring-driven process; /proc when perf is missing.
CPU_CLOCK = "perf" if os.environ.get("CPU_CLOCK", "perf") == "perf" and perf_works() else "proc"


def cpu_seconds_during(pids, run):
    """Runs run() and returns (its result, CPU seconds the processes used meanwhile)."""
    if CPU_CLOCK == "proc":
        before = process_ticks(pids)
        result = run()
        return result, (process_ticks(pids) - before) / os.sysconf("SC_CLK_TCK")
    out = os.path.join(W, "perf-stat.csv")
    perf = subprocess.Popen(["perf", "stat", "-x,", "-e", "task-clock", "-o", out,
                             "-p", ",".join(str(p) for p in pids)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)  # attached before the load starts
    try:
        result = run()
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(timeout=10)
    with open(out) as f:
        msec = next(float(line.split(",")[0]) for line in f if "task-clock" in line)
    return result, msec / 1000


def wrk(port, close, seconds, pids=()):
    """One wrk run; with pids, also the CPU those processes spent per request (µs)."""
    cmd = ["wrk", "-t1", "-c50", f"-d{seconds}s", "--latency"]
    if close:
        cmd += ["-H", "Connection: close"]
    run = lambda: subprocess.run(cmd + [f"http://127.0.0.1:{port}/"], capture_output=True,
                                 text=True).stdout
    out, used = cpu_seconds_during(pids, run) if pids else (run(), 0.0)
    if "Requests/sec" not in out:
        raise RuntimeError(f"wrk on port {port} failed:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Socket errors:.*|Non-2xx.*", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    cpu_us = used * 1e6 / requests if requests else float("nan")
    return {"rps": rps, "p50": p50, "p99": p99, "cpu_us": cpu_us,
            "errors": errors.group(0) if errors else ""}


def iperf(port, seconds):
    out = subprocess.run(
        ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds), "-O", "1", "-J"],
        capture_output=True, text=True).stdout
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            total += int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return total


def backend_established():
    out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{BACKEND_PORT} )"],
                         capture_output=True, text=True).stdout
    return len(out.splitlines())


def live_heap(pid):
    """Bytes of live Java objects (the class histogram runs a full GC first)."""
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True).stdout
    return int(re.search(r"^Total\s+\d+\s+(\d+)", out, re.M).group(1))


HEAP = {}


def hold_idle(name, n):
    """Opens n idle connections through a proxy; returns (rss before, rss while held) in kB."""
    pids = PROXIES[name]["pids"]()
    base = backend_established()
    time.sleep(1)
    before = rss_kb(pids)
    socks = []
    try:
        for _ in range(n):
            socks.append(socket.create_connection(("127.0.0.1", PROXIES[name]["http"]), timeout=10))
        deadline = time.time() + 60
        while backend_established() < base + n:
            if time.time() > deadline:
                raise RuntimeError(f"{name}: only {backend_established() - base} of {n} reached a backend")
            time.sleep(0.2)
        time.sleep(2)
        held = rss_kb(pids)
        if name == "fulcrum":  # after the RSS reading: the histogram's full GC may shrink the heap
            heap_held = live_heap(pids[0])
    finally:
        for s in socks:
            s.close()
    deadline = time.time() + 60
    while backend_established() > base and time.time() < deadline:
        time.sleep(0.2)
    if name == "fulcrum":
        time.sleep(1)
        HEAP[n] = (heap_held - live_heap(pids[0])) / n
    return before, held


def durable_writes(count=50):
    """What one persisted push costs on the state dir's disk: write, fsync, rename, fsync dir."""
    d = os.path.join(W, "fulcrum-state")
    times = []
    for i in range(count):
        t0 = time.perf_counter()
        tmp = os.path.join(d, ".probe.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.write(fd, b"x" * 2048)
        os.fsync(fd)
        os.close(fd)
        os.rename(tmp, os.path.join(d, ".probe"))
        dfd = os.open(d, os.O_RDONLY)
        os.fsync(dfd)
        os.close(dfd)
        times.append((time.perf_counter() - t0) * 1000)
    os.unlink(os.path.join(d, ".probe"))
    times.sort()
    return {"p50": statistics.median(times), "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}


def push_latency():
    """Times an admin PUT that swaps the backend set until a new connection reaches the new set."""
    ctx = ssl.create_default_context(cafile=os.path.join(W, "fulcrum-state", "admin.crt"))
    ctx.check_hostname = False  # the pinned self-signed certificate is the trust anchor
    token = open(os.path.join(W, "token")).read().strip()
    admin = http.client.HTTPSConnection("127.0.0.1", 9445, context=ctx, timeout=10)
    port, times, replies = 9444, [], []
    for i in range(PUSH_WARMUP + PUSHES):
        k = 1 + i % 2
        body = json.dumps({
            "epoch": 1000 + i,
            "frontend": {"port": port, "bind": "127.0.0.1"},
            "balance": "RoundRobin",
            "healthCheck": {"mode": "TCP", "intervalSeconds": 10, "downIntervalSeconds": 5},
            "backends": [{"name": f"server-{k}", "address": f"127.0.0.1{k}", "port": BACKEND_PORT}],
        })
        expect = f"k3s-{k}".encode()
        t0 = time.perf_counter()
        admin.request("PUT", "/v1/loadbalancers/bench.push", body,
                      {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        # Probe with new connections from the moment the PUT is sent, in this thread (a second
        # Python thread would add GIL hand-offs to both timings): the new set serves before the
        # ACK, which waits for the state file's fsync. The ACK's arrival is noted between probes.
        arrived = []
        try:
            served = wait_served(port, expect, t0, f"push {i}",
                                 lambda: arrived or not select.select([admin.sock], [], [], 0)[0]
                                 or arrived.append(time.perf_counter()))
        except RuntimeError:
            resp = admin.getresponse()
            raise RuntimeError(f"PUT {i} answered {resp.status}: {resp.read()[:200]!r}, "
                               f"and {expect!r} was not served") from None
        resp = admin.getresponse()
        reply = resp.read()
        t_reply = arrived[0] if arrived else time.perf_counter()
        if resp.status != 200:
            raise RuntimeError(f"PUT {i} answered {resp.status}: {reply[:200]!r}")
        if i >= PUSH_WARMUP:  # the first create the frontend and warm the admin path up
            times.append(served)
            replies.append((t_reply - t0) * 1000)
    times.sort()
    replies.sort()
    p99 = min(len(times) - 1, int(len(times) * 0.99))
    return {"p50": statistics.median(times), "p99": times[p99],
            "reply_p50": statistics.median(replies), "reply_p99": replies[p99]}


def wait_served(port, expect, t0, what, between=lambda: None):
    while True:
        between()
        try:
            if expect in http_get(port):
                return (time.perf_counter() - t0) * 1000
        except OSError:
            pass
        if time.perf_counter() - t0 > 10:
            raise RuntimeError(f"{what}: {expect!r} not served within 10 s")


def peer_push_latency(count):
    """The peers' nearest equivalents: HAProxy's runtime API `set server addr`, nginx's reload."""
    out = {"haproxy": [], "nginx": []}
    for i in range(count + 2):
        k = 1 + (i + 1) % 2
        expect = f"k3s-{k}".encode()
        t0 = time.perf_counter()
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(os.path.join(W, "haproxy.sock"))
            s.sendall(f"set server push-backend/s1 addr 127.0.0.1{k} port {BACKEND_PORT}\n".encode())
            s.recv(4096)
        t = wait_served(7444, expect, t0, "haproxy set server")
        t0 = time.perf_counter()
        with open(os.path.join(W, "nginx-push-upstream.conf"), "w") as f:
            f.write(f"server 127.0.0.1{k}:{BACKEND_PORT};\n")
        subprocess.run(["nginx", "-p", W, "-c", os.path.join(W, "nginx-stream.conf"), "-s", "reload"],
                       check=True, capture_output=True)
        n = wait_served(8444, expect, t0, "nginx reload")
        if i >= 2:
            out["haproxy"].append(t)
            out["nginx"].append(n)
    res = {}
    for name, times in out.items():
        times.sort()
        res[name] = {"p50": statistics.median(times),
                     "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}
    return res


def storm_round():
    """Each proxy in turn, per N: the storm generator (bench/storm.py) as its own process."""
    here = os.path.dirname(os.path.abspath(__file__))
    results = {}
    stormers = dict(PROXIES)
    stormers[PACED] = dict(PROXIES["fulcrum"], http=9446)
    for n in STORM:
        for name, p in stormers.items():
            base = backend_established()
            pids = p["pids"]()
            before = rss_kb(pids)
            out = subprocess.run(
                [sys.executable, os.path.join(here, "storm.py"), "127.0.0.1", str(p["http"]), str(n),
                 "--spread", str(STORM_SPREAD), "--deadline", "30", "--pids", ",".join(map(str, pids))],
                capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError(f"storm.py against {name} failed:\n{out.stderr}")
            r = json.loads(out.stdout)
            r["rss_before_kb"] = before
            results[(name, n)] = r
            t_all = f"{r['all_answered_s']:.2f} s" if r["all_answered_s"] else "never"
            log(f"storm {n:5} {name:8} answered {r['answered']} failed {r['failed']} {r['causes']} "
                f"all by {t_all}, first byte p50 {r['ttfb_p50_ms']:.1f} p99 {r['ttfb_p99_ms']:.1f} ms, "
                f"RSS {r['rss_kb'] / 1024:.1f} MB, fresh client "
                f"{'served in %.1f ms' % r['fresh_ms'] if r['fresh_ok'] else 'NOT served'}")
            deadline = time.time() + 60
            while backend_established() > base and time.time() < deadline:
                time.sleep(0.2)
    return results


def storm_table(results):
    header = ["N", "proxy", "answered", "failed", "all answered after", "first byte p50 / p99 (ms)",
              "RSS held (MB)", "fresh client served"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for (name, n), r in results.items():
        t_all = f"{r['all_answered_s']:.2f} s" if r["all_answered_s"] else "never"
        causes = ", ".join(f"{k} {v}" for k, v in r["causes"].items())
        lines.append(f"| {n} | {name} | {r['answered']} | {r['failed']}{' (' + causes + ')' if causes else ''} "
                     f"| {t_all} | {r['ttfb_p50_ms']:.1f} / {r['ttfb_p99_ms']:.1f} "
                     f"| {r['rss_kb'] / 1024:.1f} | "
                     f"{'yes, %.1f ms' % r['fresh_ms'] if r['fresh_ok'] else '**no**'} |")
    return lines


def storm_targets(results):
    """The targets at the largest N, and the memory the fulcrum figures imply for 20k and 100k."""
    n = max(STORM)
    f = results[("fulcrum", n)]
    peers = [results[(p, n)]["all_answered_s"] for p in PEERS if results[(p, n)]["all_answered_s"]]
    best = min(peers) if peers else None
    per_conn = (f["rss_kb"] - f["rss_before_kb"]) * 1024 / n
    # Clients open evenly over the spread, so no proxy can answer all before it ends; a finish
    # within the generator's 20 ms of the better peer's is level.
    level = bool(f["all_answered_s"] and best and f["all_answered_s"] <= best + 0.02)
    checks = [
        (f"every one of {n} clients answered", f["answered"] == n),
        ("0 failures", f["failed"] == 0),
        ("the fresh client served", f["fresh_ok"]),
        (f"RSS at most 128 MB ({f['rss_kb'] / 1024:.1f} MB)", f["rss_kb"] <= 128 * 1024),
        (f"all answered no later than the better peer ({f['all_answered_s'] or float('inf'):.3f} s vs "
         f"{best or float('nan'):.3f} s, within 20 ms is level)", level),
    ]
    lines = [f"- {what}: {'yes' if ok else '**no**'}" for what, ok in checks]
    paced = results[(PACED, n)]
    t_paced = f"{paced['all_answered_s']:.2f} s" if paced["all_answered_s"] else "never"
    lines.append(f"- with the shipped pace (1000 new connections a second per server, so about "
                 f"{n / 3000:.1f} s for {n} on three servers by design): {paced['answered']} answered, "
                 f"{paced['failed']} failed, all by {t_paced}, fresh client "
                 f"{'served' if paced['fresh_ok'] else '**not served**'}, RSS {paced['rss_kb'] / 1024:.1f} MB")
    base = f["rss_before_kb"] / 1024
    lines.append(f"- fulcrum RSS grew {per_conn:.0f} B per held proxied connection ({base:.1f} MB before "
                 f"the storm); at that rate 20,000 clients need {base + 20000 * per_conn / 2**20:.0f} MB "
                 f"(target at most 160 MB) and 100,000 need {base + 100000 * per_conn / 2**20:.0f} MB")
    return lines


def thread_cpu(pid):
    """CPU ticks used so far by each thread of a process, by thread name (io_uring workers included)."""
    ticks = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except FileNotFoundError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks[name] = ticks.get(name, 0) + int(fields[11]) + int(fields[12])
    return ticks


def sh(cmd):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    return (r.stdout + r.stderr).strip()


def main():
    wait_ready()
    load_start = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    raw = {n: {"ka": [], "close": [], "bulk": []} for n in PROXIES}
    log("warm-up")
    for name, p in PROXIES.items():
        for _ in range(WARMUP):
            wrk(p["http"], False, DURATION)
            wrk(p["http"], True, DURATION)
            iperf(p["bulk"], 2)
    order = list(PROXIES)
    fulcrum_threads_before = thread_cpu(read_pid("fulcrum.pid"))
    for r in range(ROUNDS):
        for name in order:
            p = PROXIES[name]
            ka = wrk(p["http"], False, DURATION, p["pids"]())
            cl = wrk(p["http"], True, DURATION, p["pids"]())
            bulk = iperf(p["bulk"], DURATION)
            raw[name]["ka"].append(ka)
            raw[name]["close"].append(cl)
            raw[name]["bulk"].append(bulk)
            log(f"round {r + 1} {name:8} keep-alive {ka['rps']:9.0f}/s p50 {ka['p50']:.3f} ms "
                f"p99 {ka['p99']:.3f} ms {ka['cpu_us']:.1f} µs CPU/req | close {cl['rps']:8.0f}/s "
                f"{cl['cpu_us']:.0f} µs CPU/conn | bulk {bulk:6.2f} Gbit/s "
                f"{ka['errors']} {cl['errors']}")
        order = order[1:] + order[:1]  # rotate, so no proxy always runs first

    after = thread_cpu(read_pid("fulcrum.pid"))
    used = {n: t - fulcrum_threads_before.get(n, 0) for n, t in after.items()}
    total = sum(used.values()) or 1
    busy = sorted(((t, n) for n, t in used.items() if t * 100 >= total), reverse=True)
    fulcrum_threads = ", ".join(f"{n} {t * 100 / total:.0f} %" for t, n in busy)
    log(f"fulcrum CPU by thread during the rounds: {fulcrum_threads}")
    big = min(BIG, (NOFILE - 300) // 2)
    mem = {}
    for name in PROXIES:
        before, held = hold_idle(name, IDLE)
        per_conn = (held - before) * 1024 / IDLE
        b2, held_big = hold_idle(name, big)
        mem[name] = {"per_conn": per_conn, "before": before, "big": held_big,
                     # From the RSS before the first hold: the histogram's full GC between the
                     # two holds leaves heap committed, which would flatter a delta from b2.
                     "per_conn_big": (held_big - before) * 1024 / big,
                     "big10k": held_big + (BIG - big) * per_conn / 1024}
        log(f"{name:8} idle: {per_conn:7.0f} B per connection ({IDLE} held); "
            f"RSS {held_big / 1024:.1f} MB with {big} held")
    log("admin PUT -> serving")
    push = push_latency()
    log(f"PUT -> serving p50 {push['p50']:.2f} ms p99 {push['p99']:.2f} ms over {PUSHES} pushes "
        f"(PUT answered p50 {push['reply_p50']:.2f} p99 {push['reply_p99']:.2f} ms)")
    peers_push = peer_push_latency(int(os.environ.get("PEER_PUSHES", "30")))
    log("peers: " + ", ".join(f"{n} p50 {v['p50']:.2f} p99 {v['p99']:.2f} ms" for n, v in peers_push.items()))
    fsync = durable_writes()
    log("reconnect storm")
    storms = storm_round()
    log(f"durable write on the state dir's disk: p50 {fsync['p50']:.2f} ms p99 {fsync['p99']:.2f} ms")
    load_end = os.getloadavg()

    def med(name, test, key=None):
        vals = [v[key] if key else v for v in raw[name][test]]
        return statistics.median(vals)

    rows = []

    def row(label, values, higher_better, target, ok, fmt="{:.0f}"):
        best = max(values[p] for p in PEERS) if higher_better else min(values[p] for p in PEERS)
        ratio = values["fulcrum"] / best if best else float("nan")
        rows.append([label] + [fmt.format(values[p]) for p in PROXIES]
                    + [f"{ratio:.2f}", target,
                       "—" if target == "—" else "yes" if ok(ratio, values["fulcrum"]) else "**no**"])

    row("keep-alive requests/s (wrk -c50)", {n: med(n, "ka", "rps") for n in PROXIES}, True,
        "≥ 1.10×", lambda r, v: r >= 1.1)
    row("keep-alive latency p50 (ms)", {n: med(n, "ka", "p50") for n in PROXIES}, False,
        "—", lambda r, v: True, "{:.3f}")
    row("keep-alive latency p99 (ms)", {n: med(n, "ka", "p99") for n in PROXIES}, False,
        "≤ 0.90×", lambda r, v: r <= 0.9, "{:.3f}")
    row("new connections/s (Connection: close)", {n: med(n, "close", "rps") for n in PROXIES}, True,
        "≥ 1.10×", lambda r, v: r >= 1.1)
    row("proxy CPU per keep-alive request (µs)", {n: med(n, "ka", "cpu_us") for n in PROXIES},
        False, "≤ 1.00×", lambda r, v: r <= 1.0, "{:.1f}")
    row("proxy CPU per new connection (µs)", {n: med(n, "close", "cpu_us") for n in PROXIES},
        False, "≤ 1.00×", lambda r, v: r <= 1.0, "{:.1f}")
    row("one bulk stream (Gbit/s, iperf3)", {n: med(n, "bulk") for n in PROXIES}, True,
        "≥ 1.10×", lambda r, v: r >= 1.1, "{:.2f}")
    row(f"memory per idle proxied connection (B, {IDLE} held)",
        {n: mem[n]["per_conn"] for n in PROXIES}, False, "≤ 2048 B", lambda r, v: v <= 2048)
    # The same from the larger run: less flattered by heap the load phases left committed.
    row(f"memory per idle proxied connection (B, {big} held)",
        {n: mem[n]["per_conn_big"] for n in PROXIES}, False, "≤ 2048 B", lambda r, v: v <= 2048)
    row(f"whole RSS with {big} idle connections (MB)", {n: mem[n]["big"] / 1024 for n in PROXIES},
        False, "≤ 96 MB", lambda r, v: v <= 96, "{:.1f}")
    if big < BIG:
        row(f"whole RSS at {BIG} (extrapolated, MB)", {n: mem[n]["big10k"] / 1024 for n in PROXIES},
            False, "≤ 96 MB", lambda r, v: v <= 96, "{:.1f}")
    for q in ("p50", "p99"):
        best = min(peers_push[p][q] for p in PEERS)
        rows.append([f"new backend set serving, {q} (ms)†", f"{peers_push['haproxy'][q]:.2f}",
                     f"{peers_push['nginx'][q]:.2f}", f"{push[q]:.2f}", f"{push[q] / best:.2f}",
                     "< 5 ms" if q == "p99" else "—",
                     ("yes" if push["p99"] < 5 else "**no**") if q == "p99" else "—"])

    header = ["figure", "HAProxy", "nginx", "fulcrum", "fulcrum / best peer", "target", "met"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(r) + " |" for r in rows]
    print("\n".join(table))

    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    versions = {
        "HAProxy": sh("haproxy -v | head -1"),
        "nginx": sh("nginx -v"),
        "wrk": sh("wrk -v | head -1"),
        "iperf3": sh("iperf3 -v | head -1"),
        "java": sh("java -version 2>&1 | head -2 | tail -1"),
    }
    raw_lines = []
    for name in PROXIES:
        for test in ("ka", "close"):
            raw_lines.append(f"- {name} {test}: " + ", ".join(
                f"{v['rps']:.0f}/s (p50 {v['p50']:.3f}, p99 {v['p99']:.3f} ms, {v['cpu_us']:.1f} µs CPU)"
                f"{' ' + v['errors'] if v['errors'] else ''}"
                for v in raw[name][test]))
        raw_lines.append(f"- {name} bulk: " + ", ".join(f"{v:.2f}" for v in raw[name]["bulk"]) + " Gbit/s")
        raw_lines.append(f"- {name} RSS: {mem[name]['before'] / 1024:.1f} MB before, "
                         f"{mem[name]['big'] / 1024:.1f} MB with {big} idle connections")

    notes = ""
    if os.path.exists(OUT):
        text = open(OUT).read()
        if NOTES_MARK in text:
            notes = text[text.index(NOTES_MARK) + len(NOTES_MARK):]
    doc = f"""# fulcrum-proxy vs HAProxy vs nginx stream

Generated by `bench/run.sh` on {started:%Y-%m-%d %H:%M} UTC.

- Machine: {os.cpu_count()} CPUs ({cpu}), kernel {platform.release()}, {sh("free -g | awk '/Mem:/ {print $2}'")} GB RAM
- Load average (1/5/15 min): {' '.join(f'{x:.2f}' for x in load_start)} at start, {' '.join(f'{x:.2f}' for x in load_end)} at end
  (other processes share these CPUs: compare ratios within this run, not absolute figures across runs)
- Each proxy: one thread (HAProxy `nbthread 1`, nginx `worker_processes 1`, fulcrum `workerThreads: 1`),
  round robin over the same three nginx backends on 127.0.0.11-13:8080 (`return 200`, keep-alive),
  TCP health checks; bulk goes to one iperf3 server on 127.0.0.11:5201. fulcrum's admission pace is off in
  these rounds (the peers have none; at its default, 1000 new connections a second per server, it
  would cap the close row by design); the storm below also runs with it on.
- CPUs: {os.environ.get('PLACEMENT') or 'not pinned: proxies, clients and backends share every CPU'}
- Method: {ROUNDS} interleaved rounds (proxy order rotates) after a warm-up of {WARMUP} × (keep-alive, close, bulk)
  per proxy, medians shown; wrk `-t1 -c50 -d{DURATION}s`,
  new connections with `-H 'Connection: close'`; `iperf3 -t {DURATION} -O 1`; idle memory = RSS delta (all the
  proxy's processes, /proc/PID/status VmRSS) / connections held, once every held connection reached a backend;
  proxy CPU = {CPU_SOURCE[CPU_CLOCK]} of all the proxy's processes and threads during the
  run / requests answered.
- fulcrum transport: `{os.environ.get('FULCRUM_TRANSPORT', 'io_uring')}` (proxy.yaml `transport`); its CPU
  during the rounds by thread (threads with at least 1 %): {fulcrum_threads}
- fulcrum JVM flags: `{os.environ.get('JAVA_OPTS', '')}`
- File descriptor limit: {NOFILE} (hard), so at most {big} proxied connections (two sockets each) fit.
- Versions: {'; '.join(f'{k} {v}' for k, v in versions.items())}

{chr(10).join(table)}

## Reconnect storm

`bench/storm.py`, its own process: N clients connect evenly within {STORM_SPREAD:g} s, each sends a
27-byte request, waits for the first byte of the answer and holds its connection; after 30 s the
unanswered count as failed. RSS is read once all are answered (or at the deadline), then one fresh
client must be answered within 1 s while the N are held. The proxies in turn, smallest N first.
"fulcrum" has its admission pace off, as the peers have none; "{PACED}" is a second load balancer
of the same process with the shipped default, which spreads each server's new connections to
1000 a second on purpose.

{chr(10).join(storm_table(storms))}

Targets at N = {max(STORM)}:
{chr(10).join(storm_targets(storms))}

Live Java heap per idle proxied connection (class histogram after a full GC, fulcrum):
{', '.join(f'{v:.0f} B with {k} held' for k, v in sorted(HEAP.items()))}.

PUT answered (HTTPS round trip: validated, swapped, persisted, then acknowledged; noted between probes,
so to within one probe): p50 {push['reply_p50']:.2f} ms, p99 {push['reply_p99']:.2f} ms. One durable write (write, fsync, rename, fsync dir) of 2 KiB on the state
dir's disk, as the store does per push: p50 {fsync['p50']:.2f} ms, p99 {fsync['p99']:.2f} ms.

† fulcrum: admin PUT; HAProxy: runtime API `set server addr` over its stats socket (no persistence);
nginx: rewrite the upstream include and `nginx -s reload`. Each timed until a new connection is answered
by the new backend. fulcrum: {PUSHES} pushes alternating the backend set between server-1 and server-2 on
its own frontend, timed from sending the PUT (HTTPS, keep-alive, bearer token) until a new connection is
answered by the new backend, probing with new connections from the same thread while the reply is
awaited (a backend-set change serves before the ACK, which waits for the state file's fsync; a failed
write puts the old set back and answers 5xx). HAProxy's and nginx's probes start once their command
has returned.

Raw rounds:
{chr(10).join(raw_lines)}

{NOTES_MARK}{notes}"""
    with open(OUT, "w") as f:
        f.write(doc)
    log(f"wrote {OUT}")


if __name__ == "__main__":
    main()
