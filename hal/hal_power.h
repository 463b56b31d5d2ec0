/*
 * hal_power.h - ending the machine.
 */
#ifndef HAL_POWER_H
#define HAL_POWER_H

/*
 * Stop the machine with an exit status: QEMU's isa-debug-exit on bare metal (the host sees
 * the status), in the hosted backend the process exit (flushing gcov data) - or, when the
 * kernel was started by hosted_boot(), a return from hosted_boot() with code. Never returns.
 * Any context.
 */
void hal_exit(int code) __attribute__((noreturn));

#endif
