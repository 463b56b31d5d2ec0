/*
 * vsyscall.h - the legacy vsyscall page (docs/time.md "vsyscall page"): old static binaries
 * call gettimeofday at 0xffffffffff600000, time at +0x400 and getcpu at +0x800. Petrel does as
 * Linux's default (vsyscall=xonly): nothing is mapped there, an instruction fetch from the
 * page faults and is emulated (the syscall made, a `ret` done for the program); a read of it
 * is the plain SIGSEGV of an unmapped address.
 */
#ifndef CORE_SIGNAL_VSYSCALL_H
#define CORE_SIGNAL_VSYSCALL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/abi/signal.h"
#include "core/vdso/vdso.h"
#include "hal/hal_user.h"

/*
 * An instruction fetch fault at addr in the vsyscall page (kernel_user_fault). Returns true
 * when the call was made (regs resume at the caller with the result in rax), false with the
 * SIGSEGV to send in *si, as Linux's emulate_vsyscall decides:
 *   rip is not an entry (+0, +0x400, +0x800), the return address cannot be read, or the
 *   syscall itself failed with EFAULT (an unmapped pointer)       SI_KERNEL, no address
 *   a pointer argument outside the user range                     SEGV_MAPERR at the pointer
 * May sleep (it is a syscall).
 */
bool vsyscall_emulate(struct hal_uregs *regs, uint64_t addr, struct linux_siginfo *si);

#endif
