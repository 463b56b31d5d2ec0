# Helpers shared by every CMakeLists.txt in the tree.
#
#   petrel_kernel_library(<name> <sources...>)
#       Kernel code (core/, fs/, net/). Builds <name> as a hosted static library and, in the
#       plain configuration, <name>_freestanding as an OBJECT library with kernel flags, so a
#       libc include or host-only construct fails the build at once.
#   petrel_test(<name> LABEL <unit|hosted> SOURCES <...> [LIBS <...>] [TIMEOUT s])
#       A CMocka executable registered with ctest as <label>.<name>.
#   petrel_fuzz_target(<name> SOURCES <...> [LIBS <...>])
#       fuzz/<name>/: with PETREL_FUZZ a libFuzzer binary (PETREL_OSSFUZZ: linked with
#       PETREL_LIB_FUZZING_ENGINE, as fuzz/oss-fuzz/build.sh asks); otherwise the same harness linked
#       with the standalone driver and its corpus (fuzz/<name>/corpus) replayed as ctest
#       test fuzz.<name>.

set(PETREL_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wvla
    -Wstrict-prototypes -Wmissing-prototypes)
set(PETREL_COMMON_FLAGS ${PETREL_WARNINGS} -g -fno-omit-frame-pointer -fno-strict-aliasing)

set(PETREL_HOST_FLAGS ${PETREL_COMMON_FLAGS} -DPETREL_HOSTED=1 -DPETREL_DEBUG=1)
set(PETREL_HOST_LINK_FLAGS "")
if(PETREL_SANITIZE)
    list(APPEND PETREL_HOST_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
         -DPETREL_ASAN=1)
    list(APPEND PETREL_HOST_LINK_FLAGS -fsanitize=address,undefined)
endif()
if(PETREL_COVERAGE)
    list(APPEND PETREL_HOST_FLAGS --coverage -O0 -DPETREL_COVERAGE=1)
    list(APPEND PETREL_HOST_LINK_FLAGS --coverage)
endif()
if(PETREL_FUZZ)
    list(APPEND PETREL_HOST_FLAGS -fsanitize=fuzzer-no-link,address,undefined
         -DPETREL_ASAN=1 -DPETREL_FUZZING=1)
    list(APPEND PETREL_HOST_LINK_FLAGS -fsanitize=address,undefined)
endif()
# OSS-Fuzz's build (fuzz/oss-fuzz/build.sh): sanitizer and coverage flags come in through
# CMAKE_C_FLAGS ($CFLAGS); fuzz targets link PETREL_LIB_FUZZING_ENGINE ($LIB_FUZZING_ENGINE).
if(PETREL_OSSFUZZ)
    list(APPEND PETREL_HOST_FLAGS -DPETREL_FUZZING=1)
    separate_arguments(PETREL_FUZZ_ENGINE_FLAGS UNIX_COMMAND "${PETREL_LIB_FUZZING_ENGINE}")
endif()

# The freestanding kernel build: only the compiler's own headers are visible.
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE PETREL_CC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
set(PETREL_KERNEL_FLAGS ${PETREL_COMMON_FLAGS} -DPETREL_FREESTANDING=1 -O2
    -ffreestanding -nostdinc -isystem ${PETREL_CC_INCLUDE} -fno-builtin -fno-pic -fno-pie
    -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-stack-protector
    -fno-asynchronous-unwind-tables)
set(PETREL_BUILD_FREESTANDING OFF)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU" AND NOT PETREL_SANITIZE AND NOT PETREL_COVERAGE
   AND NOT PETREL_FUZZ)
    set(PETREL_BUILD_FREESTANDING ON)
endif()

# Every kernel library of the hosted build; tests link them as one group with the backend.
set_property(GLOBAL PROPERTY PETREL_KERNEL_LIBS "")

function(petrel_kernel_library name)
    add_library(${name} STATIC ${ARGN})
    target_include_directories(${name} PUBLIC ${PETREL_ROOT})
    target_compile_options(${name} PRIVATE ${PETREL_HOST_FLAGS})
    set_property(GLOBAL APPEND PROPERTY PETREL_KERNEL_LIBS ${name})
    if(PETREL_BUILD_FREESTANDING)
        add_library(${name}_freestanding OBJECT ${ARGN})
        target_include_directories(${name}_freestanding PRIVATE ${PETREL_ROOT})
        target_compile_options(${name}_freestanding PRIVATE ${PETREL_KERNEL_FLAGS})
    endif()
endfunction()

# A host-side library or program (hal_hosted, tools, tests): libc allowed.
function(petrel_host_flags target)
    target_include_directories(${target} PRIVATE ${PETREL_ROOT})
    target_compile_options(${target} PRIVATE ${PETREL_HOST_FLAGS})
    target_link_options(${target} PRIVATE ${PETREL_HOST_LINK_FLAGS})
endfunction()

# Link target against the whole hosted kernel (every kernel library + hal_hosted) as one
# group, so the libraries may refer to each other in any order.
function(petrel_link_hosted_kernel target)
    get_property(libs GLOBAL PROPERTY PETREL_KERNEL_LIBS)
    set(objs "")
    foreach(l ${libs} petrel_hal_hosted)
        list(APPEND objs $<TARGET_FILE:${l}>)
        add_dependencies(${target} ${l})
    endforeach()
    target_link_libraries(${target} PRIVATE -Wl,--start-group ${objs} -Wl,--end-group)
endfunction()

# Sanitizer builds run the same tests 2-5x slower (tools_test.sh's mkfs/fsck, the TFS durability
# loops), and at load 30 on the 2-core machine unit.tfs_tools once passed its 120 s limit under
# ASan (~20 s in the plain build). Limits of unit and hosted tests (the ASan run's labels) go
# through petrel_set_timeout, which scales them by PETREL_TIMEOUT_SCALE in a sanitizer build.
if(PETREL_SANITIZE)
    set(PETREL_TIMEOUT_SCALE 4)
else()
    set(PETREL_TIMEOUT_SCALE 1)
endif()
function(petrel_set_timeout test seconds)
    math(EXPR scaled "${seconds} * ${PETREL_TIMEOUT_SCALE}")
    set_tests_properties(${test} PROPERTIES TIMEOUT ${scaled})
endfunction()

function(petrel_test name)
    cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS;ENV" ${ARGN})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 120)
    endif()
    add_executable(${name} ${T_SOURCES})
    petrel_host_flags(${name})
    # Tests feed NULL %s and truncating formats to the host snprintf on purpose (as oracles);
    # GCC's optimised builds warn about exactly those calls.
    if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
        target_compile_options(${name} PRIVATE -Wno-format-overflow -Wno-format-truncation)
    endif()
    target_link_libraries(${name} PRIVATE ${T_LIBS} cmocka)
    petrel_link_hosted_kernel(${name})
    add_test(NAME ${T_LABEL}.${name} COMMAND ${name})
    set_tests_properties(${T_LABEL}.${name} PROPERTIES LABELS ${T_LABEL} ENVIRONMENT "${T_ENV}")
    petrel_set_timeout(${T_LABEL}.${name} ${T_TIMEOUT})
endfunction()

function(petrel_fuzz_target name)
    cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
    set(dir ${PETREL_ROOT}/fuzz/${name})
    if(PETREL_FUZZ OR PETREL_OSSFUZZ)
        add_executable(fuzz_${name} ${F_SOURCES})
        petrel_host_flags(fuzz_${name})
        if(PETREL_OSSFUZZ)
            target_link_options(fuzz_${name} PRIVATE ${PETREL_FUZZ_ENGINE_FLAGS})
        else()
            target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
        endif()
        target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
        petrel_link_hosted_kernel(fuzz_${name})
    else()
        add_executable(fuzz_${name} ${F_SOURCES} ${PETREL_ROOT}/fuzz/driver/standalone.c)
        petrel_host_flags(fuzz_${name})
        target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
        petrel_link_hosted_kernel(fuzz_${name})
        add_test(NAME fuzz.${name} COMMAND fuzz_${name} ${dir}/corpus)
        set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
    endif()
endfunction()
