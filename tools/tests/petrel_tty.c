/*
 * petrel_tty.c - the program petrel_tty_test.py drives through a pty under `petrel run -t`:
 * it reports isatty and the window size, reads a cooked line, switches to non-canonical mode
 * without echo and reads three bytes, waits for a SIGINT from Ctrl-C, then for a SIGWINCH
 * from a resize of the host terminal (and reports the new size), then reads the end of
 * input (Ctrl-D: read returns 0).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t got_int, got_winch;

static void on_winch(int sig)
{
    (void)sig;
    got_winch++;
}

static void on_int(int sig)
{
    (void)sig;
    got_int = 1;
}

int main(void)
{
    struct winsize ws = {0, 0, 0, 0};
    struct termios t;
    char line[256];
    unsigned char c[3];
    ssize_t n;

    ioctl(0, TIOCGWINSZ, &ws);
    printf("tty %d %d %d size %ux%u\n", isatty(0), isatty(1), isatty(2), ws.ws_row, ws.ws_col);
    fflush(stdout);
    n = read(0, line, sizeof(line) - 1);
    line[n > 0 ? n : 0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    printf("line [%s] %zd bytes\n", line, n);
    tcgetattr(0, &t);
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    tcsetattr(0, TCSANOW, &t);
    printf("raw\n");
    fflush(stdout);
    for (int i = 0; i < 3; i++)
        if (read(0, &c[i], 1) != 1)
            return 3;
    printf("got %02x %02x %02x\n", c[0], c[1], c[2]);
    t.c_lflag |= ICANON | ECHO;
    tcsetattr(0, TCSANOW, &t);
    signal(SIGINT, on_int);
    printf("wait\n");
    fflush(stdout);
    while (!got_int)
        pause();
    printf("sigint\n");
    signal(SIGWINCH, on_winch);
    printf("winch-wait\n");
    fflush(stdout);
    while (!got_winch)
        pause();
    ioctl(1, TIOCGWINSZ, &ws);
    printf("winch %d size %ux%u\n", (int)got_winch, ws.ws_row, ws.ws_col);
    fflush(stdout);
    n = read(0, line, sizeof(line));
    printf("eof read %zd\n", n);
    return 0;
}
