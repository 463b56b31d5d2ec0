/*
 * hal_console.h - the console: serial port on bare metal, stderr in the hosted backend.
 */
#ifndef HAL_CONSOLE_H
#define HAL_CONSOLE_H

#include <stddef.h>

/* Write n bytes; a whole call is never interleaved with another CPU's. Does not sleep (it may
 * spin on the UART); any context, including panic. */
void hal_console_write(const char *buf, size_t n);

/* Read up to n bytes already received, without waiting. Returns the count (0: none). */
size_t hal_console_read(char *buf, size_t n);

#endif
