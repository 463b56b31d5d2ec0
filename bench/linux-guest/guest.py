"""bench/linux-guest/guest.py - the Linux guest baseline that benchmarks compare Petrel with.

Debian's cloud kernel (package linux-image-cloud-amd64, resolved to the versioned
linux-image-<abi>-cloud-amd64 it depends on) is downloaded with `apt-get download`, its
/boot/vmlinuz is unpacked with dpkg-deb, decompressed into an ELF vmlinux (the logic of the
kernel's scripts/extract-vmlinux, written again here: find a compression magic, decompress
from there with Debian's tool, keep the first result that is an ELF file) and checked for the
Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY, so QEMU boots it by PVH exactly as it boots Petrel.

Programs run as /init of an initramfs (cpio "newc", written here). `qemu_argv()` is the one
QEMU command line shape of every boot benchmark (Petrel, the floor guest and Linux), the same
shape as scripts/qemu's microvm mode.

Cache: <root>/build/linux-guest/ (override with LINUX_GUEST_CACHE). A present, checked vmlinux
skips the download. Nothing here is committed.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
META_PACKAGE = "linux-image-cloud-amd64"
XEN_ELFNOTE_PHYS32_ENTRY = 18

# Kernel command line of the Linux guest. panic=-1: when /init exits, the kernel panics and
# reboots at once; QEMU runs with -no-reboot, so that reboot ends QEMU. reboot=t reboots by
# triple fault: the default first polls a keyboard controller that microvm does not have, which
# adds 10-20 s under TCG here. quiet keeps the kernel's own messages off the (slow, emulated)
# serial console, as a tuned microVM guest would.
LINUX_APPEND = "console=ttyS0 quiet panic=-1 reboot=t"

# The machine of every boot benchmark: scripts/qemu's microvm (acpi=off, so QEMU lists
# virtio-mmio devices on the kernel command line as Petrel needs; RTC and PIT on) except that
# the 8259 PIC stays on (QEMU's default; scripts/qemu says pic=off). With ACPI off, Linux finds
# no MADT or MP table, so without a PIC it has no timer interrupt and hangs calibrating
# ("Failed to register legacy timer interrupt"). Petrel masks the PIC at boot: inert for it.
MACHINE = "microvm,acpi=off,rtc=on"

# Debian's cloud kernel with a tiny initramfs runs out of memory at 64M ("System is deadlocked
# on memory"); 96M is enough, 128M leaves room.
DEFAULT_MEM = "128M"


class GuestError(Exception):
    pass


def cache_dir():
    d = os.environ.get("LINUX_GUEST_CACHE") or os.path.join(ROOT, "build", "linux-guest")
    os.makedirs(d, exist_ok=True)
    return d


def log(msg):
    print("linux-guest: " + msg, file=sys.stderr, flush=True)


# ---- download -------------------------------------------------------------------------------

APT_OPTS = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []


def resolve_package():
    """The versioned image package linux-image-cloud-amd64 depends on."""
    out = subprocess.run(["apt-cache", "depends", META_PACKAGE], capture_output=True,
                         text=True)
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("Depends:"):
            name = line.split(":", 1)[1].strip()
            if name.startswith("linux-image-") and name.endswith("-cloud-amd64"):
                return name
    raise GuestError("cannot resolve %s with apt-cache depends (run apt-get update?): %s"
                     % (META_PACKAGE, (out.stderr or out.stdout).strip()))


def download(dest):
    """Download the versioned kernel .deb into dest; returns its path."""
    pkg = resolve_package()
    for f in os.listdir(dest):
        if f.startswith(pkg + "_") and f.endswith(".deb"):
            return os.path.join(dest, f)
    log("apt-get download %s (depended on by %s)" % (pkg, META_PACKAGE))
    r = subprocess.run(["apt-get"] + APT_OPTS + ["download", pkg], cwd=dest)
    if r.returncode != 0:
        raise GuestError("apt-get download %s failed" % pkg)
    for f in os.listdir(dest):
        if f.startswith(pkg + "_") and f.endswith(".deb"):
            return os.path.join(dest, f)
    raise GuestError("apt-get download %s left no .deb in %s" % (pkg, dest))


def extract_vmlinuz(deb, dest):
    """Unpack ./boot/vmlinuz-* (and the config) from the .deb; returns the vmlinuz path."""
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        r = subprocess.run(["dpkg-deb", "-x", deb, tmp])
        if r.returncode != 0:
            raise GuestError("dpkg-deb -x %s failed" % deb)
        boot = os.path.join(tmp, "boot")
        names = sorted(os.listdir(boot)) if os.path.isdir(boot) else []
        vmlinuz = [n for n in names if n.startswith("vmlinuz-")]
        if len(vmlinuz) != 1:
            raise GuestError("%s holds %d boot/vmlinuz-* files" % (deb, len(vmlinuz)))
        for n in names:
            if n.startswith(("vmlinuz-", "config-")):
                shutil.copy(os.path.join(boot, n), os.path.join(dest, n))
        return os.path.join(dest, vmlinuz[0])


# ---- vmlinuz -> vmlinux (scripts/extract-vmlinux logic) --------------------------------------

# (magic, decompressor) in the order scripts/extract-vmlinux tries them.
DECOMPRESSORS = [
    (b"\x1f\x8b\x08", ["gzip", "-dc"]),
    (b"\xfd7zXZ\x00", ["xz", "-dc"]),
    (b"BZh", ["bzip2", "-dc"]),
    (b"\x5d\x00\x00\x00", ["xz", "--format=lzma", "-dc"]),
    (b"\x89LZO", ["lzop", "-dc"]),
    (b"\x02!L\x18", ["lz4", "-dc"]),
    (b"\x28\xb5\x2f\xfd", ["zstd", "-dc"]),
]


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def extract_vmlinux(vmlinuz, out):
    """Decompress the kernel inside a bzImage into an ELF file; returns the method used."""
    if is_elf(vmlinuz):
        shutil.copy(vmlinuz, out)
        return "already ELF"
    with open(vmlinuz, "rb") as f:
        data = f.read()
    tried = []
    for magic, cmd in DECOMPRESSORS:
        if shutil.which(cmd[0]) is None:
            if magic in data:
                tried.append("%s (not installed)" % cmd[0])
            continue
        pos = data.find(magic)
        while pos >= 0:
            tmp = out + ".tmp"
            with open(tmp, "wb") as o:
                # Trailing data after the stream makes the tools complain and exit non-zero;
                # like scripts/extract-vmlinux we ignore that and judge the output.
                subprocess.run(cmd, input=data[pos:], stdout=o, stderr=subprocess.DEVNULL)
            if os.path.getsize(tmp) > 0 and is_elf(tmp):
                os.replace(tmp, out)
                return "%s at offset %d" % (" ".join(cmd), pos)
            os.unlink(tmp)
            tried.append("%s at %d" % (cmd[0], pos))
            pos = data.find(magic, pos + 1)
    raise GuestError("no compressed ELF kernel found in %s (tried: %s)"
                     % (vmlinuz, ", ".join(tried) or "no known magic"))


def _segments(path):
    """(data, [(p_type, p_offset, p_filesz), ...]) of an ELF64 file; no segments if not one."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return data, []
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", data,
                                                                 phoff + i * phentsize)
        segs.append((p_type, p_offset, p_filesz))
    return data, segs


def pvh_entry(path):
    """Physical entry address from the XEN_ELFNOTE_PHYS32_ENTRY note of an ELF64, or None."""
    data, segs = _segments(path)
    for p_type, p_offset, p_filesz in segs:
        if p_type != 4:  # PT_NOTE
            continue
        off, end = p_offset, p_offset + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, off)
            name = data[off + 12:off + 12 + namesz].rstrip(b"\0")
            desc = off + 12 + ((namesz + 3) & ~3)
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY and descsz in (4, 8):
                return struct.unpack_from("<Q" if descsz == 8 else "<I", data, desc)[0]
            off = desc + ((descsz + 3) & ~3)
    return None


def ensure_vmlinux():
    """Path of the cached, checked vmlinux; downloads and extracts it when absent."""
    d = cache_dir()
    vmlinux = os.path.join(d, "vmlinux")
    if os.path.exists(vmlinux) and pvh_entry(vmlinux) is not None:
        return vmlinux
    deb = download(d)
    vmlinuz = extract_vmlinuz(deb, d)
    how = extract_vmlinux(vmlinuz, vmlinux + ".new")
    entry = pvh_entry(vmlinux + ".new")
    if entry is None:
        raise GuestError("%s has no XEN_ELFNOTE_PHYS32_ENTRY note: QEMU cannot boot it by "
                         "PVH (boot %s with -kernel as a bzImage instead)" % (vmlinux, vmlinuz))
    os.replace(vmlinux + ".new", vmlinux)
    log("%s: %s (%s), PVH entry 0x%x" % (vmlinux, os.path.basename(vmlinuz), how, entry))
    return vmlinux


def kernel_version():
    """The version string of the cached kernel (from its vmlinuz file name)."""
    d = cache_dir()
    for n in sorted(os.listdir(d)):
        if n.startswith("vmlinuz-"):
            return n[len("vmlinuz-"):]
    return "unknown"


# ---- initramfs ------------------------------------------------------------------------------

def _newc_entry(out, ino, name, mode, data=b"", nlink=1, rdev=(0, 0), mtime=0):
    """One cpio "newc" member: 110-byte ASCII header, name, data, each padded to 4 bytes."""
    name_b = name.encode() + b"\0"
    hdr = b"070701" + b"".join(b"%08X" % v for v in (
        ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    out.write(hdr + name_b)
    out.write(b"\0" * ((4 - (len(hdr) + len(name_b)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def make_initramfs(binary, out_path):
    """A cpio newc archive with /init = binary (mode 0755) and /dev/console, uncompressed."""
    with open(binary, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise GuestError("%s is not an ELF file" % binary)
    if _has_interp(data):
        raise GuestError("%s is dynamically linked: /init must be a static program" % binary)
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as out:
        _newc_entry(out, 1, "dev", 0o040755, nlink=2)
        # The kernel opens /dev/console for /init's descriptors 0-2; without it in the
        # initramfs the program would start with none and its output would vanish.
        _newc_entry(out, 2, "dev/console", 0o020600, rdev=(5, 1))
        _newc_entry(out, 3, "init", 0o100755, data)
        _newc_entry(out, 0, "TRAILER!!!", 0, nlink=1)
        pad = out.tell() % 512
        if pad:
            out.write(b"\0" * (512 - pad))
    os.replace(tmp, out_path)


def add_host_path(entries, path):
    """Add host path to entries (guest path -> ("dir"|"file"|"link", host path or target))
    as the guest will look it up: each symbolic link on the way (Debian's /lib -> usr/lib,
    /usr/bin/python3 -> python3.11) is kept as a link and followed, and the file or
    directory at the end is added with every directory above it."""
    parts = [p for p in path.split("/") if p]
    cur = ""
    for i, name in enumerate(parts):
        cur = cur + "/" + name
        if os.path.islink(cur):
            target = os.readlink(cur)
            entries[cur] = ("link", target)
            rest = "/".join(parts[i + 1:])
            nxt = os.path.normpath(os.path.join(os.path.dirname(cur), target))
            return add_host_path(entries, nxt + ("/" + rest if rest else ""))
        if i + 1 < len(parts) or os.path.isdir(cur):
            entries.setdefault(cur, ("dir", None))
        else:
            entries[cur] = ("file", cur)


def make_initramfs_tree(init, entries, out_path):
    """A cpio newc archive with /init = init (a static program), /dev/console, and entries
    (add_host_path's dict): files with their host content and mode, links, directories."""
    with open(init, "rb") as f:
        init_data = f.read()
    if init_data[:4] != b"\x7fELF" or _has_interp(init_data):
        raise GuestError("%s: /init must be a static ELF program" % init)
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as out:
        _newc_entry(out, 1, "dev", 0o040755, nlink=2)
        _newc_entry(out, 2, "dev/console", 0o020600, rdev=(5, 1))
        _newc_entry(out, 3, "init", 0o100755, init_data)
        # what a program finds on any Linux system (Python reads /dev/urandom when
        # getrandom() has no entropy yet, as early in a VM's boot)
        _newc_entry(out, 4, "dev/null", 0o020666, rdev=(1, 3))
        _newc_entry(out, 5, "dev/urandom", 0o020666, rdev=(1, 9))
        ino = 6
        for path in sorted(entries):  # parents before children
            kind, what = entries[path]
            name = path.lstrip("/")
            if kind == "dir":
                _newc_entry(out, ino, name, 0o040755, nlink=2)
            elif kind == "link":
                _newc_entry(out, ino, name, 0o120777, what.encode())
            else:
                with open(what, "rb") as f:
                    data = f.read()
                # the host's mtime: Python finds its .pyc files current, as in Petrel's image
                st = os.stat(what)
                _newc_entry(out, ino, name, 0o100000 | (st.st_mode & 0o7777), data,
                            mtime=int(st.st_mtime))
            ino += 1
        _newc_entry(out, 0, "TRAILER!!!", 0, nlink=1)
        pad = out.tell() % 512
        if pad:
            out.write(b"\0" * (512 - pad))
    os.replace(tmp, out_path)


def interp_of(path):
    """The PT_INTERP path of an ELF64 file (its dynamic loader), or None."""
    data, segs = _segments(path)
    for p_type, p_offset, p_filesz in segs:
        if p_type == 3:  # PT_INTERP
            return data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
    return None


def _has_interp(data):
    if data[4] != 2:
        return False
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return any(struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 3  # PT_INTERP
               for i in range(phnum))


# ---- the QEMU command line ------------------------------------------------------------------

def qemu_argv(kernel, append="", initrd=None, mem=DEFAULT_MEM, accel="tcg", exit_file=None,
              extra=()):
    """QEMU command line of every boot benchmark: scripts/qemu's microvm shape (MACHINE, COM1
    on stdio, COM2 to a file, isa-debug-exit, -no-reboot)."""
    argv = ["qemu-system-x86_64",
            "-M", MACHINE,
            "-global", "virtio-mmio.force-legacy=false",
            "-accel", accel, "-m", mem, "-no-reboot", "-display", "none", "-monitor", "none",
            "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
            "-chardev", "file,id=exitc,path=%s" % (exit_file or "/dev/null"),
            "-device", "isa-serial,chardev=exitc,iobase=0x2f8,irq=3",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=1",
            "-kernel", kernel, "-append", append]
    if initrd:
        argv += ["-initrd", initrd]
    return argv + list(extra)
