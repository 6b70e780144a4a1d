/*
 * exit.c - the end of a process, wait4, and the end of the machine
 * (mirrors kernel/exit.c).
 *
 * A forked child (fork.c) ends by giving the CPU back to its parent: the
 * child's memory and descriptors are released, the parent's saved state
 * comes back, and the parent's fork() returns the child's pid.  The first
 * process ending ends the machine: its exit status goes to the power-off
 * port and lstar exits with it.
 */
#include "mm.h"
#include "fs.h"
#include "processor.h"
#include "signal.h"

#define POWEROFF_PORT 0xF4

static bool stats_wanted;

void exit_stats_enable(void)
{
	stats_wanted = true;
}

/* Finished children not yet waited for: pid and wait status. */
#define MAX_ZOMBIES 64
static struct {
	int pid, status;
	struct task_ids ids;	/* it stays in its process group until reaped */
	struct task_usage usage;	/* its CPU time and memory, for wait4 */
} zombies[MAX_ZOMBIES];
static int nr_zombies;

void add_zombie(int pid, int wstatus, const struct task_ids *ids,
		const struct task_usage *usage)
{
	if (nr_zombies < MAX_ZOMBIES) {
		zombies[nr_zombies].pid = pid;
		zombies[nr_zombies].status = wstatus;
		zombies[nr_zombies].usage = *usage;
		zombies[nr_zombies++].ids = *ids;
	}
}

struct task_ids *zombie_ids(int pid)
{
	for (int i = 0; i < nr_zombies; i++)
		if (zombies[i].pid == pid)
			return &zombies[i].ids;
	return NULL;
}

int zombie_pgrp_session(int pgrp)
{
	for (int i = 0; i < nr_zombies; i++)
		if (zombies[i].ids.pgrp == pgrp)
			return zombies[i].ids.sid;
	return 0;
}

/* wstatus as wait() reports it: exit code << 8, or the signal number. */
static __noreturn void do_group_exit(int wstatus)
{
	if (fork_depth() > 0)
		return_to_parent(wstatus);	/* does not return */
	report_ni_syscalls(stats_wanted);
	int status = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
	outl(status, POWEROFF_PORT);
	panic("power-off port did not stop the machine");
}

void do_exit(int code)
{
	do_group_exit((code & 0xff) << 8);
}

void do_exit_signal(int sig)
{
	do_group_exit(sig & 0x7f);
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

#define WNOHANG 1

/* Children always run to completion before their parent continues, so a
 * child is either a zombie here or does not exist: nothing ever waits. */
SYSCALL_DEFINE4(wait4, int, pid, int __user *, status, int, options, void __user *, ru)
{
	(void)options;
	for (int i = 0; i < nr_zombies; i++) {
		if (pid > 0 && zombies[i].pid != pid)
			continue;
		int p = zombies[i].pid, st = zombies[i].status;
		if (status && copy_to_user(status, &st, sizeof(st)))
			return -EFAULT;
		if (ru && put_child_rusage(ru, &zombies[i].usage))
			return -EFAULT;
		/* Reaped: its times join the children's (cputime.c). */
		cputime_reap(&zombies[i].usage);
		zombies[i] = zombies[--nr_zombies];
		return p;
	}
	return -ECHILD;
}
