# execve and execveat (docs/exec.md): progs/exec.c in several roles, run from the root of a
# staged tree (exroot-<libc>: root/ plus bin/exec, the #! script bin/show.sh, the files of the
# error cases in xd/, and bin/busybox when the host has busybox-static), each compared with
# its native run in the same tree. Paths are relative to the cwd (the tree's root natively,
# "/" in Petrel), so the same names reach the same files both ways.
rt_prog(exec FLAGS -pthread)
set(ex_root ${RT_BIN}/exroot-${libc})
set(ex_outs ${ex_root}/bin/exec)
if(EXISTS /bin/busybox)
    list(APPEND ex_outs ${ex_root}/bin/sh)
endif()
add_custom_command(OUTPUT ${ex_outs}
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${ex_root}
    COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_CURRENT_SOURCE_DIR}/root ${ex_root}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ex_root}/bin ${ex_root}/xd ${ex_root}/tmp
    COMMAND ${CMAKE_COMMAND} -E copy ${b}/exec ${ex_root}/bin/exec
    COMMAND sh -c "cd \"$1\" && printf '#!bin/exec  show  \\n' >bin/show.sh && printf 'plain\\n' >xd/plain.txt && printf 'hello world\\n' >xd/junk.bin && printf '#!/nonexistent/interp\\n' >xd/noint.sh && printf '#!   \\n' >xd/empty.sh && printf '#!xd/loop.sh\\n' >xd/loop.sh && chmod 755 bin/show.sh xd/junk.bin xd/noint.sh xd/empty.sh xd/loop.sh && chmod 644 xd/plain.txt && ln -s ../bin/exec xd/link" stage ${ex_root}
    COMMAND sh -c "[ ! -x /bin/busybox ] || cp /bin/busybox \"$1/bin/sh\"" stage ${ex_root}
    DEPENDS ${b}/exec ${RT_ROOT_FILES} VERBATIM)

set(x ${ex_root}/bin/exec)
rt_test(${libc}.exec_wrap ${x} ${ex_root} /bin/exec ARGS exec wrap 7)
rt_test(${libc}.exec_thread ${x} ${ex_root} /bin/exec ARGS exec thread 9)
rt_test(${libc}.exec_script ${x} ${ex_root} /bin/exec ARGS exec script)
rt_test(${libc}.exec_errors ${x} ${ex_root} /bin/exec ARGS exec errors)
rt_test(${libc}.exec_at ${x} ${ex_root} /bin/exec ARGS exec at dir)
if(EXISTS /bin/busybox)
    # a shell that replaces itself: busybox sh -c 'exec prog' (busybox staged as bin/sh)
    rt_test(${libc}.exec_from_sh ${ex_root}/bin/sh ${ex_root} /bin/sh
            ARGS sh -c "unset PWD; exec bin/exec child 5 from-sh")
endif()
# execve ends the other threads at once, whatever they wait in: nanosleep, an absolute
# clock_nanosleep, poll, select, a pipe read, a futex, sigtimedwait, pause (exec_sleep main),
# or the main thread's nanosleep while another thread execs (exec_sleep thread). docs/exec.md.
rt_prog(exec_sleep FLAGS -pthread)
foreach(role main thread)
    rt_test(${libc}.exec_sleep_${role} ${b}/exec_sleep ${RT_ROOT} /bin/exec_sleep
            ARGS exec_sleep ${role})
endforeach()
