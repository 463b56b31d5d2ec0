/*
 * test_abi_termios.c - core/abi/termios.h and core/abi/ioctl.h against the kernel's
 * <asm/termbits.h>, <asm/ioctls.h> (the kernel's 36-byte termios; glibc's <termios.h> is a
 * different, longer struct and clashes), and TCGETS on a real pseudo-terminal.
 */
#define _GNU_SOURCE
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/abi/ioctl.h"
#include "core/abi/termios.h"
#include "tests/unit/abi/abi_check.h"

static void test_ioctls(void **state)
{
    CK(TCGETS), CK(TCSETS), CK(TCSETSW), CK(TCSETSF), CK(TCGETA), CK(TCSETA), CK(TCSETAW);
    CK(TCSETAF), CK(TCSBRK), CK(TCXONC), CK(TCFLSH), CK(TIOCEXCL), CK(TIOCNXCL);
    CK(TIOCSCTTY), CK(TIOCGPGRP), CK(TIOCSPGRP), CK(TIOCOUTQ), CK(TIOCSTI), CK(TIOCGWINSZ);
    CK(TIOCSWINSZ), CK(TIOCMGET), CK(TIOCMSET), CK(TIOCNOTTY), CK(TIOCGSID), CK(TIOCGPTN);
    CK(TIOCSPTLCK);
    CK(FIONREAD), CK(TIOCINQ), CK(FIONBIO), CK(FIONCLEX), CK(FIOCLEX), CK(FIOASYNC);
    CK(FIOQSIZE);
    (void)state;
}

static void test_termios(void **state)
{
    typedef struct linux_termios T;
    SZ(T, struct termios);
#define F(f) OFF(T, f, struct termios, f)
    F(c_iflag), F(c_oflag), F(c_cflag), F(c_lflag), F(c_line), F(c_cc);
#undef F
    CK(NCCS);
    SZ(struct linux_winsize, struct winsize);
    OFF(struct linux_winsize, ws_col, struct winsize, ws_col);
    OFF(struct linux_winsize, ws_ypixel, struct winsize, ws_ypixel);
    CK(VINTR), CK(VQUIT), CK(VERASE), CK(VKILL), CK(VEOF), CK(VTIME), CK(VMIN), CK(VSWTC);
    CK(VSTART), CK(VSTOP), CK(VSUSP), CK(VEOL), CK(VREPRINT), CK(VDISCARD), CK(VWERASE);
    CK(VLNEXT), CK(VEOL2);
    CK(IGNBRK), CK(BRKINT), CK(IGNPAR), CK(PARMRK), CK(INPCK), CK(ISTRIP), CK(INLCR);
    CK(IGNCR), CK(ICRNL), CK(IXON), CK(IXANY), CK(IXOFF), CK(IMAXBEL), CK(IUTF8);
    CK(OPOST), CK(ONLCR), CK(CBAUD), CK(B38400), CK(CSIZE), CK(CS8), CK(CSTOPB), CK(CREAD);
    CK(PARENB), CK(HUPCL), CK(CLOCAL);
    CK(ISIG), CK(ICANON), CK(ECHO), CK(ECHOE), CK(ECHOK), CK(ECHONL), CK(NOFLSH), CK(TOSTOP);
    CK(ECHOCTL), CK(ECHOKE), CK(IEXTEN);
    (void)state;
}

/* The kernel writes exactly sizeof(struct linux_termios) bytes for TCGETS. */
static void test_tcgets_native(void **state)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0)
        skip();
    unsigned char buf[64];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = 0xa5;
    assert_int_equal(ioctl(m, LINUX_TCGETS, buf), 0);
    size_t last = 0;
    for (size_t i = 0; i < sizeof(buf); i++)
        if (buf[i] != 0xa5)
            last = i + 1;
    EQ("bytes TCGETS wrote", sizeof(struct linux_termios), last);
    close(m);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ioctls),
        cmocka_unit_test(test_termios),
        cmocka_unit_test(test_tcgets_native),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
