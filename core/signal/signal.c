/*
 * signal.c - the kernel's side of every return to user mode (hal/hal_user.h).
 *
 * Both HAL backends call kernel_user_return() with interrupts enabled just before each return
 * to user mode, and ask kernel_user_work_pending() (interrupts disabled) whether to call it
 * again. This is where pending signals will be delivered; until the delivery lands there is
 * nothing to do on the way out, so the hook returns at once and never reports work.
 */
#include <stdbool.h>

#include "hal/hal_user.h"

void kernel_user_return(struct hal_uregs *regs)
{
    (void)regs;
}

bool kernel_user_work_pending(void)
{
    return false;
}
