#!/usr/bin/env python3
"""petrel_tty_test.py <build dir> <source dir>: `petrel run -t` through a pty.

The program (petrel_tty.c) runs with petrel's stdin, stdout and stderr on a pty of window
size 33x101: it must see three terminals and that size; a line typed with a DEL in it
arrives edited, echoed as the host's own line discipline would ("\\b \\b"); in
non-canonical mode without echo three keys arrive at once and are not echoed; Ctrl-C is
echoed "^C" and raises SIGINT; resizing the pty to 40x120 raises one SIGWINCH and
TIOCGWINSZ answers the new size; Ctrl-D at a line's start makes a read return 0; petrel
exits with the program's 0 and leaves the pty's settings as they were (cooked, echo).
"""
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time

build, src = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="petrel-tty.")
prog = os.path.join(tmp, "tty")
subprocess.run(["gcc", "-O2", "-static", "-o", prog,
                os.path.join(src, "tools/tests/petrel_tty.c")], check=True)
env = dict(os.environ, PETREL_CACHE=os.path.join(tmp, "cache"))
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
    os.execve(os.path.join(build, "bin/petrel"),
              ["petrel", "run", "-q", "-t", "--timeout", "120", prog], env)
before = termios.tcgetattr(fd)
seen = b""
fails = []


def expect(what, timeout=90):
    """Read until what (bytes) has been seen; the text after it stays for the next expect."""
    global seen
    deadline = time.time() + timeout
    while what not in seen:
        left = deadline - time.time()
        r, _, _ = select.select([fd], [], [], max(left, 0))
        if not r:
            fails.append("timed out waiting for %r; got %r" % (what, seen))
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            fails.append("end of output waiting for %r; got %r" % (what, seen))
            return False
        seen += data
    seen = seen[seen.index(what) + len(what):]
    return True


def send(data):
    time.sleep(0.3)  # typed, not pasted: the program is waiting
    os.write(fd, data)


if expect(b"tty 1 1 1 size 33x101"):
    send(b"hello worx\x7fld\r")
    expect(b"hello worx\b \bld")  # the echo, edited
    expect(b"line [hello world] 12 bytes")
    expect(b"raw")
    send(b"abc")
    expect(b"got 61 62 63")
    expect(b"wait")
    send(b"\x03")
    expect(b"^C")
    expect(b"sigint")
    expect(b"winch-wait")
    # resize the pty: the kernel sends petrel SIGWINCH, petrel tells the guest
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    expect(b"winch 1 size 40x120")
    send(b"\x04")
    expect(b"eof read 0")
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    fails.append("petrel exited %d, expected 0; output %r" % (code, seen))
after = termios.tcgetattr(fd)
if after[3] != before[3] or after[0] != before[0]:
    fails.append("the terminal's settings were not restored: lflag %o -> %o, iflag %o -> %o"
                 % (before[3], after[3], before[0], after[0]))
subprocess.run(["rm", "-rf", tmp])
for f in fails:
    print("FAIL:", f)
print("petrel_tty_test: all passed" if not fails else "petrel_tty_test: %d failed" % len(fails))
sys.exit(1 if fails else 0)
