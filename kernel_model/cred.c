/*
 * cred.c - changing user and group ids (the set*id calls of kernel/sys.c).
 *
 * A process here has the invoking user's ids and no others (sys.c's
 * getuid and friends answer boot_info's): the host-call device does every
 * file access as lstar's own user, so other ids would mean nothing.  A
 * request that keeps the ids as they are succeeds, as it does for an
 * unprivileged Linux process: -1 ("unchanged") or the current id in each
 * place.  glibc's posix_spawn does that with POSIX_SPAWN_RESETIDS (make
 * spawns its commands so), and programs that drop privileges they do not
 * have go on.  Any other id is EPERM, even for root.
 */
#include "sched.h"

static bool same(u32 id, u64 cur)
{
	return id == (u32)-1 || id == cur;
}

static long set_ids(u32 a, u32 b, u32 c, u64 cur)
{
	return same(a, cur) && same(b, cur) && same(c, cur) ? 0 : -EPERM;
}

SYSCALL_DEFINE1(setuid, u32, uid) { return uid == (u32)-1 ? -EINVAL : set_ids(uid, -1, -1, boot_info.uid); }
SYSCALL_DEFINE1(setgid, u32, gid) { return gid == (u32)-1 ? -EINVAL : set_ids(gid, -1, -1, boot_info.gid); }
SYSCALL_DEFINE2(setreuid, u32, r, u32, e) { return set_ids(r, e, -1, boot_info.uid); }
SYSCALL_DEFINE2(setregid, u32, r, u32, e) { return set_ids(r, e, -1, boot_info.gid); }
SYSCALL_DEFINE3(setresuid, u32, r, u32, e, u32, s) { return set_ids(r, e, s, boot_info.uid); }
SYSCALL_DEFINE3(setresgid, u32, r, u32, e, u32, s) { return set_ids(r, e, s, boot_info.gid); }

/* setfsuid/setfsgid answer the old id whatever happens. */
SYSCALL_DEFINE1(setfsuid, u32, uid) { (void)uid; return boot_info.uid; }
SYSCALL_DEFINE1(setfsgid, u32, gid) { (void)gid; return boot_info.gid; }

static long put_ids(u32 __user *a, u32 __user *b, u32 __user *c, u32 id)
{
	if (copy_to_user(a, &id, 4) || copy_to_user(b, &id, 4) || copy_to_user(c, &id, 4))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresuid, u32 __user *, r, u32 __user *, e, u32 __user *, s)
{
	return put_ids(r, e, s, boot_info.uid);
}

SYSCALL_DEFINE3(getresgid, u32 __user *, r, u32 __user *, e, u32 __user *, s)
{
	return put_ids(r, e, s, boot_info.gid);
}

/* setgroups: the list may only stay what it is (getgroups: the gid). */
SYSCALL_DEFINE2(setgroups, int, size, const u32 __user *, list)
{
	u32 g;
	if (size < 0)
		return -EINVAL;
	if (size == 1 && !copy_from_user(&g, list, 4) && g == boot_info.gid)
		return 0;
	return -EPERM;
}

/*
 * capget (kernel/capability.c): root has every capability, anyone else
 * none, which is what a Linux process of that user has after exec.  An
 * unknown version is answered with the one the kernel prefers (and
 * EINVAL, unless the caller only asked, with no data pointer).
 */
#define _LINUX_CAPABILITY_VERSION_1	0x19980330
#define _LINUX_CAPABILITY_VERSION_2	0x20071026
#define _LINUX_CAPABILITY_VERSION_3	0x20080522
#define CAP_LAST_CAP			40

struct cap_header { u32 version; int pid; };
struct cap_data { u32 effective, permitted, inheritable; };

SYSCALL_DEFINE2(capget, struct cap_header __user *, header, struct cap_data __user *, dataptr)
{
	struct cap_header h;
	if (copy_from_user(&h, header, sizeof(h)))
		return -EFAULT;
	int words;
	if (h.version == _LINUX_CAPABILITY_VERSION_1) {
		words = 1;
	} else if (h.version == _LINUX_CAPABILITY_VERSION_2 ||
		   h.version == _LINUX_CAPABILITY_VERSION_3) {
		words = 2;
	} else {
		h.version = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_user(header, &h, sizeof(h)))
			return -EFAULT;
		return dataptr ? -EINVAL : 0;
	}
	if (!dataptr)
		return 0;
	if (h.pid < 0)
		return -EINVAL;
	if (h.pid && !find_task_by_pid(h.pid))
		return -ESRCH;
	bool root = boot_info.uid == 0;
	struct cap_data d[2] = {
		{ root ? ~0u : 0, root ? ~0u : 0, 0 },
		{ root ? (1u << (CAP_LAST_CAP + 1 - 32)) - 1 : 0,
		  root ? (1u << (CAP_LAST_CAP + 1 - 32)) - 1 : 0, 0 },
	};
	return copy_to_user(dataptr, d, words * sizeof(d[0])) ? -EFAULT : 0;
}
