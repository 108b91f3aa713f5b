#!/usr/bin/env python3
"""A reconnect storm as its own process: N clients connect within SPREAD seconds, each sends one
27-byte request, waits for the first byte of the answer and holds its connection.

Usage: storm.py HOST PORT N [--spread S] [--deadline S] [--pids PID,PID...]
Prints one JSON object: answered, failed (by cause), seconds until all were answered,
connect-to-first-byte p50/p99 (ms), the proxy's RSS while the N are held (kB, with --pids), and
whether a fresh client was answered within a second while they were held. Loopback only.
"""
import argparse
import errno
import json
import re
import resource
import selectors
import socket
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: b\r\n\r\n"  # 27 bytes
assert len(REQUEST) == 27


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            total += int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return total


def fresh_client(host, port, timeout=1.0):
    """(answered within the timeout, ms to first byte) for one more client."""
    t0 = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(max(0.01, timeout - (time.perf_counter() - t0)))
            s.sendall(REQUEST)
            ok = bool(s.recv(64))
    except OSError:
        ok = False
    return ok, (time.perf_counter() - t0) * 1000


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def storm(host, port, n, spread, deadline, pids):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sel = selectors.DefaultSelector()
    started = {}      # socket -> time its connect began
    ttfb = []
    failed = {}
    held = []
    t_start = time.perf_counter()
    t_all = None
    opened = 0
    pending = 0

    def fail(sock, cause):
        failed[cause] = failed.get(cause, 0) + 1
        try:
            sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    while True:
        now = time.perf_counter()
        # Open the clients evenly over the spread.
        due = n if spread <= 0 else min(n, int(n * (now - t_start) / spread) + 1)
        while opened < due:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            started[s] = time.perf_counter()
            err = s.connect_ex((host, port))
            opened += 1
            if err not in (0, errno.EINPROGRESS):
                fail(s, errno.errorcode.get(err, str(err)))
                continue
            sel.register(s, selectors.EVENT_WRITE, "connect")
            pending += 1
        if opened == n and pending == 0:
            break
        if now - t_start > deadline:
            for key in list(sel.get_map().values()):
                fail(key.fileobj, "no answer by the deadline")
                pending -= 1
            break
        for key, _ in sel.select(timeout=0.005):
            s = key.fileobj
            if key.data == "connect":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(s, errno.errorcode.get(err, str(err)))
                    pending -= 1
                    continue
                try:
                    s.send(REQUEST)
                except OSError as e:
                    fail(s, errno.errorcode.get(e.errno, str(e)))
                    pending -= 1
                    continue
                sel.modify(s, selectors.EVENT_READ, "answer")
            else:
                try:
                    data = s.recv(4096)
                except OSError as e:
                    fail(s, errno.errorcode.get(e.errno, str(e)))
                    pending -= 1
                    continue
                pending -= 1
                if not data:
                    fail(s, "closed before answering")
                    continue
                ttfb.append((time.perf_counter() - started[s]) * 1000)
                sel.unregister(s)
                held.append(s)
    if len(held) == n:
        t_all = time.perf_counter() - t_start
    time.sleep(1)  # let the proxy settle with all N held before reading its RSS
    rss = rss_kb(pids) if pids else None
    fresh_ok, fresh_ms = fresh_client(host, port)
    # Everything still held and still open: a proxy that dropped held clients shows here.
    dropped = 0
    for s in held:
        try:
            if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                dropped += 1
        except BlockingIOError:
            pass
        except OSError:
            dropped += 1
    for s in held:
        s.close()
    return {
        "n": n,
        "answered": len(held),
        "failed": sum(failed.values()),
        "causes": failed,
        "dropped_while_held": dropped,
        "all_answered_s": t_all,
        "ttfb_p50_ms": percentile(ttfb, 0.5),
        "ttfb_p99_ms": percentile(ttfb, 0.99),
        "rss_kb": rss,
        "fresh_ok": fresh_ok,
        "fresh_ms": fresh_ms,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("n", type=int)
    p.add_argument("--spread", type=float, default=1.0)
    p.add_argument("--deadline", type=float, default=30.0)
    p.add_argument("--pids", default="")
    a = p.parse_args()
    pids = [int(x) for x in a.pids.split(",") if x]
    print(json.dumps(storm(a.host, a.port, a.n, a.spread, a.deadline, pids)))


if __name__ == "__main__":
    main()
