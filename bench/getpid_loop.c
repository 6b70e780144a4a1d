/*
 * getpid_loop.c - the system-call benchmark guest: N raw SYSCALLs of
 * getpid (no libc wrapper, no vDSO), so one iteration is exactly one round
 * trip user -> entry_SYSCALL_64 -> do_syscall_64 -> sys_getpid -> SYSRET.
 * bench/syscall_bench.sh runs it natively and under lstar.
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long s = 0;
	for (long i = 0; i < n; i++) {
		long r;
		__asm__ volatile("syscall" : "=a"(r) : "a"(SYS_getpid) : "rcx", "r11", "memory");
		s += r;
	}
	return s == 0;
}
