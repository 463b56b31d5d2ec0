/*
 * test_kernel_abi.c - kernel_main() refuses a backend of another HAL ABI version: it prints
 * both versions and ends the machine with PANIC_EXIT_CODE before touching anything else.
 * Run without hosted_boot(), so hal_exit() ends this process; ctest checks the message and
 * the exit status (see CMakeLists.txt).
 */
#include "hal/hal_boot.h"

int main(void)
{
    static struct hal_boot_info info = {.abi_version = HAL_ABI_VERSION + 98, .cmdline = ""};

    kernel_main(&info);
    return 0; /* not reached: kernel_main never returns */
}
