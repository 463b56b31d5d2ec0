#!/usr/bin/env python3
"""gen_corpus.py - writes fuzz/sockets/corpus/: seeds for fuzz_sockets, one scenario each.

The encoding is fuzz_sockets.c's decoder: a world byte (bit 0 loss, bit 1 duplication and
reordering, bit 2 the exit path), then per call an op byte and its argument bytes.
Run: python3 fuzz/sockets/gen_corpus.py (rewrites the seeds; commit what changed). Inputs that
once broke something are kept by hand beside them as corpus/crash-<what>.
"""
import os

(SOCKET, SOCKETPAIR, BIND, LISTEN, CONNECT, ACCEPT, SEND, RECV, SENDMSG, RECVMSG, SHUTDOWN,
 SETSOCKOPT, GETSOCKOPT, GETNAME, POLL, IOCTL, DUP, CLOSE, SLEEP, RW) = range(20)
INET, INET6, UNIX = 0, 1, 2
STREAM, SEQPACKET, DGRAM = 0, 2, 4  # type byte b: types[b % 3], bit 0 adds SOCK_CLOEXEC
(A, B, B1, LO, ANY, ANY1, LO6, ANY6, MAPPED, UPATH, UABS_A, UABS_B, UNSPEC, NOBODY, A1,
 UBADPATH) = range(16)
NONAME = 19  # a name slot past the table: msg_name NULL
OPT = {'reuseaddr': 0, 'keepalive': 1, 'rcvbuf': 2, 'sndbuf': 3, 'linger': 4, 'error': 5,
       'nodelay': 13, 'maxseg': 14, 'cork': 15, 'keepidle': 16, 'info': 19, 'v6only': 22}


def socket(dom, typ):
    return [SOCKET, dom, typ, 0]


def socketpair(typ):
    return [SOCKETPAIR, UNIX, typ, 0]


def bind(fd, a):
    return [BIND, fd, a]


def connect(fd, a):
    return [CONNECT, fd, a]


def listen(fd, n=4):
    return [LISTEN, fd, n]


def accept(fd):
    return [ACCEPT, fd, 0, 0]


def send(fd, n, to=None):  # n < 128 bytes
    return [SEND, fd, 0, n, 0] + ([200] if to is None else [0, to])


def recv(fd, n, peek=False):
    return [RECV, fd, 0, n, 2 if peek else 0, 200]


def sendmsg(fd, name=NONAME, niov=2, ctl=0, nfds=1, fds=0):
    """ctl 1: SCM_RIGHTS with nfds descriptors: fds % 12, fds // 12 % 12"""
    return [SENDMSG, fd, 0, name, niov, 20, 30, ctl, nfds - 1, fds, 0]


def recvmsg(fd, ctl=1):
    return [RECVMSG, fd, 0, NONAME, 2, 60, 60, ctl, 2, 0, 0]


def setopt(fd, name, val, ln=4):
    return [SETSOCKOPT, fd, OPT[name]] + ([0] if ln == 4 else [200, ln]) + \
        list(val.to_bytes(8, 'little'))


def getopt(fd, name):
    return [GETSOCKOPT, fd, OPT[name]] + [0] * 8


def getname(fd, peer):
    return [GETNAME, fd, 1 if peer else 0, 0]


def sleep(b):  # b < 200: b * 10 ms; 200..255: (b - 199) * 5 s
    return [SLEEP, b]


def close(fd):
    return [CLOSE, fd]


def shutdown(fd, how):
    return [SHUTDOWN, fd, how]


def poll(fds):
    return [POLL, len(fds), 1] + [f + 1 for f in fds] + [0] * (6 - len(fds))


def ioctl(fd, fionread=True):
    return [IOCTL, fd, 1 if fionread else 0, 0]


def tcp_pair(laddr=B, caddr=A, dom=INET):
    """fd 0 listens on laddr, fd 1 connects from caddr, fd 2 is the accepted end"""
    return (socket(dom, STREAM) + setopt(0, 'reuseaddr', 1) + bind(0, laddr) + listen(0)
            + socket(dom, STREAM) + (bind(1, caddr) if caddr is not None else [])
            + connect(1, laddr) + sleep(2) + accept(0))


def exchange(rounds):
    out = []
    for _ in range(rounds):
        out += send(1, 100) + send(2, 100) + sleep(1) + recv(2, 127) + recv(1, 127)
    return out


SEEDS = {
    'tcp-wire-echo-close': [0] + tcp_pair() + send(1, 100) + sleep(2) + recv(2, 120)
    + send(2, 100) + sleep(2) + recv(1, 127) + getname(2, True) + getname(1, False)
    + getopt(1, 'info') + close(1) + sleep(3) + recv(2, 127) + close(2) + close(0),
    'tcp-lossy-exchange-exit': [3 | 4] + tcp_pair() + setopt(1, 'nodelay', 1) + exchange(8)
    + sleep(100),
    'tcp-unread-close-rst': [0] + tcp_pair() + send(2, 100) + sleep(2) + ioctl(1) + close(1)
    + sleep(2) + recv(2, 10) + getopt(2, 'error') + close(2),
    'tcp-linger0-exit': [4] + tcp_pair() + setopt(1, 'linger', 1, ln=8) + send(1, 50) + sleep(1),
    'tcp-half-close': [0] + tcp_pair() + shutdown(1, 1) + sleep(2) + recv(2, 10) + send(2, 90)
    + sleep(2) + recv(1, 127) + poll([0, 1, 2]) + shutdown(2, 2) + sleep(2) + recv(1, 5),
    'tcp-connect-nobody': [0] + socket(INET, STREAM) + connect(0, NOBODY) + sleep(150)
    + sleep(201) + getopt(0, 'error') + connect(0, NOBODY),
    'tcp-connect-refused': [0] + socket(INET, STREAM) + bind(0, A) + connect(0, B1) + sleep(2)
    + getopt(0, 'error') + recv(0, 10),
    'tcp-loopback-v6': [0] + tcp_pair(laddr=LO6, caddr=None, dom=INET6) + send(1, 100)
    + sleep(1) + recv(2, 100) + setopt(0, 'v6only', 1),
    'tcp-v4-to-dual-stack': [0] + socket(INET6, STREAM) + bind(0, ANY6) + listen(0)
    + socket(INET, STREAM) + bind(1, A) + connect(1, B) + sleep(2) + accept(0)
    + getname(2, True) + send(1, 60) + sleep(1) + recv(2, 60),
    'tcp-keepalive-idle': [1] + tcp_pair() + setopt(1, 'keepalive', 1)
    + setopt(1, 'keepidle', 1) + sleep(205) + sleep(210) + getopt(1, 'error'),
    'tcp-backlog-full': [0] + socket(INET, STREAM) + bind(0, B) + listen(0, 0)
    + socket(INET, STREAM) + connect(1, B) + socket(INET, STREAM) + connect(2, B)
    + socket(INET, STREAM) + connect(3, B) + sleep(3) + accept(0) + sleep(201) + accept(0)
    + accept(0),
    'udp-wire-trunc': [0] + socket(INET, DGRAM) + bind(0, B) + socket(INET, DGRAM)
    + bind(1, A) + send(1, 100, to=B) + send(1, 20, to=B) + sleep(1) + recv(0, 10)
    + recv(0, 100, peek=True) + connect(1, B) + send(1, 30) + connect(1, UNSPEC) + send(1, 30),
    'udp-msg': [0] + socket(INET, DGRAM) + bind(0, B) + socket(INET, DGRAM)
    + sendmsg(1, name=B, niov=3) + sleep(1) + recvmsg(0, ctl=0) + ioctl(0),
    'unix-stream-pair': [0] + socketpair(STREAM) + send(0, 100) + recv(1, 50) + shutdown(0, 1)
    + recv(1, 127) + recv(1, 10) + poll([0, 1]),
    'unix-rights': [0] + socketpair(STREAM) + socketpair(DGRAM) + sendmsg(0, ctl=1, fds=2)
    + recvmsg(1) + sendmsg(2, ctl=1, nfds=2, fds=1 + 12 * 7) + close(3) + close(0),
    # A's descriptor queued at B and B's at A, every descriptor closed: the collector's case
    'unix-rights-cycle': [0] + socketpair(STREAM) + socketpair(DGRAM)
    + sendmsg(0, ctl=1, fds=3) + sendmsg(2, ctl=1, fds=1) + close(0) + close(1) + close(2)
    + close(3),
    'unix-rights-self': [0] + socketpair(SEQPACKET) + sendmsg(0, ctl=1, fds=1) + close(1),
    'unix-names': [0] + socket(UNIX, STREAM) + bind(0, UPATH) + listen(0)
    + socket(UNIX, STREAM) + connect(1, UPATH) + accept(0) + socket(UNIX, DGRAM)
    + bind(3, UABS_A) + socket(UNIX, DGRAM) + bind(4, UABS_B) + send(4, 40, to=UABS_A)
    + recv(3, 10) + getname(2, True) + socket(UNIX, SEQPACKET) + connect(5, UPATH)
    + bind(5, UBADPATH),
    'misuse': [0] + socket(INET, STREAM) + listen(0) + accept(0) + send(0, 5) + recv(0, 5)
    + shutdown(0, 3) + bind(0, MAPPED) + bind(0, 250) + connect(0, 245)
    + getname(9, True) + [SOCKET, 250, 7, 250, 99] + [SOCKET, 0, 6, 0]
    + [DUP, 0, CLOSE, 0, RW, 1, 1, 20, RW, 1, 0, 20],
}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
os.makedirs(here, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(here, name), 'wb') as f:
        f.write(bytes(b & 0xff for b in data))
print(f'{len(SEEDS)} seeds in {here}')
