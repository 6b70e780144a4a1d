/*
 * hostcall.c - driver for the lstar host-call device, ports 0x510-0x51F
 * (no Linux counterpart: it plays the role a virtio or 9p driver would).
 *
 * A request is a struct lstar_hc_req (include/lstar/hostcall.h) in kernel memory.  Writing
 * its physical address to the two address ports makes the device perform
 * the call before the OUT instruction completes, so there is no waiting,
 * no interrupt and no queue: the simplest possible paravirtual device.
 * Buffers handed to the device are physical addresses of kernel memory
 * (hc_bounce, hc_path); user memory is always copied through them, which
 * keeps the page-table walking in the kernel where it belongs.
 */
#include "sched.h"
#include "kernel.h"
#include "processor.h"
#include "mm.h"
#include "fs.h"

u8 hc_bounce[HC_BOUNCE_SIZE] __attribute__((aligned(4096)));
char hc_path[2][PATH_MAX] __attribute__((aligned(4096)));
static struct lstar_hc_req req __attribute__((aligned(64)));

u64 hc_pa(const void *p)
{
	/* The kernel image, or the direct map (what the page allocator
	 * hands out: the task table, page-sized structures). */
	if ((u64)p >= __START_KERNEL_map)
		return __pa_symbol(p);
	return __pa(p);
}

long hostcall(unsigned op, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	u64 pa = __pa_symbol(&req);

	req.op = op;
	req.ret = -ENOSYS;	/* what we see if no device answers */
	req.a[0] = a0; req.a[1] = a1; req.a[2] = a2;
	req.a[3] = a3; req.a[4] = a4; req.a[5] = a5;
	outl((u32)(pa >> 32), LSTAR_HC_PORT_ADDR_HI);
	outl((u32)pa, LSTAR_HC_PORT_ADDR_LO);		/* the call happens here */
	return req.ret;
}

long getname(int slot, const char __user *upath)
{
	long n = strncpy_from_user(hc_path[slot], upath, PATH_MAX);
	if (n < 0)
		return n;
	return n == 0 ? -ENOENT : n;	/* Linux: an empty path is ENOENT */
}

/* The directory a *at() call resolves hc_path[slot] against. */
long dir_handle(int dirfd, int slot)
{
	if (hc_path[slot][0] == '/' || dirfd == AT_FDCWD)
		return LSTAR_HC_DIR_CWD;
	struct file *f = fget(dirfd);
	if (!f)
		return -EBADF;
	if (f->type != FT_HOST)
		return -ENOTDIR;
	return f->handle;
}
