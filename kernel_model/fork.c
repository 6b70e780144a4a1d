/*
 * fork.c - the thread-setup calls every C library makes at startup even
 * though this kernel never forks (mirrors kernel/fork.c and
 * kernel/futex/syscalls.c).
 */
#include "mm.h"
#include "signal.h"

static unsigned long clear_child_tid;	/* would be cleared at thread exit */
static unsigned long robust_list_head;

SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	clear_child_tid = (unsigned long)tidptr;
	return THE_PID;		/* the caller's tid */
}

SYSCALL_DEFINE2(set_robust_list, void __user *, head, unsigned long, len)
{
	if (len != 24)		/* sizeof(struct robust_list_head) */
		return -EINVAL;
	robust_list_head = (unsigned long)head;
	return 0;
}

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_CMD_MASK		0x7f	/* without PRIVATE and CLOCK_REALTIME */

/*
 * One thread: a wake finds nobody; a wait whose value still matches would
 * sleep forever, so it reports a timeout instead of hanging the machine.
 */
SYSCALL_DEFINE6(futex, u32 __user *, uaddr, int, op, u32, val,
		void __user *, utime, u32 __user *, uaddr2, u32, val3)
{
	u32 cur;
	(void)utime; (void)uaddr2; (void)val3;
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return 0;
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (copy_from_user(&cur, uaddr, sizeof(cur)))
			return -EFAULT;
		return cur != val ? -EAGAIN : -ETIMEDOUT;
	default:
		return -ENOSYS;
	}
}
