/*
 * sigio.h - the signal layer's side of signal-driven I/O (core/signal/sigio.c): it installs
 * the function fs/file/fown.c calls to signal a description's owner.
 */
#ifndef CORE_SIGNAL_SIGIO_H
#define CORE_SIGNAL_SIGIO_H

/* Install the hook (file_set_owner_hook); signal_init calls it once. */
void sigio_init(void);

#endif
