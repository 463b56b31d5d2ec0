"""bench/boot/timing.py - time one QEMU boot from the host.

t = 0 is just before QEMU is started (fork+exec). The guest's serial console (COM1 on QEMU's
stdout, a pipe) is read as a stream, unbuffered, and every complete line is timestamped as it
arrives; `first` is the first line that contains the marker text. `exit` is when QEMU has
exited (waitpid returned). Both come from time.monotonic_ns() in this process. `cpu_ns` is
the CPU time QEMU used (user + system, all its threads, from wait4's rusage): unlike the wall
times it barely grows when other processes compete for the cores.
"""

import os
import select
import subprocess
import time


class Run:
    def __init__(self):
        self.first_ns = None   # first line containing the marker
        self.exit_ns = None    # QEMU exited
        self.cpu_ns = None     # QEMU's user + system CPU time
        self.status = None     # QEMU's exit status
        self.output = b""
        self.timed_out = False


def run_once(argv, marker, timeout_s=120.0):
    marker_b = marker.encode() if isinstance(marker, str) else marker
    r = Run()
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, bufsize=0)
    fd = p.stdout.fileno()
    buf = b""
    deadline = t0 + int(timeout_s * 1e9)
    scanned = 0
    while True:
        left = (deadline - time.monotonic_ns()) / 1e9
        if left <= 0:
            r.timed_out = True
            p.kill()
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        now = time.monotonic_ns()
        if not chunk:
            break
        buf += chunk
        if r.first_ns is None:
            # Only complete lines count: the marker line must have arrived whole.
            end = buf.rfind(b"\n")
            if end >= scanned:
                for line in buf[scanned:end].split(b"\n"):
                    if marker_b in line:
                        r.first_ns = now - t0
                        break
                scanned = end + 1
    _, wstatus, ru = os.wait4(p.pid, 0)
    r.exit_ns = time.monotonic_ns() - t0
    p.returncode = r.status = os.waitstatus_to_exitcode(wstatus)
    r.cpu_ns = int((ru.ru_utime + ru.ru_stime) * 1e9)
    p.stdout.close()
    r.output = buf
    return r
