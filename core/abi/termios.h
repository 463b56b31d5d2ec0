/*
 * core/abi/termios.h - the Linux terminal ABI as the kernel sees it: the tty ioctls
 * (TCGETS...), the kernel's struct termios (36 bytes; libc's is longer and translates),
 * struct winsize, and the c_cc indexes and flag bits Petrel's console reports.
 */
#ifndef CORE_ABI_TERMIOS_H
#define CORE_ABI_TERMIOS_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_TCGETS 0x5401
#define LINUX_TCSETS 0x5402
#define LINUX_TCSETSW 0x5403
#define LINUX_TCSETSF 0x5404
#define LINUX_TCGETA 0x5405
#define LINUX_TCSETA 0x5406
#define LINUX_TCSETAW 0x5407
#define LINUX_TCSETAF 0x5408
#define LINUX_TCSBRK 0x5409
#define LINUX_TCXONC 0x540a
#define LINUX_TCFLSH 0x540b
#define LINUX_TIOCEXCL 0x540c
#define LINUX_TIOCNXCL 0x540d
#define LINUX_TIOCSCTTY 0x540e
#define LINUX_TIOCGPGRP 0x540f
#define LINUX_TIOCSPGRP 0x5410
#define LINUX_TIOCOUTQ 0x5411
#define LINUX_TIOCSTI 0x5412
#define LINUX_TIOCGWINSZ 0x5413
#define LINUX_TIOCSWINSZ 0x5414
#define LINUX_TIOCMGET 0x5415
#define LINUX_TIOCMSET 0x5418
#define LINUX_TIOCNOTTY 0x5422
#define LINUX_TIOCGSID 0x5429
#define LINUX_TIOCGPTN 0x80045430u
#define LINUX_TIOCSPTLCK 0x40045431u

#define LINUX_NCCS 19
struct linux_termios {
    uint32_t c_iflag;
    uint32_t c_oflag;
    uint32_t c_cflag;
    uint32_t c_lflag;
    uint8_t c_line;
    uint8_t c_cc[LINUX_NCCS];
};
_Static_assert(sizeof(struct linux_termios) == 36, "termios size");
_Static_assert(offsetof(struct linux_termios, c_lflag) == 12, "termios c_lflag");
_Static_assert(offsetof(struct linux_termios, c_line) == 16, "termios c_line");
_Static_assert(offsetof(struct linux_termios, c_cc) == 17, "termios c_cc");

struct linux_winsize {
    uint16_t ws_row;
    uint16_t ws_col;
    uint16_t ws_xpixel;
    uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "winsize size");

/* c_cc indexes. */
#define LINUX_VINTR 0
#define LINUX_VQUIT 1
#define LINUX_VERASE 2
#define LINUX_VKILL 3
#define LINUX_VEOF 4
#define LINUX_VTIME 5
#define LINUX_VMIN 6
#define LINUX_VSWTC 7
#define LINUX_VSTART 8
#define LINUX_VSTOP 9
#define LINUX_VSUSP 10
#define LINUX_VEOL 11
#define LINUX_VREPRINT 12
#define LINUX_VDISCARD 13
#define LINUX_VWERASE 14
#define LINUX_VLNEXT 15
#define LINUX_VEOL2 16

/* c_iflag */
#define LINUX_IGNBRK 0000001u
#define LINUX_BRKINT 0000002u
#define LINUX_IGNPAR 0000004u
#define LINUX_PARMRK 0000010u
#define LINUX_INPCK 0000020u
#define LINUX_ISTRIP 0000040u
#define LINUX_INLCR 0000100u
#define LINUX_IGNCR 0000200u
#define LINUX_ICRNL 0000400u
#define LINUX_IXON 0002000u
#define LINUX_IXANY 0004000u
#define LINUX_IXOFF 0010000u
#define LINUX_IMAXBEL 0020000u
#define LINUX_IUTF8 0040000u
/* c_oflag */
#define LINUX_OPOST 0000001u
#define LINUX_ONLCR 0000004u
/* c_cflag */
#define LINUX_CBAUD 0010017u
#define LINUX_B38400 0000017u
#define LINUX_CSIZE 0000060u
#define LINUX_CS8 0000060u
#define LINUX_CSTOPB 0000100u
#define LINUX_CREAD 0000200u
#define LINUX_PARENB 0000400u
#define LINUX_HUPCL 0002000u
#define LINUX_CLOCAL 0004000u
/* c_lflag */
#define LINUX_ISIG 0000001u
#define LINUX_ICANON 0000002u
#define LINUX_ECHO 0000010u
#define LINUX_ECHOE 0000020u
#define LINUX_ECHOK 0000040u
#define LINUX_ECHONL 0000100u
#define LINUX_NOFLSH 0000200u
#define LINUX_TOSTOP 0000400u
#define LINUX_ECHOCTL 0001000u
#define LINUX_ECHOKE 0004000u
#define LINUX_IEXTEN 0100000u

#endif
