#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench_fleet: N devices in one brownoutd (issue 18), each booted and serving CoAPs (PSK), then
a rollout of a new image to all of them over CoAPs with link faults on every device and a power
cut on a random 10% (half during the upload, half during the swap). Figures, not assertions:
each printed with its target beside it; the exit status is non-zero only when the benchmark
itself breaks (the daemon does not start, a tool is missing).

    BUILD=build BROWNOUT_ROOT=. python3 tests/bench/bench_fleet.py [N]

N (default 1000, or $BENCH_FLEET_N) devices; $BENCH_FLEET_JOBS (default 48) devices updated at
once; $BENCH_FLEET_SEED (default 1) picks the cut devices and cut points. The CoAPs client is
Debian's coap-client-openssl (libcoap3-bin), one process per request: an upload is one
blockwise PUT of 1024-byte blocks. The latency probe runs during the rollout: a query-status of
a random device on its own control connection, and a stat(2) of a random device's slot file in
the FUSE view (when /dev/fuse can be opened), every 20 ms, from a process of its own. The
daemon's loop counters (query-status) sampled before and after the rollout say how much of that
20 ms period the loop was busy, and how much of the rollout it spent in iterations of 20 ms or
more, when a probe request arriving may wait that long; /proc/PID/schedstat says how long the
daemon was runnable but waiting for a CPU (what the machine's load adds to every round trip).
The daemon's children but its spawner process (bo-spawner) are its firmware processes.
"""
import concurrent.futures
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.environ.get("BROWNOUT_ROOT", os.path.join(os.path.dirname(__file__),
                                                                     "..", "..")))
BUILD = os.environ.get("BUILD", "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
BIN = os.path.join(BUILD, "bin")
KEY = os.path.join(ROOT, "fixtures", "keys", "ec256.pem")
PUB = os.path.join(ROOT, "fixtures", "keys", "ec256.pub.pem")
PSK_ID = "brownout-client"
PSK_TEXT = "brownout-ota-psk"
LINK = "drop=25,duplicate=25,reorder=10"
MODELS = ["before", "after", "torn-bits", "torn-prefix", "weak"]

# 96 KiB of NOR in 4 KiB sectors: a small device, as a provisioning line's would be.
BOARD = """[board]
name = fleet
description = 96 KiB of NOR flash for bench_fleet

[flash internal]
sectors = 24x4K
write-unit = 4
erased-value = 0xff
semantics = nor

[partition bootloader]
offset = 0x0
size = 0x4000

[partition image-0-primary]
offset = 0x4000
size = 0x8000

[partition image-0-secondary]
offset = 0xC000
size = 0x8000

[partition scratch]
offset = 0x14000
size = 0x4000
"""


class Control:
    """One control connection (replies by id; events dropped unless kept)."""

    def __init__(self, path, keep_events=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1
        self.keep = keep_events
        self.events = []
        self.read()

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("brownoutd closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        req = {"execute": name, "id": self.next_id}
        self.next_id += 1
        if args:
            req["arguments"] = {k.replace("_", "-"): v for k, v in args.items()}
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.read()
            if "event" in msg:
                if self.keep:
                    self.events.append(msg)
                continue
            return msg

    def ok(self, name, **args):
        msg = self.cmd(name, **args)
        if "return" not in msg:
            raise RuntimeError("%s: %s" % (name, msg))
        return msg["return"]

    def close(self):
        self.sock.close()


def sign(workdir, name, version, size):
    payload = os.path.join(workdir, name + ".payload")
    with open(payload, "wb") as f:
        f.write(random.Random(name).randbytes(size))
    out = os.path.join(workdir, name + ".bin")
    subprocess.run([os.path.join(BIN, "brownout"), "image", "sign", "-k", KEY, "-v", version,
                    "--pad-header", "-H", "0x200", "--align", "4", payload, out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def write_config(workdir, n, v1):
    board = os.path.join(workdir, "fleet-board.ini")
    with open(board, "w") as f:
        f.write(BOARD)
    ini = os.path.join(workdir, "fleet.ini")
    with open(ini, "w") as f:
        f.write("[daemon]\nseed = 1\n\n")
        for i in range(n):
            f.write("[device d%04d]\nboard = %s\nkey = %s\nflash-in-ram = true\n"
                    "image = primary=%s\npower-on = manual\naddress = 127.0.0.1:0\n"
                    "psk-identity = %s\npsk = %s\nconfirm = manual\n"
                    "dtls-timeout-min = 300ms\ndtls-timeout-max = 4s\nlink = %s,seed=%d\n\n"
                    % (i, board, PUB, v1, PSK_ID, PSK_TEXT.encode().hex(), LINK, i + 1))
    return ini


def coap(port, method, path, payload=None, file=None, wait=8):
    cmd = ["coap-client-openssl", "-m", method, "-B", str(wait), "-u", PSK_ID, "-k", PSK_TEXT]
    if file is not None:
        cmd += ["-b", "1024", "-f", file]
    if payload is not None:
        cmd += ["-e", payload]
    cmd.append("coaps://127.0.0.1:%d%s" % (port, path))
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=wait + 20)
    except subprocess.TimeoutExpired:
        return False
    text = r.stderr.decode(errors="replace") + r.stdout.decode(errors="replace")
    # libcoap 4.3.1 exits 0 when it gives up on a request ("ERR cannot send CoAP pdu").
    return r.returncode == 0 and re.search(r"\b[45]\.\d\d\b| ERR ", text) is None


def coap_get(port, path, wait=8):
    """A GET's JSON reply, or None."""
    cmd = ["coap-client-openssl", "-m", "get", "-B", str(wait), "-u", PSK_ID, "-k", PSK_TEXT,
           "coaps://127.0.0.1:%d%s" % (port, path)]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=wait + 20)
        return json.loads(r.stdout)
    except (subprocess.TimeoutExpired, ValueError):
        return None


def mark_pending(port):
    """POST /fw/pending "test", checked with GET /fw: libcoap 4.3.1's client also exits 0, saying
    nothing, when -B runs out before a reply (a request lost to the link faults)."""
    for _ in range(3):
        coap(port, "post", "/fw/pending", payload="test")
        fw = coap_get(port, "/fw")
        if fw is not None and any(s.get("pending") for s in fw.get("slots", [])[1:]):
            return True
    return False


def wait_app(c, dev, min_boots, timeout=120):
    """Polls until dev runs its app after min_boots boots; returns its status, or None."""
    deadline = time.time() + timeout
    off_since = None
    while time.time() < deadline:
        st = c.ok("query-status", device=dev)
        app = st.get("app") or {}
        if st["state"] == "running" and st["boots"] >= min_boots and app.get("ready"):
            return st
        if st["state"] == "off":
            off_since = off_since or time.time()
            if time.time() - off_since > 0.3:
                c.cmd("power-on", device=dev)
                off_since = None
        else:
            off_since = None
        time.sleep(0.2)
    return None


def arm_cut(c, dev, at, rng):
    c.ok("power-cut", device=dev, at_op=at, fault=rng.choice(MODELS), seed=rng.randrange(1 << 30))


def update_device(sock, dev, cut, seed, v2, stats):
    """One device's rollout: upload, pending test, reboot, confirm; retried after a cut."""
    rng = random.Random(seed)
    c = Control(sock)
    try:
        st = wait_app(c, dev, 1)
        if st is None:
            return "not-ready"
        if cut == "upload":
            # A cut at a flash write of the upload: armed for the next run, which starts now.
            arm_cut(c, dev, st["last-boot"]["ops"] + rng.randrange(1, 12), rng)
            c.ok("reset", device=dev)
            st = wait_app(c, dev, st["boots"] + 1)
        trail = stats["trail"].setdefault(dev, [])
        for attempt in range(10):
            if st is None:
                return "lost"
            port = st["app"]["port"]
            boots = st["boots"]
            if st["last-boot"].get("version") == "2.0.0+0":
                if coap(port, "post", "/fw/confirm"):
                    return "updated"
                # A cut armed for the swap that fell on the confirm: v1 may come back.
                stats["retries"] += 1
                trail.append("confirm")
                st = wait_app(c, dev, boots)
                continue
            if not coap(port, "put", "/fw/upload", file=v2, wait=15) or not mark_pending(port):
                stats["retries"] += 1
                trail.append("upload")
                st = wait_app(c, dev, boots)
                continue
            if cut == "swap":
                arm_cut(c, dev, rng.randrange(5, 60), rng)
                cut = None
            if not coap(port, "post", "/reboot"):
                trail.append("reboot")
                c.cmd("reset", device=dev)
            st = wait_app(c, dev, boots + 1)
        return "gave-up"
    finally:
        c.close()


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def probe(sock, mnt, names, stop, conn):
    """Latency of query-status and of a FUSE stat, every 20 ms until stop is set; sends the
    lists through conn. A process of its own: the rollout's threads must not delay it."""
    c = Control(sock)
    rng = random.Random(7)
    out = {"status": [], "fuse": []}
    while not stop.is_set():
        dev = rng.choice(names)
        t0 = time.perf_counter()
        c.ok("query-status", device=dev)
        out["status"].append(time.perf_counter() - t0)
        if mnt is not None:
            t0 = time.perf_counter()
            os.stat(os.path.join(mnt, dev, "slots", "0-primary.bin"))
            out["fuse"].append(time.perf_counter() - t0)
        stop.wait(0.02)
    c.close()
    conn.send(out)
    conn.close()


def rollup(pid, key):
    """A field of /proc/PID/smaps_rollup or status, in KiB (0 if the process is gone)."""
    for name in ("smaps_rollup", "status"):
        try:
            with open("/proc/%d/%s" % (pid, name)) as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
    return 0


def cpu_s(pid):
    """User and system CPU seconds of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def schedstat(pid):
    """The daemon's main thread: ns on a CPU, ns waiting on a run queue, times it ran."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return [int(x) for x in f.read().split()[:3]]
    except (OSError, ValueError):
        return [0, 0, 0]


def children(pid):
    """The daemon's firmware processes (its children but the spawner, bo-spawner)."""
    kids = []
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/children" % (pid, task)) as f:
            kids += [int(x) for x in f.read().split()]
    return [k for k in kids if comm(k) != "bo-spawner"]


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def fuse_available():
    try:
        os.close(os.open("/dev/fuse", os.O_RDWR))
    except OSError:
        return False
    return shutil.which("fusermount3") is not None or os.geteuid() == 0


def start_daemon(workdir, ini, mnt):
    sock = os.path.join(workdir, "bo.sock")
    log = open(os.path.join(workdir, "brownoutd.log"), "ab")
    cmd = [os.path.join(BIN, "brownoutd"), "-c", ini, "--control", sock, "--quiet"]
    if mnt is not None:
        os.makedirs(mnt, exist_ok=True)
        cmd += ["--mount", mnt]
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    log.close()
    while True:
        if proc.poll() is not None or time.time() - t0 > 300:
            raise RuntimeError("brownoutd did not start; see %s/brownoutd.log" % workdir)
        try:
            Control(sock).close()
            return proc, sock, t0
        except OSError:
            time.sleep(0.05)


def boot_all(sock, names, t0):
    """Powers every device on; returns the seconds from the daemon's start to the last APP_READY."""
    c = Control(sock, keep_events=True)
    c.ok("events", enable=True)
    for name in names:
        c.ok("power-on", device=name)
    ready = set()
    deadline = time.time() + 600
    while len(ready) < len(names) and time.time() < deadline:
        while c.events:
            ev = c.events.pop(0)
            if ev["event"] == "APP_READY":
                ready.add(ev["data"]["device"])
        if len(ready) < len(names):
            c.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                ev = c.read()
                if "event" in ev:
                    c.events.append(ev)
            except socket.timeout:
                break
    took = time.time() - t0
    c.ok("events", enable=False)
    c.close()
    return took, len(ready)


def memory(pid, n):
    kids = children(pid)
    pss = sum(rollup(k, "Pss") for k in kids)
    return {"kids": len(kids), "pss_dev": pss / max(1, len(kids)) / 1024.0,
            "daemon_rss": rollup(pid, "VmRSS") / 1024.0, "daemon_pss": rollup(pid, "Pss") / 1024.0}


def loop_stats(sock):
    """brownoutd's loop counters (query-status without a device), or None from an older one."""
    c = Control(sock)
    try:
        return c.ok("query-status").get("loop")
    finally:
        c.close()


def loop_delta(a, b):
    """What the loop did between two samples: busy fraction, long iterations, their share."""
    if a is None or b is None:
        return None
    wall = max(1, b["uptime-us"] - a["uptime-us"])
    return {"busy": (b["busy-us"] - a["busy-us"]) / wall,
            "long": b["long-iterations"] - a["long-iterations"],
            "long_share": (b["long-busy-us"] - a["long-busy-us"]) / wall,
            "iterations": b["iterations"] - a["iterations"],
            "max_ms": b["max-iteration-us"] / 1000.0, "long_ms": b["long-ms"]}


def rollout(sock, names, v2, seed, jobs):
    rng = random.Random(seed)
    cut = rng.sample(names, max(1, len(names) // 10))
    plan = {name: None for name in names}
    for i, name in enumerate(cut):
        plan[name] = "upload" if i % 2 == 0 else "swap"
    stats = {"retries": 0, "trail": {}}
    results = {}
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = {ex.submit(update_device, sock, name, plan[name], rng.randrange(1 << 30), v2,
                          stats): name for name in names}
        for f in concurrent.futures.as_completed(futs):
            try:
                results[futs[f]] = f.result()
            except Exception as e:  # A broken request is a result too, never a crash here.
                results[futs[f]] = "error: %s" % e
    for name, r in sorted(results.items()):
        if r != "updated":
            print("bench_fleet: %s: %s after %s (cut: %s)" % (name, r, stats["trail"].get(name),
                                                         plan[name]), file=sys.stderr)
    return time.time() - t0, results, len(cut), stats["retries"]


def bricks(sock, names):
    """Devices that boot no valid image at the end (a brick), how many run v2, and the cuts.
    A device a late cut left off (power-on = manual) is powered on and given its boot first."""
    c = Control(sock)
    bricked, v2 = [], 0
    cuts = {"losses": 0, "armed": 0}
    for name in names:
        st = c.ok("query-status", device=name)
        if st["state"] != "running":
            c.cmd("power-on", device=name)
            st = wait_app(c, name, st["boots"] + 1, timeout=30) or c.ok("query-status",
                                                                         device=name)
        version = (st.get("last-boot") or {}).get("version")
        if st["state"] != "running" or version not in ("1.0.0+0", "2.0.0+0"):
            bricked.append(name)
            print("bench_fleet: %s: %s" % (name, json.dumps(st)[:1500]), file=sys.stderr)
        v2 += version == "2.0.0+0"
        cuts["losses"] += st.get("power-losses", 0)
        cuts["armed"] += st.get("armed-cut") is not None
        phase = (st.get("last-power-loss") or {}).get("phase")
        if phase is not None:
            cuts[phase] = cuts.get(phase, 0) + 1
    c.close()
    return bricked, v2, cuts


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_FLEET_N", "1000"))
    jobs = int(os.environ.get("BENCH_FLEET_JOBS", "48"))
    seed = int(os.environ.get("BENCH_FLEET_SEED", "1"))
    if shutil.which("coap-client-openssl") is None:
        print("bench_fleet: coap-client-openssl (libcoap3-bin) is not installed; skipped")
        return 0
    workdir = tempfile.mkdtemp(prefix="bo-fleet.")
    mnt = os.path.join(workdir, "mnt") if fuse_available() else None
    proc = None
    try:
        v1 = sign(workdir, "v1", "1.0.0", 8000)
        v2 = sign(workdir, "v2", "2.0.0", 9000)
        ini = write_config(workdir, n, v1)
        names = ["d%04d" % i for i in range(n)]
        proc, sock, t0 = start_daemon(workdir, ini, mnt)
        ready_s, ready = boot_all(sock, names, t0)
        mem = memory(proc.pid, n)
        stop = multiprocessing.Event()
        recv, send = multiprocessing.Pipe(duplex=False)
        prober = multiprocessing.Process(target=probe, args=(sock, mnt, names, stop, send))
        prober.start()
        cpu0 = cpu_s(proc.pid)
        loop0 = loop_stats(sock)
        sched0 = schedstat(proc.pid)
        roll_s, results, cuts, retries = rollout(sock, names, v2, seed, jobs)
        mem["daemon_cpu"] = cpu_s(proc.pid) - cpu0
        mem["sched"] = [b - a for a, b in zip(sched0, schedstat(proc.pid))]
        mem["loop"] = loop_delta(loop0, loop_stats(sock))
        mem["load"] = os.getloadavg()
        stop.set()
        lat = recv.recv()
        prober.join()
        bricked, v2count, losses = bricks(sock, names)
        report(n, jobs, ready, ready_s, mem, roll_s, results, (cuts, losses, retries), bricked,
               v2count, lat, mnt)
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if mnt is not None and os.path.ismount(mnt):
            subprocess.run(["fusermount3", "-uz", mnt], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def report(n, jobs, ready, ready_s, mem, roll_s, results, faults, bricked, v2count, lat, mnt):
    cuts, losses, retries = faults
    outcome = {}
    for r in results.values():
        outcome[r] = outcome.get(r, 0) + 1
    print("bench_fleet: %d devices (tiny NOR board, flash in RAM, CoAPs PSK, link %s), "
          "%d updated at once, %d cpus, load average %.2f %.2f %.2f at the rollout's end"
          % ((n, LINK, jobs, os.cpu_count()) + tuple(mem["load"])))
    print("  time to all ready       %8.1f s    no target set (%d/%d devices APP_READY)"
          % (ready_s, ready, n))
    print("  PSS per device          %8.2f MiB  target <= 2 MiB (%d firmware processes)"
          % (mem["pss_dev"], mem["kids"]))
    print("  daemon RSS              %8.1f MiB  (PSS %.1f MiB; flash memfds count here)"
          % (mem["daemon_rss"], mem["daemon_pss"]))
    print("  rollout time            %8.1f s    no target set (%d power cuts: half in upload, "
          "half in swap; %d retried requests)" % (roll_s, cuts, retries))
    print("  daemon CPU in rollout   %8.1f s    (%.0f%% of one core)"
          % (mem["daemon_cpu"], 100.0 * mem["daemon_cpu"] / max(roll_s, 1e-9)))
    print("  power losses            %8d      (a device's last in phase: %s; %d cuts never hit)"
          % (losses["losses"], ", ".join("%s %d" % (k, v) for k, v in sorted(losses.items())
                                          if k not in ("losses", "armed")), losses["armed"]))
    print("  outcomes                %s" % ", ".join("%s %d" % kv for kv in sorted(outcome.items())))
    print("  running v2 at the end   %8d of %d" % (v2count, n))
    print("  bricks                  %8d      target 0%s" % (len(bricked), (" (" + " ".join(
        bricked[:10]) + ")") if bricked else ""))
    print("  query-status p99        %8.1f ms   target <= 100 ms (%d calls, p50 %.1f ms)"
          % (percentile(lat["status"], 99) * 1e3, len(lat["status"]),
             percentile(lat["status"], 50) * 1e3))
    loop = mem.get("loop")
    if loop is not None:
        print("  daemon loop busy        %8.1f %%    of the rollout: %.1f ms of each 20 ms "
              "probe period on average (%d iterations)"
              % (100.0 * loop["busy"], loop["busy"] * 20.0, loop["iterations"]))
        print("  loop blocked >= %d ms   %8.1f %%    of the rollout, in %d iterations; the "
              "longest %.1f ms (since the daemon started)"
              % (loop["long_ms"], 100.0 * loop["long_share"], loop["long"], loop["max_ms"]))
    sched = mem.get("sched")
    if sched and sched[2] > 0:
        print("  daemon waited for a CPU %8.1f %%    of the rollout, %.2f ms a wake-up on average "
              "(runnable, not running: the machine's load)"
              % (100.0 * sched[1] / 1e9 / max(roll_s, 1e-9), sched[1] / 1e6 / sched[2]))
    if mnt is not None:
        print("  FUSE stat p99           %8.1f ms   target <= 100 ms (%d calls, p50 %.1f ms)"
              % (percentile(lat["fuse"], 99) * 1e3, len(lat["fuse"]),
                 percentile(lat["fuse"], 50) * 1e3))
    else:
        print("  FUSE stat p99                n/a    (/dev/fuse cannot be opened)")


if __name__ == "__main__":
    sys.exit(main())
