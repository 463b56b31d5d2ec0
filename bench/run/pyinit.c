/*
 * pyinit.c - /init of the Linux guest baseline of bench/run: runs the program the kernel
 * command line names after "--" (/usr/bin/python3 -c pass) with the environment petrel run
 * gives a program, prints its exit status on the console and reboots, which ends QEMU
 * (-no-reboot). Static, so the initramfs needs no loader for it; the program it runs is the
 * host's dynamic python3 with its libraries and the standard library files it opens.
 */
#include <stdio.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/", NULL};
    int st = 0;
    pid_t pid;

    if (argc < 2) {
        fputs("pyinit: no program on the kernel command line (after --)\n", stderr);
    } else if ((pid = fork()) == 0) {
        execve(argv[1], argv + 1, envp);
        perror("pyinit: execve");
        _exit(127);
    } else if (pid > 0 && waitpid(pid, &st, 0) == pid) {
        printf("pyinit: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    fflush(stdout);
    sync();
    reboot(RB_AUTOBOOT);
    return 1;
}
