/*
 * process_64.c - per-thread CPU state user space may set: the FS and GS
 * bases (mirrors arch/x86/kernel/process_64.c).  C libraries point FS at
 * their thread control block and read %fs:0 for errno and TLS.  With one
 * thread and no context switch, the MSRs themselves are the saved state.
 */
#include "sched.h"
#include "mm.h"
#include "processor.h"

static bool canonical_user(unsigned long a)
{
	return a < TASK_SIZE_MAX;
}

SYSCALL_DEFINE2(arch_prctl, int, option, unsigned long, arg2)
{
	unsigned long v;
	switch (option) {
	case ARCH_SET_FS:
		if (!canonical_user(arg2))
			return -EPERM;
		wrmsrl(MSR_FS_BASE, arg2);
		return 0;
	case ARCH_SET_GS:
		if (!canonical_user(arg2))
			return -EPERM;
		/* In the kernel the user's GS base sits in KERNEL_GS_BASE
		 * (we ran SWAPGS on entry); SWAPGS on exit brings it back. */
		wrmsrl(MSR_KERNEL_GS_BASE, arg2);
		return 0;
	case ARCH_GET_FS:
		v = rdmsrl(MSR_FS_BASE);
		return copy_to_user((void *)arg2, &v, sizeof(v)) ? -EFAULT : 0;
	case ARCH_GET_GS:
		v = rdmsrl(MSR_KERNEL_GS_BASE);
		return copy_to_user((void *)arg2, &v, sizeof(v)) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}
