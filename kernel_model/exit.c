/*
 * exit.c - the end of the program, and of the machine (mirrors
 * kernel/exit.c).  With one process, its exit status is the machine's:
 * the kernel writes it to the power-off port and lstar exits with it.
 */
#include "kernel.h"
#include "processor.h"

#define POWEROFF_PORT 0xF4

static bool stats_wanted;

void exit_stats_enable(void)
{
	stats_wanted = true;
}

void do_exit(int status)
{
	report_ni_syscalls(stats_wanted);
	outl(status & 0xFF, POWEROFF_PORT);
	panic("power-off port did not stop the machine");
}

/* exit and exit_group differ only with threads, which we do not have. */
SYSCALL_DEFINE1(exit, int, error_code)
{
	do_exit(error_code);
}

SYSCALL_DEFINE1(exit_group, int, error_code)
{
	do_exit(error_code);
}
