#!/usr/bin/env python3
"""release_check.py <compile_commands.json> <scratch dir> [jobs] - does the tree compile as a
Release build does (build.release_werror; docs/testing.md "Release build check")?

The tests run a Debug build, where the hosted code (kernel libraries as linked into tests,
hal_hosted, tools, tests) is compiled without optimisation; gcc warns about some things only
when it optimises (-Wmaybe-uninitialized above all), and with -Werror a Release build
(`make bench`, the benchmarks) then fails where the Debug build passed. This compiles every C
file of the Debug build's compile_commands.json again as CMake's Release configuration does
(-O3 -DNDEBUG in the place of -g; every -Werror kept), without linking, objects to /dev/null.
The freestanding kernel objects are left out: every build already compiles them at -O2 with
-Werror, and no source reads NDEBUG (the only other difference).

Incremental: a generated Makefile keeps one stamp per command (named by the command's hash,
so new flags mean a new stamp) with gcc's dependency list, so a second run compiles only what
changed. Prints the time taken and the number of files; exit 1 with the compiler's messages
when a file fails.
"""
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time


def release_args(args):
    """The Release form of a Debug compile command (a list of words), or None to skip it."""
    if "-DPETREL_FREESTANDING=1" in args:
        return None
    out = [args[0], "-O3", "-DNDEBUG"]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-g":
            continue
        out.append(a)
    return out + ["-o", "/dev/null"]


def main():
    if len(sys.argv) < 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    db, scratch = sys.argv[1], os.path.abspath(sys.argv[2])
    jobs = sys.argv[3] if len(sys.argv) > 3 else str(os.cpu_count() or 2)
    os.makedirs(os.path.join(scratch, "cmd"), exist_ok=True)
    with open(db) as f:
        entries = json.load(f)
    rules, stamps, seen = [], [], set()
    for e in entries:
        if not e["file"].endswith(".c"):
            continue
        args = e.get("arguments") or shlex.split(e["command"])
        rel = release_args(args)
        if rel is None:
            continue
        cmd = "cd %s && %s" % (shlex.quote(e["directory"]), shlex.join(rel))
        h = hashlib.sha1(cmd.encode()).hexdigest()[:16]
        if h in seen:  # the same file with the same flags in two targets: once is enough
            continue
        seen.add(h)
        stamp = os.path.join(scratch, "cmd", h + ".stamp")
        script = os.path.join(scratch, "cmd", h + ".sh")
        with open(script, "w") as s:
            s.write("%s -MMD -MF %s.d -MT %s\n" % (cmd, stamp, stamp))
        rules.append("%s: %s\n\t@sh %s && touch $@\n-include %s.d\n"
                     % (stamp, e["file"], script, stamp))
        stamps.append(stamp)
    mk = os.path.join(scratch, "release.mk")
    with open(mk, "w") as m:
        m.write("all: %s\n\n" % " ".join(stamps))
        m.write("\n".join(rules))
    start = time.time()
    r = subprocess.run(["make", "-k", "-s", "-j", jobs, "-f", mk], stderr=subprocess.STDOUT,
                       stdout=subprocess.PIPE, text=True)
    took = time.time() - start
    if r.returncode != 0:
        print(r.stdout[-20000:])
        print("release_check: a file does not compile as the Release build compiles it "
              "(-O3 -DNDEBUG, -Werror); %d files checked in %.0f s" % (len(stamps), took))
        return 1
    print("release_check: %d files compile as in a Release build (-O3 -DNDEBUG, -Werror) "
          "in %.0f s" % (len(stamps), took))
    return 0


if __name__ == "__main__":
    sys.exit(main())
