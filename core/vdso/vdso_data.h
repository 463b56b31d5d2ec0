/*
 * vdso_data.h - the vDSO's data page ([vvar]): what the kernel shares, read-only, with the
 * vDSO code of every process (core/vdso/image/vdso_user.c) and with the hosted tests.
 *
 * One page, mapped at the vDSO's base minus VDSO_VVAR_SIZE (the image's linker script puts the
 * symbol vdso_vvar there, so the code reaches it RIP-relative from wherever it is mapped).
 * The clock part is written by the HAL (hal_clock_publish: the same parameters hal_clock_ns()
 * computes with), the rest by core/vdso/vdso.c once at boot. The layout is an ABI between
 * the kernel and the image built from the same tree: the asserts below keep it fixed.
 */
#ifndef CORE_VDSO_VDSO_DATA_H
#define CORE_VDSO_VDSO_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "hal/hal_time.h"

#define VDSO_VVAR_SIZE 4096ULL

struct vdso_data {
    struct hal_uclock clock; /* the HAL's clock: seq, counter kind, base, scale, wall offset */
    uint32_t ncpus;          /* getcpu is answered here only while there is one CPU */
    uint32_t reserved;
    uint64_t tick_ns;        /* clock_getres of the _COARSE clocks (the syscall's answer) */
};

_Static_assert(offsetof(struct vdso_data, clock) == 0, "vdso_data clock");
_Static_assert(offsetof(struct hal_uclock, cycle_base) == 8, "hal_uclock cycle_base");
_Static_assert(offsetof(struct hal_uclock, wall_offset) == 32, "hal_uclock wall_offset");
_Static_assert(offsetof(struct vdso_data, ncpus) == 40, "vdso_data ncpus");
_Static_assert(offsetof(struct vdso_data, tick_ns) == 48, "vdso_data tick_ns");
_Static_assert(sizeof(struct vdso_data) <= VDSO_VVAR_SIZE, "vdso_data fits its page");

#endif
