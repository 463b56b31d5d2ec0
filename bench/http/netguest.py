"""bench/http/netguest.py - a server in Petrel and the same server in the Linux guest, on one
QEMU command line with one network backend, for bench/http and bench/tcp.

Both guests run on q35 (the Debian cloud kernel has virtio-pci and virtio-net as modules and
no virtio-mmio command-line devices, so on microvm it would see no NIC), TCG or KVM alike,
the same -m, one virtio-net-pci NIC on one of two backends (class UserNet, TapNet):

  user    QEMU user networking (slirp) with one hostfwd from a free host port on 127.0.0.1
          to the server's port; Petrel takes slirp's DHCP address, Linux sets the same
          10.0.2.15/24 (gateway 10.0.2.2)
  tap     a network namespace the benchmark creates (petrel-bench-<pid>) holding a tap
          (ptap0, 10.77.0.1/24); QEMU opens it (-netdev tap, vnet_hdr as QEMU probes it, so
          the offloads the tap offers reach the guest) and the load generator runs in the
          namespace too, against the guest's static 10.77.0.2 (Petrel: petrel build --ip;
          Linux: /init). The namespace and its tap are deleted when the benchmark ends,
          also on an error or a signal.

They differ only in what boots:

  petrel  -kernel hal_x86/petrel.elf, the server's image (petrel build) on virtio-blk-pci
          (-snapshot)
  linux   -kernel vmlinux (bench/linux-guest) -initrd <cpio>: /init is busybox sh loading
          the virtio modules from the kernel's .deb, setting the address and exec'ing the
          server; the server's files (the same binaries and libraries, found by
          `petrel deps`) sit at their host paths

QEMU runs pinned to CPU 0 (taskset) and the load generator to CPU 1, as the issue asks.
"""

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench", "linux-guest"))
import guest  # noqa: E402

MODULES = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
           "virtio_pci", "failover", "net_failover", "virtio_net"]
MEM = os.environ.get("BENCH_NET_MEM", "512M")


class BenchError(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def accel():
    if os.environ.get("BENCH_NET_ACCEL"):
        return os.environ["BENCH_NET_ACCEL"]
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
        if (" vmx" in flags or " svm" in flags) and os.access("/dev/kvm", os.R_OK | os.W_OK):
            return "kvm"
    except OSError:
        pass
    return "tcg"


def qemu_argv(kernel, append, netdev, console, extra):
    """The one command line of both guests (see the module's note)."""
    return ["taskset", "-c", "0", "qemu-system-x86_64", "-M", "q35", "-nodefaults",
            "-accel", accel(), "-m", MEM, "-no-reboot", "-display", "none",
            "-monitor", monitor(), "-serial", "file:" + console,
            "-netdev", netdev + ",id=net0",
            "-device", "virtio-net-pci,netdev=net0,disable-legacy=on,romfile=",
            "-kernel", kernel, "-append", append] + dump_args() + list(extra)


def dump_args():
    """For a look inside a run (both off by default). BENCH_NET_DUMP=FILE: QEMU writes the
    frames of net0 (both ways, the first 172 bytes of each: QEMU 7.2 keeps the 12-byte virtio
    header before the frame's headers) to FILE as pcap (-object filter-dump).
    BENCH_NET_MONITOR=PATH: QEMU's monitor on the unix socket PATH instead of none (e.g. to
    sample the vCPU's registers while the benchmark runs: bench/tcp/sample)."""
    args = []
    if os.environ.get("BENCH_NET_DUMP"):
        args += ["-object", "filter-dump,id=dump0,netdev=net0,file=%s,maxlen=172"
                 % os.environ["BENCH_NET_DUMP"]]
    return args


def monitor():
    path = os.environ.get("BENCH_NET_MONITOR")
    return "unix:%s,server=on,wait=off" % path if path else "none"


def petrel_image(build, cache, files, argv, net_args):
    """Build (or reuse) the server's image with petrel build; returns its path."""
    cmd = [os.path.join(build, "bin", "petrel"), "build", "-q"] + list(net_args)
    for host, g in files:
        cmd += ["--dir" if os.path.isdir(host) else "--file", "%s:%s" % (host, g)]
    env = dict(os.environ, PETREL_CACHE=cache)
    r = subprocess.run(cmd + argv, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise BenchError("petrel build failed: %s" % r.stderr.strip())
    return r.stdout.strip().splitlines()[-1]


def deps(build, program):
    """The program's interpreter and libraries (petrel deps)."""
    r = subprocess.run([os.path.join(build, "bin", "petrel"), "deps", program],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError("petrel deps %s: %s" % (program, r.stderr.strip()))
    # after the program's own line: "path (why)" or "link -> target (why)" per file (a link
    # is copied as the file it names), and "# ..." summaries of the runtime rules
    out = []
    for line in r.stdout.splitlines()[1:]:
        path = line.split(" ")[0]
        if path.startswith("/") and path not in out:
            out.append(path)
    return out


def modules(cache):
    """Paths of the virtio-net modules, unpacked from the cached kernel .deb."""
    d = guest.cache_dir()
    debs = [f for f in os.listdir(d) if f.endswith(".deb")]
    if not debs:
        raise BenchError("no kernel .deb in %s" % d)
    out = os.path.join(cache, "modules")
    if not os.path.isdir(out):
        subprocess.run(["dpkg-deb", "-x", os.path.join(d, debs[0]), out], check=True)
    found = {}
    for dirpath, _, names in os.walk(os.path.join(out, "lib", "modules")):
        for n in names:
            if n.endswith(".ko") and n[:-3] in MODULES:
                found[n[:-3]] = os.path.join(dirpath, n)
    missing = [m for m in MODULES if m not in found]
    if missing:
        raise BenchError("modules missing from the kernel package: %s" % ", ".join(missing))
    return [found[m] for m in MODULES]


def _tree_entries(files):
    """(guest path, host path or None for a directory) for every file and its parents."""
    entries = {}
    for host, g in files:
        if os.path.isdir(host):
            for dirpath, _, names in os.walk(host):
                rel = os.path.relpath(dirpath, host)
                base = g if rel == "." else os.path.join(g, rel)
                entries[base] = None
                for n in names:
                    entries[os.path.join(base, n)] = os.path.join(dirpath, n)
        else:
            entries[g] = host
    for path in list(entries):
        p = os.path.dirname(path)
        while p not in ("/", ""):
            entries.setdefault(p, None)
            p = os.path.dirname(p)
    return sorted(entries.items())


def linux_initramfs(out_path, files, argv, port_note, net):
    """A cpio with busybox, the modules, files [(host, guest)] and an /init running argv."""
    init = ["#!/bin/busybox sh", "export PATH=/bin", "busybox mount -t proc proc /proc",
            "busybox mount -t devtmpfs dev /dev", "busybox mount -t tmpfs tmp /tmp"]
    init += ["busybox insmod /lib/netmods/%s" % os.path.basename(m) for m in files.modules]
    init += ["busybox ip link set lo up", "busybox ip link set eth0 up",
             "busybox ip addr add %s/%d dev eth0" % (net.guest_ip, net.prefix),
             "busybox ip route add default via %s" % net.gateway,
             "echo linux-guest: serving %s" % port_note,
             "exec " + " ".join("'%s'" % a for a in argv)]
    all_files = list(files.files) + [("/bin/busybox", "/bin/busybox")]
    all_files += [(m, "/lib/netmods/" + os.path.basename(m)) for m in files.modules]
    with open(out_path, "wb") as out:
        ino = 1
        for d in ("dev", "proc", "tmp", "sys"):
            guest._newc_entry(out, ino, d, 0o040755, nlink=2)
            ino += 1
        guest._newc_entry(out, ino, "dev/console", 0o020600, rdev=(5, 1))
        ino += 1
        guest._newc_entry(out, ino, "init", 0o100755, ("\n".join(init) + "\n").encode())
        ino += 1
        for g, host in _tree_entries(all_files):
            name = g.lstrip("/")
            if host is None:
                guest._newc_entry(out, ino, name, 0o040755, nlink=2)
            else:
                with open(host, "rb") as f:
                    data = f.read()
                guest._newc_entry(out, ino, name, 0o100755, data)
            ino += 1
        guest._newc_entry(out, 0, "TRAILER!!!", 0)


class Files:
    def __init__(self, files, mods):
        self.files = files
        self.modules = mods


class Vm:
    """One guest with the server, reachable on addr (host, port)."""

    def __init__(self, argv, addr, log):
        self.addr = addr
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait_tcp(self, probe, timeout):
        """Until probe(addr) succeeds (the server answers), at most timeout seconds."""
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise BenchError("the VM ended (status %s)" % self.proc.returncode)
            if probe(self.addr):
                return
            time.sleep(1)
        raise BenchError("no answer on %s:%d after %d s" % (self.addr + (timeout,)))

    def cpu_seconds(self):
        """QEMU's CPU time so far (user + system, all its threads: the vCPU and the main loop
        with slirp or the tap). Work divided by it is a cost that the machine's load, which
        only stretches wall time, changes far less than rates per wall second."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def switches(self):
        """Context switches of all QEMU's threads so far, (voluntary, involuntary): a
        voluntary one is a thread going to sleep (the vCPU halting, the main loop waiting
        for its descriptors), each followed by a wake-up that waits for a CPU on a loaded
        host, so per request it says how often the guest leaves the host's scheduler a
        chance to delay it."""
        vol = invol = 0
        task = "/proc/%d/task" % self.proc.pid
        for t in os.listdir(task):
            try:
                with open(os.path.join(task, t, "status")) as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches"):
                            vol += int(line.split()[1])
                        elif line.startswith("nonvoluntary_ctxt_switches"):
                            invol += int(line.split()[1])
            except OSError:
                pass  # a thread that ended meanwhile
        return vol, invol

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def boot(kind, build, work, server, net, guest_port):
    """Start server (dict: name, argv, files) in guest kind ('petrel' or 'linux') on net (a
    UserNet or TapNet, see there); the Vm's addr is where the load generator connects."""
    netdev, addr = net.attach(guest_port)
    log = os.path.join(work, "%s-%s-%s.log" % (server["name"], kind, net.name))
    if kind == "petrel":
        img = petrel_image(build, os.path.join(work, "cache-" + net.name), server["files"],
                           server["argv"], net.petrel_args())
        extra = ["-drive", "id=disk1,file=%s,format=raw,if=none" % img,
                 "-device", "virtio-blk-pci,drive=disk1,disable-legacy=on", "-snapshot"]
        argv = qemu_argv(os.path.join(build, "hal_x86", "petrel.elf"), "", netdev,
                         log + ".console", extra)
    else:
        kernel = guest.ensure_vmlinux()  # first: it downloads the .deb modules() unpacks
        files = list(server["files"]) + [(p, p) for p in deps(build, server["argv"][0])]
        files.append((server["argv"][0], server["argv"][0]))
        cpio = os.path.join(work, "%s-%s.cpio" % (server["name"], net.name))
        linux_initramfs(cpio, Files(files, modules(work)), server["argv"], guest_port, net)
        argv = qemu_argv(kernel, guest.LINUX_APPEND, netdev,
                         log + ".console", ["-initrd", cpio])
    return Vm(argv, addr, log)


class UserNet:
    """QEMU user networking: a hostfwd from a free port on the host's 127.0.0.1."""
    name = "user"
    guest_ip, prefix, gateway = "10.0.2.15", 24, "10.0.2.2"

    def attach(self, guest_port):
        port = free_port()
        return ("user,hostfwd=tcp:127.0.0.1:%d-:%d" % (port, guest_port),
                ("127.0.0.1", port))

    def petrel_args(self):
        return []  # slirp's DHCP gives guest_ip

    def inside(self):
        return contextlib.nullcontext()

    def close(self):
        pass


CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns: %s" % os.strerror(err))


def _sh(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError("%s: %s" % (" ".join(cmd), r.stderr.strip()))


class TapNet:
    """A network namespace with a tap, made here and always deleted (close(), also at exit
    and on SIGTERM/SIGINT/SIGHUP through finish_on_signals). QEMU and the load generator
    run inside it (inside(): this thread enters the namespace, so every child does too)."""
    name = "tap"
    guest_ip, prefix, gateway = "10.77.0.2", 24, "10.77.0.1"
    TAP = "ptap0"

    def __init__(self):
        if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
            raise BenchError("the tap backend needs root and /dev/net/tun")
        _delete_stale_namespaces()
        self.ns = "petrel-bench-%d" % os.getpid()
        _sh("ip", "netns", "add", self.ns)
        try:
            _sh("ip", "-n", self.ns, "tuntap", "add", "dev", self.TAP, "mode", "tap")
            _sh("ip", "-n", self.ns, "addr", "add", "%s/%d" % (self.gateway, self.prefix),
                "dev", self.TAP)
            _sh("ip", "-n", self.ns, "link", "set", self.TAP, "up")
            _sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        except BenchError:
            self.close()
            raise

    def attach(self, guest_port):
        return ("tap,ifname=%s,script=no,downscript=no" % self.TAP,
                (self.guest_ip, guest_port))

    def petrel_args(self):
        return ["--ip", self.guest_ip, "--netmask", "255.255.255.0", "--gateway", self.gateway]

    @contextlib.contextmanager
    def inside(self):
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open("/run/netns/" + self.ns, os.O_RDONLY)
        try:
            _setns(target)
            yield
        finally:
            _setns(own)
            os.close(own)
            os.close(target)

    def close(self):
        if self.ns:
            subprocess.run(["ip", "-n", self.ns, "link", "del", self.TAP],
                           capture_output=True)
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
            self.ns = None


def _delete_stale_namespaces():
    """Namespaces an earlier run left (killed with SIGKILL): petrel-bench-<pid> of a dead pid."""
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        name = line.split(" ")[0]
        if name.startswith("petrel-bench-") and name[13:].isdigit():
            pid = int(name[13:])
            if pid != os.getpid() and not os.path.exists("/proc/%d" % pid):
                subprocess.run(["ip", "-n", name, "link", "del", TapNet.TAP],
                               capture_output=True)
                subprocess.run(["ip", "netns", "del", name], capture_output=True)


def finish_on_signals():
    """SIGTERM and SIGHUP end the benchmark through SystemExit, so finally blocks (VMs
    stopped, the namespace deleted) run; SIGINT already raises KeyboardInterrupt."""
    def bye(signum, frame):
        raise SystemExit(128 + signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, bye)


def backends():
    """The backends BENCH_NET_BACKENDS names (default "user tap"), each a (name, factory)."""
    known = {"user": UserNet, "tap": TapNet}
    names = os.environ.get("BENCH_NET_BACKENDS", "user tap").split()
    return [(n, known[n]) for n in names if n in known]


def tmpdir():
    return tempfile.mkdtemp(prefix="petrel-bench-net.")


def cleanup(d):
    """Remove the work directory, unless BENCH_NET_KEEP is set (its logs, consoles, images)."""
    if os.environ.get("BENCH_NET_KEEP"):
        print("bench: work directory kept: %s" % d, file=sys.stderr)
    else:
        shutil.rmtree(d, ignore_errors=True)
