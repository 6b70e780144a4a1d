/*
 * hostcall.c - the host-call device, ports 0x510-0x51F (protocol in
 * include/lstar/hostcall.h and docs/platform.md).
 *
 * The guest kernel asks for host services (files, standard streams, clock,
 * randomness) by handing the device the physical address of a request
 * block.  Two rules make this safe to expose to any guest:
 *   - every guest address is checked against RAM (phys_ptr), so a request
 *     can only ever read or write guest memory;
 *   - host file descriptors never leave this file: the guest sees indices
 *     into `h[]`.  With --root, every path is resolved inside the root
 *     directory (openat2 RESOLVE_IN_ROOT, or a component walk that refuses
 *     symlinks when openat2 is missing), so "..", absolute paths and
 *     symlinks cannot leave it (emu/hostcall/hostcall_fs.c).
 * This file has the ports, the handle table, the non-path operations and
 * the dispatcher.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <Zydis/Zydis.h>
#include "emu/hostcall/hostcall_int.h"
#include "emu/splitmix.h"
#include "emu/symbols.h"
#include "cpu/mmu.h"

/* ---- errno and flag translation (guest = x86-64 Linux numbering) ---- */

int64_t hc_lerr(int e)
{
	switch (e) {
	case EPERM:		return -LINUX_EPERM;
	case ENOENT:		return -LINUX_ENOENT;
	case ESRCH:		return -LINUX_ESRCH;
	case EINTR:		return -LINUX_EINTR;
	case EIO:		return -LINUX_EIO;
	case ENXIO:		return -LINUX_ENXIO;
	case E2BIG:		return -LINUX_E2BIG;
	case EBADF:		return -LINUX_EBADF;
	case EAGAIN:		return -LINUX_EAGAIN;
	case ENOMEM:		return -LINUX_ENOMEM;
	case EACCES:		return -LINUX_EACCES;
	case EFAULT:		return -LINUX_EFAULT;
	case EBUSY:		return -LINUX_EBUSY;
	case EEXIST:		return -LINUX_EEXIST;
	case EXDEV:		return -LINUX_EXDEV;
	case ENODEV:		return -LINUX_ENODEV;
	case ENOTDIR:	return -LINUX_ENOTDIR;
	case EISDIR:		return -LINUX_EISDIR;
	case EINVAL:		return -LINUX_EINVAL;
	case ENFILE:		return -LINUX_ENFILE;
	case EMFILE:		return -LINUX_EMFILE;
	case ENOTTY:		return -LINUX_ENOTTY;
	case ETXTBSY:	return -LINUX_ETXTBSY;
	case EFBIG:		return -LINUX_EFBIG;
	case ENOSPC:		return -LINUX_ENOSPC;
	case ESPIPE:		return -LINUX_ESPIPE;
	case EROFS:		return -LINUX_EROFS;
	case EMLINK:		return -LINUX_EMLINK;
	case EPIPE:		return -LINUX_EPIPE;
	case ERANGE:		return -LINUX_ERANGE;
	case ENAMETOOLONG:	return -LINUX_ENAMETOOLONG;
	case ENOSYS:		return -LINUX_ENOSYS;
	case ENOTEMPTY:	return -LINUX_ENOTEMPTY;
	case ELOOP:		return -LINUX_ELOOP;
	case EOVERFLOW:	return -LINUX_EOVERFLOW;
	case EOPNOTSUPP:	return -LINUX_EOPNOTSUPP;
	case ETIMEDOUT:	return -LINUX_ETIMEDOUT;
	/* sockets */
	case ENOTSOCK:	return -LINUX_ENOTSOCK;
	case EDESTADDRREQ:	return -LINUX_EDESTADDRREQ;
	case EMSGSIZE:	return -LINUX_EMSGSIZE;
	case EPROTOTYPE:	return -LINUX_EPROTOTYPE;
	case ENOPROTOOPT:	return -LINUX_ENOPROTOOPT;
	case EPROTONOSUPPORT:	return -LINUX_EPROTONOSUPPORT;
	case ESOCKTNOSUPPORT:	return -LINUX_ESOCKTNOSUPPORT;
	case EPFNOSUPPORT:	return -LINUX_EPFNOSUPPORT;
	case EAFNOSUPPORT:	return -LINUX_EAFNOSUPPORT;
	case EADDRINUSE:	return -LINUX_EADDRINUSE;
	case EADDRNOTAVAIL:	return -LINUX_EADDRNOTAVAIL;
	case ENETDOWN:	return -LINUX_ENETDOWN;
	case ENETUNREACH:	return -LINUX_ENETUNREACH;
	case ENETRESET:	return -LINUX_ENETRESET;
	case ECONNABORTED:	return -LINUX_ECONNABORTED;
	case ECONNRESET:	return -LINUX_ECONNRESET;
	case ENOBUFS:	return -LINUX_ENOBUFS;
	case EISCONN:	return -LINUX_EISCONN;
	case ENOTCONN:	return -LINUX_ENOTCONN;
	case ESHUTDOWN:	return -LINUX_ESHUTDOWN;
	case ETOOMANYREFS:	return -LINUX_ETOOMANYREFS;
	case ECONNREFUSED:	return -LINUX_ECONNREFUSED;
	case EHOSTDOWN:	return -LINUX_EHOSTDOWN;
	case EHOSTUNREACH:	return -LINUX_EHOSTUNREACH;
	case EALREADY:	return -LINUX_EALREADY;
	case EINPROGRESS:	return -LINUX_EINPROGRESS;
	default:	return -LINUX_EIO;	/* something the guest ABI has no word for */
	}
}

int hc_host_oflags(uint64_t g)
{
	static const struct { uint64_t guest; int host; } map[] = {
		{ 0100, O_CREAT }, { 0200, O_EXCL }, { 0400, O_NOCTTY },
		{ 01000, O_TRUNC }, { 02000, O_APPEND }, { 04000, O_NONBLOCK },
		{ 010000, O_DSYNC }, { 0200000, O_DIRECTORY }, { 0400000, O_NOFOLLOW },
		{ 010000000, O_PATH }, { 01000000, O_NOATIME },
		/* Linux spells these two as a private bit plus O_DIRECTORY or
		 * O_DSYNC, which the table already maps. */
		{ 020000000, O_TMPFILE & ~O_DIRECTORY }, { 04000000, O_SYNC & ~O_DSYNC },
	};
	int f = (int)(g & 3);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (g & map[i].guest)
			f |= map[i].host;
	/* The guest's O_CLOEXEC is the guest kernel's business; host fds of
	 * the device are never inherited by anything lstar might start. */
	return f | O_CLOEXEC;
}

/* ---- guest memory ---- */

void *hc_gptr(struct hostcall *hc, uint64_t pa, uint64_t len)
{
	return phys_ptr(hc->m, pa, len);
}

void *hc_gptr_w(struct hostcall *hc, uint64_t pa, uint64_t len)
{
	return phys_ptr_write(hc->m, pa, len);
}

/* A NUL-terminated path of at most LSTAR_HC_PATH_MAX bytes in guest RAM. */
const char *hc_gpath(struct hostcall *hc, uint64_t pa, int64_t *err)
{
	if (pa >= hc->m->ram_size) {
		*err = -LINUX_EFAULT;
		return NULL;
	}
	uint64_t len = hc->m->ram_size - pa;
	if (len > LSTAR_HC_PATH_MAX)
		len = LSTAR_HC_PATH_MAX;
	const char *p = hc_gptr(hc, pa, len);
	if (!p || !memchr(p, 0, len)) {
		*err = p ? -LINUX_ENAMETOOLONG : -LINUX_EFAULT;
		return NULL;
	}
	return p;
}

/* ---- handles ---- */

int64_t hc_handle_new(struct hostcall *hc, int fd, const char *path)
{
	for (int i = 3; i < LSTAR_HC_MAX_HANDLES; i++) {
		if (hc->h[i].fd < 0) {
			hc->h[i].fd = fd;
			hc->h[i].path = path ? strdup(path) : NULL;
			return i;
		}
	}
	close(fd);
	return -LINUX_EMFILE;				/* EMFILE */
}

int hc_handle_fd(struct hostcall *hc, uint64_t h)
{
	return h < LSTAR_HC_MAX_HANDLES ? hc->h[h].fd : -1;
}

/* ---- the operations ---- */

/* struct stat as x86-64 Linux lays it out (144 bytes). */
struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	uint64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	int64_t unused[3];
};

int64_t hc_put_stat(struct hostcall *hc, const struct stat *st, uint64_t pa)
{
	struct linux_stat *ls = hc_gptr_w(hc, pa, sizeof(*ls));
	if (!ls)
		return -LINUX_EFAULT;
	memset(ls, 0, sizeof(*ls));
	ls->dev = st->st_dev;
	ls->ino = st->st_ino;
	ls->nlink = st->st_nlink;
	ls->mode = st->st_mode;
	ls->uid = st->st_uid;
	ls->gid = st->st_gid;
	ls->rdev = st->st_rdev;
	ls->size = st->st_size;
	ls->blksize = st->st_blksize;
	ls->blocks = st->st_blocks;
	ls->atime = st->st_atim.tv_sec;
	ls->atime_ns = st->st_atim.tv_nsec;
	ls->mtime = st->st_mtim.tv_sec;
	ls->mtime_ns = st->st_mtim.tv_nsec;
	ls->ctime = st->st_ctim.tv_sec;
	ls->ctime_ns = st->st_ctim.tv_nsec;
	return 0;
}

static int64_t op_rw(struct hostcall *hc, unsigned op, const uint64_t *a)
{
	int fd = hc_handle_fd(hc, a[0]);
	if (fd < 0)
		return -LINUX_EBADF;
	bool wr = op == LSTAR_HC_WRITE || op == LSTAR_HC_PWRITE;
	void *buf = wr ? hc_gptr(hc, a[1], a[2]) : hc_gptr_w(hc, a[1], a[2]);
	if (!buf)
		return -LINUX_EFAULT;
	if (fd <= 2 && hc->m->before_stdio)
		hc->m->before_stdio(hc->m->before_stdio_ctx);
	ssize_t r;
	switch (op) {
	case LSTAR_HC_READ: r = read(fd, buf, a[2]); break;
	case LSTAR_HC_WRITE: r = write(fd, buf, a[2]); break;
	case LSTAR_HC_PREAD: r = pread(fd, buf, a[2], (off_t)a[3]); break;
	default: r = pwrite(fd, buf, a[2], (off_t)a[3]); break;
	}
	return hc_ret(r);
}

static int64_t op_poll(struct hostcall *hc, const uint64_t *a)
{
	uint64_t n = a[1];
	if (n > 64)
		return -LINUX_EINVAL;
	struct lstar_hc_pollfd *g = hc_gptr_w(hc, a[0], n * sizeof(*g));
	struct pollfd p[64];
	if (!g)
		return -LINUX_EFAULT;
	for (uint64_t i = 0; i < n; i++) {
		p[i].fd = hc_handle_fd(hc, (uint64_t)(int64_t)g[i].handle);
		p[i].events = (short)((g[i].events & LSTAR_HC_POLLIN ? POLLIN : 0) |
				      (g[i].events & LSTAR_HC_POLLPRI ? POLLPRI : 0) |
				      (g[i].events & LSTAR_HC_POLLOUT ? POLLOUT : 0) |
				      (g[i].events & LSTAR_HC_POLLRDHUP ? POLLRDHUP : 0));
	}
	int r = poll(p, n, (int)(int64_t)a[2]);
	if (r < 0)
		return hc_lerr(errno);
	for (uint64_t i = 0; i < n; i++)
		g[i].revents = (int16_t)((p[i].revents & POLLIN ? LSTAR_HC_POLLIN : 0) |
					 (p[i].revents & POLLPRI ? LSTAR_HC_POLLPRI : 0) |
					 (p[i].revents & POLLOUT ? LSTAR_HC_POLLOUT : 0) |
					 (p[i].revents & POLLRDHUP ? LSTAR_HC_POLLRDHUP : 0) |
					 (p[i].revents & POLLERR ? LSTAR_HC_POLLERR : 0) |
					 (p[i].revents & POLLHUP ? LSTAR_HC_POLLHUP : 0) |
					 (p[i].revents & POLLNVAL ? LSTAR_HC_POLLNVAL : 0));
	return r;
}

static int64_t op_getdents(struct hostcall *hc, const uint64_t *a)
{
	int fd = hc_handle_fd(hc, a[0]);
	if (fd < 0)
		return -LINUX_EBADF;
	void *buf = hc_gptr_w(hc, a[1], a[2]);
	if (!buf)
		return -LINUX_EFAULT;
	/* linux_dirent64 has the same layout on every Linux architecture. */
	long r = syscall(SYS_getdents64, fd, buf, (unsigned)a[2]);
	return hc_ret(r);
}

/* The host's terminal ioctls on the kernel's own structures (lstar runs
 * on Linux: the guest's layout is the host kernel's).  Spelled out here
 * because <asm/termbits.h> cannot be included beside <termios.h>. */
#define HOST_TCGETS	0x5401
#define HOST_TCSETS	0x5402		/* +1: TCSETSW, +2: TCSETSF */
#define HOST_TCGETS2	0x802C542A
#define HOST_TCSETS2	0x402C542B	/* +1: TCSETSW2, +2: TCSETSF2 */

static int64_t op_tty(struct hostcall *hc, unsigned op, const uint64_t *a)
{
	int fd = hc_handle_fd(hc, a[0]);
	if (fd < 0)
		return -LINUX_EBADF;
	if (op == LSTAR_HC_WINSIZE) {
		struct winsize ws;
		uint16_t *g = hc_gptr_w(hc, a[1], LSTAR_HC_WINSIZE_SIZE);
		if (!g)
			return -LINUX_EFAULT;
		if (a[2] == LSTAR_HC_WINSIZE_SET) {
			ws = (struct winsize){ g[0], g[1], g[2], g[3] };
			return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? hc_lerr(errno) : 0;
		}
		if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
			return hc_lerr(errno);
		g[0] = ws.ws_row; g[1] = ws.ws_col; g[2] = ws.ws_xpixel; g[3] = ws.ws_ypixel;
		return 0;
	}
	uint64_t kind = op == LSTAR_HC_TCGETS ? a[2] : a[3];
	if (kind > LSTAR_HC_TERMIOS_2)
		return -LINUX_EINVAL;
	uint64_t size = kind ? LSTAR_HC_TERMIOS2_SIZE : LSTAR_HC_TERMIOS_SIZE;
	struct lstar_hc_termios2 t;
	if (op == LSTAR_HC_TCGETS) {
		uint8_t *g = hc_gptr_w(hc, a[1], size);
		if (!g)
			return -LINUX_EFAULT;
		if (ioctl(fd, kind ? HOST_TCGETS2 : HOST_TCGETS, &t) < 0)
			return hc_lerr(errno);
		memcpy(g, &t, size);
		return 0;
	}
	/* LSTAR_HC_TCSETS */
	const uint8_t *g = hc_gptr(hc, a[1], size);
	if (!g)
		return -LINUX_EFAULT;
	if (a[2] > LSTAR_HC_TCSETS_FLUSH)
		return -LINUX_EINVAL;
	if (ioctl(fd, kind ? HOST_TCGETS2 : HOST_TCGETS, &t) < 0)
		return hc_lerr(errno);
	if (hc->tty_fd < 0) {		/* the first change: remember the start */
		if (ioctl(fd, HOST_TCGETS2, &hc->tty_saved) == 0)
			hc->tty_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	}
	memcpy(&t, g, size);
	unsigned long req = (kind ? HOST_TCSETS2 : HOST_TCSETS) + a[2];
	return ioctl(fd, req, &t) < 0 ? hc_lerr(errno) : 0;
}

/*
 * --seed: the run must not depend on the host.  The clocks count guest
 * instructions, one nanosecond each (RDTSC counts four ticks per
 * instruction: a 4 GHz TSC, cpu/system.c), plus the time the CPU spent
 * halted (HLT jumps to the APIC timer's expiry: cpu.idle_ticks, four per
 * nanosecond, so these clocks and the TSC agree), plus the time the guest
 * asked to sleep; the real-time clock starts at SEEDED_EPOCH.  The CPU-time
 * clocks count instructions only.  Sleeps return at once, and random bytes
 * come from splitmix64 seeded with N.
 */
#define SEEDED_EPOCH 1767225600ULL   /* 2026-01-01T00:00:00Z */

static void seeded_clock(struct hostcall *hc, uint64_t id, int64_t *g)
{
	const struct cpu *c = &hc->m->cpu;
	uint64_t ns = id == 2 || id == 3 ? cpu_icount(c) : cpu_ticks(c) / TSC_SCALE + hc->slept_ns;
	uint64_t sec = ns / 1000000000u;
	if (id == 0 || id == 5)
		sec += SEEDED_EPOCH;
	g[0] = (int64_t)sec;
	g[1] = (int64_t)(ns % 1000000000u);
}

static int64_t op_clock(struct hostcall *hc, const uint64_t *a)
{
	struct timespec ts;
	int64_t *g = hc_gptr_w(hc, a[1], 16);
	if (!g)
		return -LINUX_EFAULT;
	if (hc->seeded) {
		if (a[0] > 7)
			return -LINUX_EINVAL;
		seeded_clock(hc, a[0], g);
		return 0;
	}
	/* Linux clock ids: 0 realtime, 1 monotonic, 2/3 cpu time, 4 raw,
	 * 5/6 coarse, 7 boottime. */
	clockid_t id = a[0] == 0 || a[0] == 5 ? CLOCK_REALTIME
		     : a[0] == 2 || a[0] == 3 ? CLOCK_PROCESS_CPUTIME_ID
		     : a[0] <= 7 ? CLOCK_MONOTONIC : (clockid_t)-1;
	if (id == (clockid_t)-1)
		return -LINUX_EINVAL;
	clock_gettime(id, &ts);
	g[0] = ts.tv_sec;
	g[1] = ts.tv_nsec;
	return 0;
}

/* LSTAR_HC_MAP_EXEC: the guest kernel mapped code from a file (or the vDSO);
 * its symbols join the table traces and fault messages use.  A file's
 * are read only when an address inside is first looked up. */
static int64_t op_map_exec(struct hostcall *hc, const uint64_t *a)
{
	struct symtab *st = hc->m->syms;
	if (!st || a[2] == 0 || a[1] + a[2] < a[1])
		return 0;
	if ((int64_t)a[0] == -1) {
		const void *img = hc_gptr(hc, a[4], a[5]);
		if (!img)
			return -LINUX_EFAULT;
		sym_add_image_region(st, a[1], a[1] + a[2], img, a[5]);
		return 0;
	}
	char link[64], path[LSTAR_HC_PATH_MAX];
	int fd = hc_handle_fd(hc, a[0]);
	if (fd < 0)
		return -LINUX_EBADF;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = 0;
	sym_add_file_region(st, a[1], a[1] + a[2], path, a[3]);
	return 0;
}

/* LSTAR_HC_FD_PATH: what the host's /proc says the handle's file is, less the
 * --root prefix. */
static int64_t op_fd_path(struct hostcall *hc, const uint64_t *a)
{
	char link[64], path[LSTAR_HC_PATH_MAX], root[LSTAR_HC_PATH_MAX];
	int fd = hc_handle_fd(hc, a[0]);
	if (fd < 0)
		return -LINUX_EBADF;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return -LINUX_ENOENT;
	path[n] = 0;
	const char *p = path;
	if (hc->rootfd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", hc->rootfd);
		ssize_t r = readlink(link, root, sizeof(root) - 1);
		if (r <= 0)
			return -LINUX_ENOENT;
		root[r] = 0;
		if (strcmp(root, "/")) {
			if (strncmp(path, root, (size_t)r) || (path[r] && path[r] != '/'))
				return -LINUX_ENOENT;
			p = path[r] ? path + r : "/";
		}
	}
	size_t len = strlen(p);
	if (len > a[2])
		return -LINUX_ENAMETOOLONG;
	char *g = hc_gptr_w(hc, a[1], len);
	if (!g)
		return -LINUX_EFAULT;
	memcpy(g, p, len);
	return (int64_t)len;
}

static int64_t dispatch(struct hostcall *hc, unsigned op, const uint64_t *a)
{
	int fd;
	switch (op) {
	case LSTAR_HC_NOP:
		return 0;
	case LSTAR_HC_OPENAT:
		return hc_op_openat(hc, a);
	case LSTAR_HC_CLOSE:
		if (hc_handle_fd(hc, a[0]) < 0)
			return -LINUX_EBADF;
		if (a[0] > 2)
			close(hc->h[a[0]].fd);
		free(hc->h[a[0]].path);
		hc->h[a[0]] = (struct hc_handle){ -1, NULL };
		return 0;
	case LSTAR_HC_READ: case LSTAR_HC_WRITE: case LSTAR_HC_PREAD: case LSTAR_HC_PWRITE:
		return op_rw(hc, op, a);
	case LSTAR_HC_LSEEK:
		if ((fd = hc_handle_fd(hc, a[0])) < 0)
			return -LINUX_EBADF;
		return hc_ret(lseek(fd, (off_t)a[1], (int)a[2]));
	case LSTAR_HC_FSTAT: {
		struct stat st;
		if ((fd = hc_handle_fd(hc, a[0])) < 0)
			return -LINUX_EBADF;
		if (fstat(fd, &st) < 0)
			return hc_lerr(errno);
		return hc_put_stat(hc, &st, a[1]);
	}
	case LSTAR_HC_FSTATAT:
		return hc_op_fstatat(hc, a);
	case LSTAR_HC_STATFS:
		return hc_op_statfs(hc, a);
	case LSTAR_HC_GETDENTS64:
		return op_getdents(hc, a);
	case LSTAR_HC_READLINKAT: case LSTAR_HC_MKDIRAT: case LSTAR_HC_UNLINKAT: case LSTAR_HC_MKNODAT:
		return hc_op_name(hc, op, a);
	case LSTAR_HC_GETCWD: {
		size_t n = strlen(hc->cwd) + 1;
		if (n > a[1])
			return -LINUX_ERANGE;			/* ERANGE */
		char *g = hc_gptr_w(hc, a[0], n);
		if (!g)
			return -LINUX_EFAULT;
		memcpy(g, hc->cwd, n);
		return (int64_t)n;
	}
	case LSTAR_HC_CHDIR:
		return hc_op_chdir(hc, a);
	case LSTAR_HC_FCHDIR:
		return hc_op_fchdir(hc, a);
	case LSTAR_HC_RENAMEAT:
		return hc_op_renameat(hc, a);
	case LSTAR_HC_FACCESSAT:
		return hc_op_faccessat(hc, a);
	case LSTAR_HC_TCGETS: case LSTAR_HC_TCSETS: case LSTAR_HC_WINSIZE:
		return op_tty(hc, op, a);
	case LSTAR_HC_CLOCK:
		return op_clock(hc, a);
	case LSTAR_HC_NANOSLEEP: {
		if (hc->seeded) {
			hc->slept_ns += a[0];
			return 0;
		}
		struct timespec ts = { (time_t)(a[0] / 1000000000u), (long)(a[0] % 1000000000u) };
		/* A signal that asked the machine to stop (Ctrl-C) ends the
		 * sleep: a guest must not be able to hold lstar for the
		 * 584 years a 64-bit nanosecond count allows. */
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			if (hc->m->cpu.stop != STOP_NONE)
				return -LINUX_EINTR;		/* EINTR */
		return 0;
	}
	case LSTAR_HC_RANDOM: {
		void *g = hc_gptr_w(hc, a[0], a[1]);
		if (!g)
			return -LINUX_EFAULT;
		if (hc->seeded) {
			splitmix64_fill(&hc->rng, g, a[1]);
			return (int64_t)a[1];
		}
		return hc_ret(getrandom(g, a[1], 0));
	}
	case LSTAR_HC_POLL:
		return op_poll(hc, a);
	case LSTAR_HC_FTRUNCATE:
		if ((fd = hc_handle_fd(hc, a[0])) < 0)
			return -LINUX_EBADF;
		return hc_ret(ftruncate(fd, (off_t)a[1]));
	case LSTAR_HC_SETFL: {
		/* F_SETFL on the shared host file, as the guest's fcntl does
		 * on Linux: O_APPEND must reach the host's writes. */
		if ((fd = hc_handle_fd(hc, a[0])) < 0)
			return -LINUX_EBADF;
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			return hc_lerr(errno);
		fl &= ~(O_APPEND | O_NONBLOCK);
		fl |= (a[1] & LSTAR_HC_O_APPEND ? O_APPEND : 0) |
		      (a[1] & LSTAR_HC_O_NONBLOCK ? O_NONBLOCK : 0);
		return hc_ret(fcntl(fd, F_SETFL, fl));
	}
	case LSTAR_HC_REOPEN: {
		/* The host's magic link opens the very file the handle has,
		 * with a new offset and the access mode asked for; the host
		 * checks that mode against the file as for any open.  The
		 * file is one the guest holds already, so --root is kept. */
		char link[64];
		if ((fd = hc_handle_fd(hc, a[0])) < 0)
			return -LINUX_EBADF;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		int nfd = open(link, hc_host_oflags(a[1]) & ~O_NOFOLLOW, 0666);
		if (nfd < 0)
			return hc_lerr(errno);
		return hc_handle_new(hc, nfd, hc->h[a[0]].path);
	}
	case LSTAR_HC_MEMORY_ADD: {
		struct machine *m = hc->m;
		if (m->ram_max > m->ram_size) {
			m->ram_size = m->ram_max;
			m->cpu.ram_size = m->ram_max;
			tlb_flush_all(&m->cpu);	/* "outside RAM" was cached for it */
		}
		return (int64_t)m->ram_size;
	}
	case LSTAR_HC_GETRLIMIT: {
		/* Linux's RLIMIT_* numbers are the host's: lstar runs on Linux. */
		struct rlimit rl;
		uint8_t *g = hc_gptr_w(hc, a[1], sizeof(struct lstar_hc_rlimit));
		if (!g)
			return -LINUX_EFAULT;
		if (a[0] >= RLIM_NLIMITS)
			return -LINUX_EINVAL;
		if (getrlimit((int)a[0], &rl) < 0)
			return hc_lerr(errno);
		/* RLIM_INFINITY is ~0 on both sides; the block may be unaligned */
		struct lstar_hc_rlimit v = { rl.rlim_cur, rl.rlim_max };
		memcpy(g, &v, sizeof(v));
		return 0;
	}
	case LSTAR_HC_OPENTTY: {
		/* lstar's own controlling terminal, outside any --root: it
		 * is the terminal the guest's standard streams are on. */
		int nfd = open("/dev/tty", (hc_host_oflags(a[0]) & ~O_CREAT) | O_NOCTTY);
		if (nfd < 0)
			return hc_lerr(errno);
		return hc_handle_new(hc, nfd, "/dev/tty");
	}
	case LSTAR_HC_SYMLINKAT:
		return hc_op_symlinkat(hc, a);
	case LSTAR_HC_LINKAT:
		return hc_op_linkat(hc, a);
	case LSTAR_HC_FCHMODAT: case LSTAR_HC_FCHMOD: case LSTAR_HC_UTIMENSAT: case LSTAR_HC_FCHOWNAT:
		return hc_op_meta(hc, op, a);
	case LSTAR_HC_DISASM: {
		if (a[1] == 0 || a[1] > 15 || a[4] == 0 || a[4] > 256)
			return -LINUX_EINVAL;			/* EINVAL */
		const void *code = hc_gptr(hc, a[0], a[1]);
		char *text = hc_gptr_w(hc, a[3], a[4]);
		if (!code || !text)
			return -LINUX_EFAULT;			/* EFAULT */
		ZydisDisassembledInstruction d;
		if (!ZYAN_SUCCESS(ZydisDisassembleIntel(ZYDIS_MACHINE_MODE_LONG_64, a[2],
							code, a[1], &d)))
			return -LINUX_EINVAL;
		snprintf(text, a[4], "%s", d.text);
		return (int64_t)strlen(text);
	}
	case LSTAR_HC_STATS:
		if (a[0] < HC_NSTATS)
			hc->stats[a[0]] += a[1];
		return 0;
	case LSTAR_HC_SOCKET: case LSTAR_HC_SOCKETPAIR: case LSTAR_HC_BIND: case LSTAR_HC_LISTEN:
	case LSTAR_HC_ACCEPT: case LSTAR_HC_CONNECT: case LSTAR_HC_SENDMSG: case LSTAR_HC_RECVMSG:
	case LSTAR_HC_SHUTDOWN: case LSTAR_HC_SOCKOPT: case LSTAR_HC_SOCKNAME: case LSTAR_HC_FIONREAD:
		return hc_op_net(hc, op, a);
	case LSTAR_HC_SIGINT_VECTOR:
		if (a[0] != 0 && (a[0] < 32 || a[0] > 255))
			return -LINUX_EINVAL;			/* EINVAL */
		hc->sigint_vector = (int)a[0];
		return 0;
	case LSTAR_HC_FD_PATH:
		return op_fd_path(hc, a);
	case LSTAR_HC_MAP_EXEC:
		return op_map_exec(hc, a);
	case LSTAR_HC_TASK: {
		const char *comm = hc_gptr(hc, a[2], sizeof(hc->task.comm));
		hc->task.tid = (int)a[0];
		hc->task.tgid = (int)a[1];
		if (comm) {
			memcpy(hc->task.comm, comm, sizeof(hc->task.comm));
			hc->task.comm[sizeof(hc->task.comm) - 1] = 0;
		}
		hc->task.switches++;
		return 0;
	}
	default:
		return -LINUX_ENOSYS;				/* ENOSYS */
	}
}

/* ---- the ports ---- */

uint32_t hostcall_in(struct machine *m, uint16_t port, unsigned size)
{
	struct hostcall *hc = m->hc;
	(void)size;
	if (!hc)
		return 0xFFFFFFFFu;
	switch (port) {
	case LSTAR_HC_PORT_ID: return LSTAR_HC_ID;
	case LSTAR_HC_PORT_STATUS: return hc->status;
	case LSTAR_HC_PORT_ADDR_HI: return hc->addr_hi;
	default: return 0xFFFFFFFFu;
	}
}

void hostcall_out(struct machine *m, uint16_t port, unsigned size, uint32_t value)
{
	struct hostcall *hc = m->hc;
	if (!hc || size != 4)
		return;
	if (port == LSTAR_HC_PORT_ADDR_HI) {
		hc->addr_hi = value;
		return;
	}
	if (port != LSTAR_HC_PORT_ADDR_LO)
		return;
	uint64_t pa = ((uint64_t)hc->addr_hi << 32) | value;
	hc->addr_hi = 0;
	struct lstar_hc_req req;
	const void *src = phys_ptr(m, pa, sizeof(req));
	if (!src) {
		hc->status = LSTAR_HC_STATUS_BAD;	/* nowhere to even put an error */
		return;
	}
	memcpy(&req, src, sizeof(req));
	req.ret = dispatch(hc, req.op, req.a);
	hc->status = LSTAR_HC_STATUS_OK;
	/* Only `ret` goes back, so a request block cannot be used to make
	 * the device overwrite anything else. */
	void *dst = phys_ptr_write(m, pa + offsetof(struct lstar_hc_req, ret), sizeof(req.ret));
	if (dst)
		memcpy(dst, &req.ret, sizeof(req.ret));
}

/* ---- life cycle and configuration ---- */

struct hostcall *hostcall_new(struct machine *m)
{
	struct hostcall *hc = calloc(1, sizeof(*hc));
	if (!hc)
		return NULL;
	hc->m = m;
	hc->rootfd = -1;
	hc->tty_fd = -1;
	for (int i = 0; i < LSTAR_HC_MAX_HANDLES; i++)
		hc->h[i].fd = i < 3 ? i : -1;
	if (!getcwd(hc->cwd, sizeof(hc->cwd)))
		strcpy(hc->cwd, "/");
	m->bus.idle_wait = hc_idle_wait;   /* HLT's waits: real time, or none with --seed */
	return hc;
}

void hostcall_free(struct hostcall *hc)
{
	if (!hc)
		return;
	for (int i = 3; i < LSTAR_HC_MAX_HANDLES; i++)
		if (hc->h[i].fd >= 0)
			close(hc->h[i].fd);
	for (int i = 0; i < LSTAR_HC_MAX_HANDLES; i++)
		free(hc->h[i].path);
	if (hc->rootfd >= 0)
		close(hc->rootfd);
	if (hc->tty_fd >= 0) {
		/* A program that ends leaves the terminal as it set it, as
		 * on Linux (stty must work); a machine that stopped any
		 * other way (an oops, an unsupported instruction, ^C to
		 * lstar) gets the terminal back as lstar found it. */
		if (hc->m->cpu.stop != STOP_POWEROFF)
			ioctl(hc->tty_fd, HOST_TCSETS2, &hc->tty_saved);
		close(hc->tty_fd);
	}
	/* HLT must not call into a device that is gone (the fuzzers detach
	 * it): without it, waits pass at once, as with no board at all. */
	if (hc->m->bus.idle_wait == hc_idle_wait)
		hc->m->bus.idle_wait = NULL;
	free(hc);
}

int hostcall_configure(struct hostcall *hc, const struct hostcall_config *cfg,
		       char *err, size_t errlen)
{
	if (cfg->seeded) {
		hc->seeded = true;
		hc->rng = cfg->seed;
		hc->slept_ns = 0;
	}
	if (!cfg->root)
		return 0;
	int fd = open(cfg->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the root directory: %s "
			 "(give an existing directory)", strerror(errno));
		return -1;
	}
	if (hc->rootfd >= 0)
		close(hc->rootfd);
	hc->rootfd = fd;
	strcpy(hc->cwd, "/");		/* the guest starts at its root */
	/* Probe openat2 once: without it, confinement refuses symlinks. */
	struct hc_open_how how = { O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT };
	int t = (int)syscall(SYS_openat2, fd, ".", &how, sizeof(how));
	hc->have_openat2 = t >= 0;
	if (t >= 0)
		close(t);
	/* Lets tests exercise the fallback on a host that has openat2. */
	if (getenv("LSTAR_HOSTCALL_NO_OPENAT2"))
		hc->have_openat2 = 0;
	return 0;
}

void hostcall_stats(struct hostcall *hc,
		    void (*fn)(unsigned nr, uint64_t count, void *arg), void *arg)
{
	for (unsigned nr = 0; nr < HC_NSTATS; nr++)
		if (hc->stats[nr])
			fn(nr, hc->stats[nr], arg);
}

const struct hostcall_task *hostcall_current_task(const struct hostcall *hc)
{
	return &hc->task;
}

int hostcall_sigint_vector(const struct hostcall *hc)
{
	return hc->sigint_vector;
}
