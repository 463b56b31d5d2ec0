# /proc and /dev/full (issue 8 item 2, docs/procfs.md): procself reads /proc/self/{exe,
# cmdline,environ,auxv,maps}, /proc/{uptime,meminfo,cpuinfo} and /dev/full and prints facts
# that hold on Linux and Petrel alike. Its tree is root/ plus empty proc/ and dev/ (the kernel
# mounts /proc and /dev on them) and the program in bin/ (the staged copy is the test's
# binary, so the image waits for the tree); natively the program reads the host's /proc.
set(proc_root ${RT_BIN}/procroot-${libc})
rt_prog(procself)
add_custom_command(OUTPUT ${proc_root}/bin/procself
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${proc_root}
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_CURRENT_SOURCE_DIR}/root ${proc_root}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${proc_root}/proc ${proc_root}/dev
            ${proc_root}/tmp ${proc_root}/bin
    COMMAND ${CMAKE_COMMAND} -E copy ${b}/procself ${proc_root}/bin/procself
    DEPENDS ${RT_ROOT_FILES} ${b}/procself VERBATIM)
rt_test(${libc}.proc_self ${proc_root}/bin/procself ${proc_root} /bin/procself
        ARGS procself "x y" "")
# prctl names per thread (and /proc/self/status's Name), dumpable, pdeathsig; sysinfo,
# uname and getrandom facts. The tree is procself's (it has proc/ for the kernel's /proc).
rt_prog(prctl_sys FLAGS -pthread)
rt_test(${libc}.prctl_sys ${b}/prctl_sys ${proc_root} /bin/prctl_sys ARGS prctl_sys)
add_custom_command(OUTPUT ${RT_BIN}/images/${libc}.prctl_sys.img APPEND
                   DEPENDS ${proc_root}/bin/procself)
# RLIMIT_STACK (docs/memory.md): the main thread's stack grows to the limit and no further
# (SIGSEGV on a sigaltstack, siglongjmp'd out of), raised and lowered limits, the guard gap
# kept from an accessible mapping below and not from a PROT_NONE one. It reads the [stack]
# line of /proc/self/maps: procself's tree.
rt_prog(stack_rlimit)
rt_test(${libc}.stack_rlimit ${b}/stack_rlimit ${proc_root} /bin/stack_rlimit ARGS stack_rlimit)
# execve and execveat of /proc/self/exe (docs/exec.md): the program runs itself again by the
# link's path, through an O_PATH descriptor of it (AT_EMPTY_PATH) and by the path at AT_FDCWD;
# the last run starts under a 256 MiB RLIMIT_STACK and checks the mmap base moved below it.
# Its tree is procself's (the kernel mounts /proc there).
rt_prog(exec_self)
rt_test(${libc}.exec_self ${b}/exec_self ${proc_root} /bin/exec_self ARGS exec_self)
# madvise, mprotect and mlock over the whole [vvar] and [vdso] (docs/time.md "vDSO"): the
# answers of Linux's special mappings, compared with the native run. procself's tree (it
# finds the two mappings in /proc/self/maps).
rt_prog(vdso_madvise)
rt_test(${libc}.vdso_madvise ${b}/vdso_madvise ${proc_root} /bin/vdso_madvise ARGS vdso_madvise)
# read, write, pread, pwrite, ftruncate, fsync and mmap on the files of /proc and /dev
# (fs/file/file.c: Linux's checks of the description before the file's missing operation),
# and /proc/sys/fs/inotify's limits, the queue overflowing at max_queued_events (in tmp/).
rt_prog(fileops)
rt_test(${libc}.fileops ${b}/fileops ${proc_root} /bin/fileops ARGS fileops tmp)
# The images of the programs sharing procself's tree wait for that tree (it is made, with its
# empty proc/ and dev/, by procself's command: a parallel build otherwise packs it half made).
foreach(rt_p stack_rlimit exec_self vdso_madvise fileops)
    add_custom_command(OUTPUT ${RT_BIN}/images/${libc}.${rt_p}.img APPEND
                       DEPENDS ${proc_root}/bin/procself)
endforeach()
# /proc/stat and /proc/mounts (docs/procfs.md): one parser reads both natively and in Petrel
# (cpu lines, intr ... softirq in Linux's order, times moving after work; mounts' fields and
# the mount points of mountinfo). procself's tree (it has proc/ for the kernel's /proc).
rt_prog(procstat)
rt_test(${libc}.procstat ${b}/procstat ${proc_root} /bin/procstat ARGS procstat)
add_custom_command(OUTPUT ${RT_BIN}/images/${libc}.procstat.img APPEND
                   DEPENDS ${proc_root}/bin/procself)
