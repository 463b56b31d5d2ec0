"""bench/http/netguest.py - a server in Petrel and the same server in the Linux guest, on one
QEMU command line with one network backend, for bench/http and bench/tcp.

Both guests run on q35 (the Debian cloud kernel has virtio-pci and virtio-net as modules and
no virtio-mmio command-line devices, so on microvm it would see no NIC), TCG or KVM alike,
the same -m, one virtio-net-pci NIC on QEMU user networking with one hostfwd from a free host
port to the server's port. They differ only in what boots:

  petrel  -kernel hal_x86/petrel.elf, the server's image (petrel build) on virtio-blk-pci
          (-snapshot), the address by DHCP from slirp
  linux   -kernel vmlinux (bench/linux-guest) -initrd <cpio>: /init is busybox sh loading
          the virtio modules from the kernel's .deb, setting 10.0.2.15/24 (slirp's DHCP
          address) and exec'ing the server; the server's files (the same binaries and
          libraries, found by `petrel deps`) sit at their host paths

QEMU runs pinned to CPU 0 (taskset) and the load generator to CPU 1, as the issue asks.
"""

import os
import shutil
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
            "-monitor", "none", "-serial", "file:" + console,
            "-netdev", netdev + ",id=net0",
            "-device", "virtio-net-pci,netdev=net0,disable-legacy=on,romfile=",
            "-kernel", kernel, "-append", append] + list(extra)


def petrel_image(build, cache, files, argv):
    """Build (or reuse) the server's image with petrel build; returns its path."""
    cmd = [os.path.join(build, "bin", "petrel"), "build", "-q"]
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
    return [line.split(" ")[0] for line in r.stdout.splitlines()[1:]]


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


def linux_initramfs(out_path, files, argv, port_note):
    """A cpio with busybox, the modules, files [(host, guest)] and an /init running argv."""
    init = ["#!/bin/busybox sh", "export PATH=/bin", "busybox mount -t proc proc /proc",
            "busybox mount -t devtmpfs dev /dev", "busybox mount -t tmpfs tmp /tmp"]
    init += ["busybox insmod /lib/netmods/%s" % os.path.basename(m) for m in files.modules]
    init += ["busybox ip link set lo up", "busybox ip link set eth0 up",
             "busybox ip addr add 10.0.2.15/24 dev eth0",
             "busybox ip route add default via 10.0.2.2",
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
    """One guest with the server, reachable on 127.0.0.1:port."""

    def __init__(self, argv, port, log):
        self.port = port
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def wait_tcp(self, probe, timeout):
        """Until probe(port) succeeds (the server answers), at most timeout seconds."""
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise BenchError("the VM ended (status %s)" % self.proc.returncode)
            if probe(self.port):
                return
            time.sleep(1)
        raise BenchError("no answer on port %d after %d s" % (self.port, timeout))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def boot(kind, build, work, server, port, guest_port):
    """Start server (dict: argv, files) in guest kind ('petrel' or 'linux')."""
    netdev = "user,hostfwd=tcp:127.0.0.1:%d-:%d" % (port, guest_port)
    log = os.path.join(work, "%s-%s.log" % (server["name"], kind))
    if kind == "petrel":
        img = petrel_image(build, os.path.join(work, "cache"), server["files"], server["argv"])
        extra = ["-drive", "id=disk1,file=%s,format=raw,if=none" % img,
                 "-device", "virtio-blk-pci,drive=disk1,disable-legacy=on", "-snapshot"]
        argv = qemu_argv(os.path.join(build, "hal_x86", "petrel.elf"), "", netdev,
                         log + ".console", extra)
    else:
        files = list(server["files"]) + [(p, p) for p in deps(build, server["argv"][0])]
        files.append((server["argv"][0], server["argv"][0]))
        cpio = os.path.join(work, "%s.cpio" % server["name"])
        linux_initramfs(cpio, Files(files, modules(work)), server["argv"], guest_port)
        argv = qemu_argv(guest.ensure_vmlinux(), guest.LINUX_APPEND, netdev,
                         log + ".console", ["-initrd", cpio])
    return Vm(argv, port, log)


def tmpdir():
    return tempfile.mkdtemp(prefix="petrel-bench-net.")


def cleanup(d):
    """Remove the work directory, unless BENCH_NET_KEEP is set (its logs, consoles, images)."""
    if os.environ.get("BENCH_NET_KEEP"):
        print("bench: work directory kept: %s" % d, file=sys.stderr)
    else:
        shutil.rmtree(d, ignore_errors=True)
