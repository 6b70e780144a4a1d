/*
 * scall.c - the seed: one system call, made by hand.
 *
 * syscall(SYS_write, 1, "hello\n", 6) puts 1 in RAX and the arguments in
 * RDI, RSI, RDX, and executes SYSCALL.  Under lstar that instruction jumps
 * to IA32_LSTAR = entry_SYSCALL_64 in kernel_model/entry_64.S, which calls
 * do_syscall_64 -> x64_sys_call -> sys_write, and returns with SYSRET.
 */
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	syscall(SYS_write, 1, "hello\n", 6);
	return 0;
}
