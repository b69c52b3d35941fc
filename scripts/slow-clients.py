#!/usr/bin/env python3
"""`travaux serve` against slow clients (slowloris): many connections holding half-sent headers.

    scripts/slow-clients.py TRAVAUX_BINARY STORE [CONNECTIONS]

Run by scripts/slow-clients.sh, which builds the binary and makes the store. For each scenario
it starts `travaux serve` on a loopback port with the scenario's flags, opens CONNECTIONS
(default 3000) connections that each send the start of a request and stop, and measures:

- the server's memory (VmRSS) and open files before and with the connections open;
- how long a normal request (GET /v1/documents/who-code, the text) takes meanwhile;
- when the server closes the slow connections (the header timeout);
- how long SIGTERM takes to end the server with the connections open, and whether the store
  opens again afterwards (`travaux verify`) and server.json is gone.

Traffic goes to 127.0.0.1 only.
"""

import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

HALF = b"GET /v1/verify HTTP/1.1\r\nHost: travaux\r\nX-Slow: "


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def start(binary, store, flags):
    out = open(os.path.join(os.path.dirname(store), "serve.out"), "w+")
    err = open(os.path.join(os.path.dirname(store), "serve.err"), "w")
    proc = subprocess.Popen(
        [binary, "--store", store, "serve", "--addr", "127.0.0.1:0", *flags],
        stdout=out,
        stderr=err,
        env={**os.environ, "TRAVAUX_LOG": "warn"},
    )
    for _ in range(600):
        out.seek(0)
        line = out.readline()
        if line.startswith("listening on "):
            url = line.split()[-1]
            host, port = url.removeprefix("http://").split(":")
            return proc, url, (host, int(port))
        time.sleep(0.1)
    proc.kill()
    sys.exit("travaux serve did not say where it listens")


def slow_connections(addr, n, then=lambda: None):
    """Open n connections without waiting (past the server's bound they sit in the listen
    queue, or wait for it), call `then`, and send each half a request once it is connected."""
    socks, pending = [], set()
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(addr)
        socks.append(s)
        pending.add(s)
    then()
    poll = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        poll.register(fd, select.POLLOUT)
    deadline = time.time() + 60
    while pending and time.time() < deadline:
        for fd, _ in poll.poll(500):
            s = by_fd[fd]
            poll.unregister(fd)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                try:
                    s.send(HALF)
                except OSError:
                    pass
            pending.discard(s)
    return socks


def closed(socks, gone):
    """Add to `gone` the connections the server has closed; answer how many it holds."""
    poll = select.poll()
    by_fd = {s.fileno(): s for s in socks if s not in gone}
    for fd in by_fd:
        poll.register(fd, select.POLLIN)
    for fd, _ in poll.poll(0):
        s = by_fd[fd]
        try:
            if s.recv(1 << 16) == b"":
                gone.add(s)
        except OSError:
            gone.add(s)
    return len(gone)


def timed_request(url, timeout=120):
    started = time.time()
    try:
        with urllib.request.urlopen(url + "/v1/documents/who-code", timeout=timeout) as r:
            r.read()
            ok = r.status
    except Exception as e:  # noqa: BLE001 - the failure is the measurement
        ok = f"failed: {e}"
    return time.time() - started, ok


def stop(proc, store):
    started = time.time()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
    return time.time() - started


def scenario(binary, store, name, flags, n):
    print(f"\n## {name}: {n} slow connections; serve {' '.join(flags) or '(defaults)'}")
    proc, url, addr = start(binary, store, flags)
    rss0, files0 = status_kb(proc.pid, "VmRSS"), open_files(proc.pid)
    t, ok = timed_request(url)
    print(f"idle server: RSS {rss0 / 1024:.1f} MiB, {files0} open files; a request: {t * 1000:.0f} ms ({ok})")

    opened_at = time.time()
    first = {}
    waiter = threading.Thread(
        target=lambda: first.update(answer=timed_request(url)), daemon=True
    )
    socks = slow_connections(addr, n, then=waiter.start)
    print(f"{len(socks)} connections opened in {time.time() - opened_at:.1f} s")
    time.sleep(1)
    rss1, files1 = status_kb(proc.pid, "VmRSS"), open_files(proc.pid)
    print(
        f"with them open: RSS {rss1 / 1024:.1f} MiB (+{(rss1 - rss0) / n:.1f} KiB a connection), "
        f"{files1} open files"
    )
    waiter.join()
    t, ok = first["answer"]
    print(f"a normal request sent right behind them: {t * 1000:.0f} ms ({ok})")
    times = []
    for _ in range(5):
        t, ok = timed_request(url)
        times.append(t)
        if ok != 200:
            print(f"a request meanwhile: {ok} after {t:.1f} s")
    print(
        "five normal requests meanwhile, one after the other: "
        + ", ".join(f"{t * 1000:.0f} ms" for t in times)
        + f" (done {time.time() - opened_at:.1f} s after the slow connections were opened)"
    )
    # When are they closed?
    last, gone = 0, set()
    while time.time() - opened_at < 60:
        seen = closed(socks, gone)
        if seen != last:
            print(f"  {time.time() - opened_at:5.1f} s after opening: {seen} closed by the server")
            last = seen
        if seen >= len(socks):
            break
        time.sleep(0.5)
    print(f"peak RSS {status_kb(proc.pid, 'VmHWM') / 1024:.1f} MiB")
    for s in socks:
        s.close()

    # SIGTERM with a fresh crowd of slow connections open.
    socks = slow_connections(addr, n)
    time.sleep(1)
    took = stop(proc, store)
    left = os.path.exists(os.path.join(store, "server.json"))
    verify = subprocess.run(
        [binary, "--store", store, "verify"], capture_output=True, text=True
    )
    print(
        f"SIGTERM with {n} slow connections open: exited in "
        + (f"{took:.1f} s" if took is not None else "NEVER (killed after 300 s)")
        + f" (exit {proc.returncode}); server.json {'LEFT' if left else 'removed'}; "
        f"`verify` afterwards: exit {verify.returncode} {verify.stdout.strip()}{verify.stderr.strip()}"
    )
    for s in socks:
        s.close()


def main():
    binary, store = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 2 * n + 256)), hard))
    scenario(binary, store, "Default limits", [], n)
    scenario(
        binary,
        store,
        "A bound below the crowd",
        ["--max-connections", str(n // 3)],
        n,
    )
    scenario(
        binary,
        store,
        "A long header timeout: the shutdown deadline decides",
        ["--header-timeout", "10m", "--shutdown-timeout", "5s"],
        n,
    )


if __name__ == "__main__":
    main()
