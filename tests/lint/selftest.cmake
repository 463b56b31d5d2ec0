# Build a scratch tree with one allowed and one forbidden include and check that
# scripts/check-includes accepts the first and rejects the second.
file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH}/core ${SCRATCH}/fs ${SCRATCH}/net)
file(WRITE ${SCRATCH}/core/good.c "#include <stdint.h>\n#include \"hal/hal_cpu.h\"\n#include \"core/lib/list.h\"\n")
execute_process(COMMAND ${ROOT}/scripts/check-includes ${SCRATCH} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "clean tree rejected: ${out}")
endif()
foreach(bad "#include <stdio.h>" "#include \"hal_hosted/hosted.h\"" "  #  include <sys/mman.h>"
            "#include \"hal_x86/apic.h\"" "#include \"../hal_hosted/x.h\"" "#include \"core/../hal_hosted/x.h\"")
    file(WRITE ${SCRATCH}/fs/bad.c "${bad}\n")
    execute_process(COMMAND ${ROOT}/scripts/check-includes ${SCRATCH} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
    if(rc EQUAL 0)
        message(FATAL_ERROR "forbidden include accepted: ${bad}")
    endif()
endforeach()
message(STATUS "check-includes selftest passed")
