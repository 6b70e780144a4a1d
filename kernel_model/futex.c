/*
 * futex.c - fast user-space locking (mirrors kernel/futex/: syscalls.c,
 * waitwake.c, requeue.c, core.c's robust-list handling).
 *
 * A futex is a 32-bit word in user memory.  User space takes and releases
 * locks on it with atomic instructions alone; it asks the kernel only to
 * sleep while the word still holds a value it saw (FUTEX_WAIT) and to wake
 * sleepers (FUTEX_WAKE).  The kernel knows a futex by a key: the address
 * space and address for a private one (FUTEX_PRIVATE_FLAG: threads of one
 * process), the physical address of the word for a shared one (it may be
 * mapped at different addresses in different processes).  Waiters are
 * woken in the order they started to wait.
 */
#include "sched.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_FD		2
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_LOCK_PI		6
#define FUTEX_UNLOCK_PI		7
#define FUTEX_TRYLOCK_PI	8
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY	0xffffffffU

/* A sleeping waiter's key and bitset live in its task_struct slot. */
struct futex_waiter {
	u64 key_mm, key_addr;	/* (mm, uaddr) or (0, physical address) */
	u32 bitset;
	u64 seq;		/* FIFO order of waking */
	bool woken;
};
static struct futex_waiter waiters[MAX_TASKS];
static u64 futex_seq;

static int task_index(const struct task_struct *t)
{
	return t - task_table;
}

/* The key of uaddr; -EFAULT if it is not mapped user memory, -EINVAL if
 * it is not 4-byte aligned. */
static long get_futex_key(u64 uaddr, bool shared, u64 *kmm, u64 *kaddr)
{
	if (uaddr & 3)
		return -EINVAL;
	if (!shared) {
		/* Private: no need to look at the page tables (Linux does
		 * not either); a wake on an unmapped address finds nobody. */
		*kmm = (u64)current->mm;
		*kaddr = uaddr;
		return 0;
	}
	if (fault_in_user(uaddr, 4, false))
		return -EFAULT;
	/* A shared futex in private memory is keyed like a private one: no
	 * other process can see that memory (Linux's get_futex_key). */
	struct vm_area_struct *vma = find_vma(uaddr);
	if (!vma || !(vma->vm_flags & VM_SHARED)) {
		*kmm = (u64)current->mm;
		*kaddr = uaddr;
		return 0;
	}
	u64 *pte = pte_walk(uaddr & PAGE_MASK, false);
	if (!pte || !(*pte & _PAGE_PRESENT))
		return -EFAULT;
	*kmm = 0;
	*kaddr = (*pte & PTE_PFN_MASK) | (uaddr & ~PAGE_MASK);
	return 0;
}

/* Wake up to nr waiters of the key whose bitset meets `bitset`, oldest
 * first.  Returns how many. */
static int futex_wake_key(u64 kmm, u64 kaddr, int nr, u32 bitset)
{
	int woken = 0;
	while (woken < nr) {
		struct task_struct *best = NULL;
		for_each_task(t) {
			struct futex_waiter *w = &waiters[task_index(t)];
			if (t->wchan != w || w->woken || w->key_mm != kmm ||
			    w->key_addr != kaddr || !(w->bitset & bitset))
				continue;
			if (!best || w->seq < waiters[task_index(best)].seq)
				best = t;
		}
		if (!best)
			break;
		waiters[task_index(best)].woken = true;
		wake_up_process(best);
		woken++;
	}
	return woken;
}

long do_futex_wake(u64 uaddr, int nr, u32 bitset, bool shared)
{
	u64 kmm, kaddr;
	long err = get_futex_key(uaddr, shared, &kmm, &kaddr);
	if (err)
		return err;
	return futex_wake_key(kmm, kaddr, nr, bitset);
}

/* Sleep while *uaddr == val, until woken, the deadline (CLOCK_MONOTONIC
 * ns, 0: none) or a signal. */
static long futex_wait(u64 uaddr, bool shared, u32 val, u64 deadline, u32 bitset)
{
	u64 kmm, kaddr;
	u32 cur;
	if (!bitset)
		return -EINVAL;
	long err = get_futex_key(uaddr, shared, &kmm, &kaddr);
	if (err)
		return err;
	if (copy_from_user(&cur, (void *)uaddr, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	struct futex_waiter *w = &waiters[task_index(current)];
	*w = (struct futex_waiter){ kmm, kaddr, bitset, ++futex_seq, false };
	int r = sleep_on(w, "futex_wait", deadline, true);
	bool woken = w->woken;
	w->key_mm = w->key_addr = 0;
	if (woken)
		return 0;
	if (r == -ETIMEDOUT)
		return -ETIMEDOUT;
	if (r)
		return deadline ? -EINTR : -ERESTARTSYS;
	return 0;
}

/* Move waiters of key 1 beyond the first nr_wake to key 2 (up to
 * nr_requeue of them): the condition-variable broadcast trick. */
static long futex_requeue(u64 uaddr1, u64 uaddr2, bool shared, int nr_wake,
			  int nr_requeue, const u32 *cmpval)
{
	u64 m1, a1, m2, a2;
	long err;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if ((err = get_futex_key(uaddr1, shared, &m1, &a1)) ||
	    (err = get_futex_key(uaddr2, shared, &m2, &a2)))
		return err;
	if (cmpval) {
		u32 cur;
		if (copy_from_user(&cur, (void *)uaddr1, sizeof(cur)))
			return -EFAULT;
		if (cur != *cmpval)
			return -EAGAIN;
	}
	int done = futex_wake_key(m1, a1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	int moved = 0;
	for_each_task(t) {
		if (moved >= nr_requeue)
			break;
		struct futex_waiter *w = &waiters[task_index(t)];
		if (t->wchan != w || w->woken || w->key_mm != m1 || w->key_addr != a1)
			continue;
		w->key_mm = m2;
		w->key_addr = a2;
		moved++;
	}
	return done + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = *uaddr2 OP oparg; wake on uaddr1; and on
 * uaddr2 too if the old value passes the comparison. */
static long futex_wake_op(u64 uaddr1, u64 uaddr2, bool shared, int nr_wake,
			  int nr_wake2, u32 encoded)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int oparg = (int)(encoded << 8) >> 20, cmparg = (int)(encoded << 20) >> 20;
	if (encoded & (8U << 28))
		oparg = 1 << (oparg & 31);
	u32 old, nv;
	if (uaddr2 & 3)
		return -EINVAL;
	if (copy_from_user(&old, (void *)uaddr2, sizeof(old)))
		return -EFAULT;
	switch (op) {
	case 0: nv = oparg; break;		/* SET */
	case 1: nv = old + oparg; break;	/* ADD */
	case 2: nv = old | oparg; break;	/* OR */
	case 3: nv = old & ~oparg; break;	/* ANDN */
	case 4: nv = old ^ oparg; break;	/* XOR */
	default: return -ENOSYS;
	}
	if (copy_to_user((void *)uaddr2, &nv, sizeof(nv)))
		return -EFAULT;
	bool hit;
	int o = (int)old;
	switch (cmp) {
	case 0: hit = o == cmparg; break;
	case 1: hit = o != cmparg; break;
	case 2: hit = o < cmparg; break;
	case 3: hit = o <= cmparg; break;
	case 4: hit = o > cmparg; break;
	case 5: hit = o >= cmparg; break;
	default: return -ENOSYS;
	}
	long n = do_futex_wake(uaddr1, nr_wake, FUTEX_BITSET_MATCH_ANY, shared);
	if (n < 0)
		return n;
	if (hit) {
		long n2 = do_futex_wake(uaddr2, nr_wake2, FUTEX_BITSET_MATCH_ANY, shared);
		if (n2 > 0)
			n += n2;
	}
	return n;
}

/* A timeout argument as an absolute CLOCK_MONOTONIC deadline: relative
 * for FUTEX_WAIT, absolute (on the clock the flags name) for the rest. */
static long futex_deadline(const void __user *utime, bool absolute, bool realtime, u64 *d)
{
	struct timespec ts;
	*d = 0;
	if (!utime)
		return 0;
	if (copy_from_user(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	u64 ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec, now = now_ns();
	if (!absolute) {
		*d = now + ns;
	} else if (realtime) {
		u64 rnow = timekeeping_real_ns();
		*d = ns > rnow ? now + (ns - rnow) : now;
	} else {
		*d = ns;
	}
	if (!*d)
		*d = 1;		/* already passed: still a deadline */
	return 0;
}

SYSCALL_DEFINE6(futex, u32 __user *, uaddr, int, op, u32, val,
		void __user *, utime, u32 __user *, uaddr2, u32, val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool shared = !(op & FUTEX_PRIVATE_FLAG);
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	u64 d;
	long err;

	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		if ((err = futex_deadline(utime, realtime, realtime, &d)))
			return err;
		return futex_wait((u64)uaddr, shared, val, d, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		if ((err = futex_deadline(utime, true, realtime, &d)))
			return err;
		return futex_wait((u64)uaddr, shared, val, d, val3);
	case FUTEX_WAKE:
		return do_futex_wake((u64)uaddr, (int)val, FUTEX_BITSET_MATCH_ANY, shared);
	case FUTEX_WAKE_BITSET:
		if (!val3)
			return -EINVAL;
		return do_futex_wake((u64)uaddr, (int)val, val3, shared);
	case FUTEX_REQUEUE:
		return futex_requeue((u64)uaddr, (u64)uaddr2, shared, (int)val,
				     (int)(unsigned long)utime, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue((u64)uaddr, (u64)uaddr2, shared, (int)val,
				     (int)(unsigned long)utime, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op((u64)uaddr, (u64)uaddr2, shared, (int)val,
				     (int)(unsigned long)utime, val3);
	default:
		return -ENOSYS;	/* priority inheritance: not offered */
	}
}

/*
 * futex_exit - a thread ends: every robust futex it still holds is marked
 * OWNER_DIED and one waiter woken, so that the next locker learns of it
 * (kernel/futex/core.c exit_robust_list).
 */
#define FUTEX_WAITERS		0x80000000U
#define FUTEX_OWNER_DIED	0x40000000U
#define FUTEX_TID_MASK		0x3fffffffU
#define ROBUST_LIST_LIMIT	2048

static void handle_futex_death(u64 uaddr, int tid)
{
	u32 v;
	if ((uaddr & 3) || copy_from_user(&v, (void *)uaddr, sizeof(v)))
		return;
	if ((v & FUTEX_TID_MASK) != (u32)tid)
		return;
	u32 nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user((void *)uaddr, &nv, sizeof(nv)))
		return;
	if (v & FUTEX_WAITERS)
		do_futex_wake(uaddr, 1, FUTEX_BITSET_MATCH_ANY, true);
}

void futex_exit(struct task_struct *t)
{
	struct { u64 next; long offset; u64 pending; } head;
	waiters[task_index(t)].key_mm = waiters[task_index(t)].key_addr = 0;
	if (!t->robust_list || copy_from_user(&head, (void *)t->robust_list, sizeof(head)))
		return;
	u64 entry = head.next & ~1UL;
	for (int n = 0; entry && entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		u64 next;
		if (copy_from_user(&next, (void *)entry, sizeof(next)))
			break;
		if (entry != head.pending)
			handle_futex_death(entry + head.offset, t->pid);
		entry = next & ~1UL;
	}
	if (head.pending)
		handle_futex_death((head.pending & ~1UL) + head.offset, t->pid);
	t->robust_list = 0;
}
