/*
 * hostcall_fs.c - the host-call device's file-system side: what a guest
 * path means on the host, and every op that takes one (protocol in
 * include/lstar/hostcall.h, docs/platform.md).
 *
 * Each guest path is first made absolute in the guest's view (the current
 * directory, or the path of the handle an *at call names), then
 * hc_host_open() alone decides what that means on the host.  Without --root
 * the path is the host's own.  With --root it is resolved inside the root
 * by openat2(RESOLVE_IN_ROOT), or, on kernels without openat2, by a
 * component walk that refuses every symlink.  So "..", absolute paths and
 * symlinks cannot leave the root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu/hostcall/hostcall_int.h"
#include "cpu/mmu.h"

/* ---- paths ---- */

/* Lexically normalize an absolute path in place: no "//", ".", and ".."
 * clamped at "/" (the root cannot be left by climbing). */
static void normalize(char *p)
{
	char out[LSTAR_HC_PATH_MAX];
	size_t o = 0;
	const char *s = p;
	while (*s) {
		while (*s == '/')
			s++;
		const char *e = s;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* skip */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (o + 1 + n < sizeof(out)) {
			out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = 0;
	memcpy(p, out, o + 1);
}

/* The absolute guest path for `path` relative to dir handle `dh`. */
static int64_t compose(struct hostcall *hc, int64_t dh, const char *path, char *out)
{
	const char *base;
	if (path[0] == '/')
		base = "";
	else if (dh == LSTAR_HC_DIR_CWD)
		base = hc->cwd;
	else if (dh >= 0 && dh < LSTAR_HC_MAX_HANDLES && hc->h[dh].fd >= 0)
		base = hc->h[dh].path ? hc->h[dh].path : NULL;
	else
		return -LINUX_EBADF;
	if (!base)
		return -LINUX_ENOTDIR;	/* a stream has no path */
	int n = snprintf(out, LSTAR_HC_PATH_MAX, "%s%s%s", base,
			 (*base && path[0] != '/') ? "/" : "", path);
	if (n < 0 || n >= LSTAR_HC_PATH_MAX)
		return -LINUX_ENAMETOOLONG;
	return 0;
}

/* Fallback confinement without openat2: walk component by component from
 * the root, refusing any symlink (O_NOFOLLOW on every step). */
static int walk_in_root(struct hostcall *hc, const char *full, int flags, mode_t mode)
{
	char norm[LSTAR_HC_PATH_MAX];
	snprintf(norm, sizeof(norm), "%s", full);
	normalize(norm);
	int dir = dup(hc->rootfd);
	char *s = norm + 1;
	if (!*s) {
		int fd = openat(dir, ".", flags & ~(O_CREAT | O_EXCL), mode);
		close(dir);
		return fd;
	}
	for (;;) {
		char *slash = strchr(s, '/');
		if (!slash) {
			int fd = openat(dir, s, flags | O_NOFOLLOW, mode);
			int e = errno;
			close(dir);
			errno = e;
			return fd;
		}
		*slash = 0;
		int next = openat(dir, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(dir);
		if (next < 0) {
			errno = e == ENOTDIR ? ELOOP : e;
			return -1;
		}
		dir = next;
		s = slash + 1;
	}
}

/* Open an absolute guest path with host flags: the one place that decides
 * what a guest path means on the host. */
static int hc_host_open(struct hostcall *hc, const char *full, int flags, mode_t mode)
{
	if (hc->rootfd < 0)
		return open(full, flags, mode);
	if (hc->have_openat2) {
		struct hc_open_how how = {
			.flags = (uint64_t)flags,
			.mode = (flags & O_CREAT) ? mode : 0,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		return (int)syscall(SYS_openat2, hc->rootfd, full, &how, sizeof(how));
	}
	return walk_in_root(hc, full, flags, mode);
}

/*
 * Split an absolute guest path into an open parent directory and the last
 * component, for the calls that act on a name rather than a file (mkdir,
 * unlink, rename, lstat, readlink).  A last component of "", "." or ".."
 * has no parent to act in: *base is set to "" and *dirfd is the directory
 * itself.
 */
static int64_t open_parent(struct hostcall *hc, char *full, int *dirfd, char **base)
{
	size_t n = strlen(full);
	while (n > 1 && full[n - 1] == '/')
		full[--n] = 0;
	char *slash = strrchr(full, '/');
	char *last = slash + 1;
	if (!*last || !strcmp(last, ".") || !strcmp(last, "..")) {
		*dirfd = hc_host_open(hc, full, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		*base = "";
	} else {
		char save = *last;
		*last = 0;
		*dirfd = hc_host_open(hc, full, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
		*last = save;
		*base = last;
	}
	return *dirfd < 0 ? hc_lerr(errno) : 0;
}

int64_t hc_op_openat(struct hostcall *hc, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX];
	int64_t err = 0;
	const char *p = hc_gpath(hc, a[1], &err);
	if (!p)
		return err;
	if ((err = compose(hc, (int64_t)a[0], p, full)) < 0)
		return err;
	int flags = hc_host_oflags(a[2]);
	/* A FIFO would block here until a partner opened it, with the whole
	 * machine: hand the kernel its name instead (LSTAR_HC_OPEN_FIFO). */
	int pfd = hc_host_open(hc, full, O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW), 0);
	if (pfd >= 0) {
		struct stat st;
		if (fstat(pfd, &st) == 0 && S_ISFIFO(st.st_mode)) {
			if ((flags & O_CREAT) && (flags & O_EXCL)) {
				close(pfd);
				return -LINUX_EEXIST;
			}
			if (flags & O_DIRECTORY) {
				close(pfd);
				return -LINUX_ENOTDIR;
			}
			normalize(full);
			int64_t h = hc_handle_new(hc, pfd, full);
			return h < 0 ? h : h | LSTAR_HC_OPEN_FIFO;
		}
		close(pfd);
	}
	int fd = hc_host_open(hc, full, flags, (mode_t)a[3]);
	if (fd < 0)
		return hc_lerr(errno);
	normalize(full);
	return hc_handle_new(hc, fd, full);
}

int64_t hc_op_fstatat(struct hostcall *hc, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX];
	int64_t err = 0;
	struct stat st;
	const char *p = hc_gpath(hc, a[1], &err);
	if (!p)
		return err;
	if ((err = compose(hc, (int64_t)a[0], p, full)) < 0)
		return err;
	int fd;
	if (a[3] & LSTAR_HC_AT_SYMLINK_NOFOLLOW) {	/* stat the name */
		char *base;
		if ((err = open_parent(hc, full, &fd, &base)) < 0)
			return err;
		int r = fstatat(fd, base, &st, *base ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
		int e = errno;
		close(fd);
		if (r < 0)
			return hc_lerr(e);
	} else {
		fd = hc_host_open(hc, full, O_PATH | O_CLOEXEC, 0);
		if (fd < 0)
			return hc_lerr(errno);
		int r = fstat(fd, &st);
		int e = errno;
		close(fd);
		if (r < 0)
			return hc_lerr(e);
	}
	return hc_put_stat(hc, &st, a[2]);
}

/* The *at calls that act on a name: resolve the parent, then act. */
int64_t hc_op_name(struct hostcall *hc, unsigned op, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX];
	int64_t err = 0;
	int dfd;
	char *base;
	const char *p = hc_gpath(hc, a[1], &err);
	if (!p)
		return err;
	if ((err = compose(hc, (int64_t)a[0], p, full)) < 0)
		return err;
	if ((err = open_parent(hc, full, &dfd, &base)) < 0)
		return err;
	int r;
	if (!*base) {			/* ".", ".." or "/" as the last component */
		errno = op == LSTAR_HC_MKDIRAT ? EEXIST : op == LSTAR_HC_READLINKAT ? EINVAL : EBUSY;
		r = -1;
	} else if (op == LSTAR_HC_MKDIRAT) {
		r = mkdirat(dfd, base, (mode_t)a[2]);
	} else if (op == LSTAR_HC_UNLINKAT) {
		r = unlinkat(dfd, base, (a[2] & LSTAR_HC_AT_REMOVEDIR) ? AT_REMOVEDIR : 0);
	} else if (op == LSTAR_HC_MKNODAT) {
		/* FIFOs, sockets and regular files only: a device node made
		 * by a guest would give it the host's devices (lstar may run
		 * as root), so that is EPERM, as without CAP_MKNOD. */
		mode_t type = (mode_t)a[2] & S_IFMT;
		if (type != S_IFIFO && type != S_IFSOCK && type != S_IFREG) {
			errno = type == S_IFCHR || type == S_IFBLK ? EPERM : EINVAL;
			r = -1;
		} else {
			r = mknodat(dfd, base, (mode_t)a[2], 0);
		}
	} else {			/* LSTAR_HC_READLINKAT */
		char *buf = hc_gptr_w(hc, a[2], a[3]);
		if (!buf) {
			close(dfd);
			return -LINUX_EFAULT;
		}
		ssize_t n = readlinkat(dfd, base, buf, a[3]);
		r = n < 0 ? -1 : (int)n;
	}
	int e = errno;
	close(dfd);
	return r < 0 ? hc_lerr(e) : r;
}

/*
 * The two names of a rename or a link: (a[0] dir handle, a[1] path) and
 * (a[2], a[3]), each resolved to an open parent directory and a last
 * component inside the guest's view.  On success both parents are open
 * (the caller closes them); on failure nothing is left open.
 */
static int64_t open_two_parents(struct hostcall *hc, const uint64_t *a,
				int *odfd, char **ob, int *ndfd, char **nb,
				char *of, char *nf)
{
	int64_t err = 0;
	const char *op = hc_gpath(hc, a[1], &err);
	if (!op)
		return err;
	if ((err = compose(hc, (int64_t)a[0], op, of)) < 0)
		return err;
	const char *np = hc_gpath(hc, a[3], &err);
	if (!np)
		return err;
	if ((err = compose(hc, (int64_t)a[2], np, nf)) < 0)
		return err;
	if ((err = open_parent(hc, of, odfd, ob)) < 0)
		return err;
	if ((err = open_parent(hc, nf, ndfd, nb)) < 0) {
		close(*odfd);
		return err;
	}
	return 0;
}

int64_t hc_op_renameat(struct hostcall *hc, const uint64_t *a)
{
	char of[LSTAR_HC_PATH_MAX], nf[LSTAR_HC_PATH_MAX];
	int odfd, ndfd;
	char *ob, *nb;
	int64_t err = open_two_parents(hc, a, &odfd, &ob, &ndfd, &nb, of, nf);
	if (err < 0)
		return err;
	int r = (*ob && *nb) ? renameat(odfd, ob, ndfd, nb) : (errno = EBUSY, -1);
	int e = errno;
	close(odfd);
	close(ndfd);
	return r < 0 ? hc_lerr(e) : 0;
}

int64_t hc_op_faccessat(struct hostcall *hc, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX], proc[64];
	int64_t err = 0;
	const char *p = hc_gpath(hc, a[1], &err);
	if (!p)
		return err;
	if ((err = compose(hc, (int64_t)a[0], p, full)) < 0)
		return err;
	int fd = hc_host_open(hc, full, O_PATH | O_CLOEXEC, 0);
	if (fd < 0)
		return hc_lerr(errno);
	/* The O_PATH descriptor pins the confined file; check access through
	 * its /proc link so that nothing is resolved a second time. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	int r = faccessat(AT_FDCWD, proc, (int)a[2], (a[3] & LSTAR_HC_AT_EACCESS) ? AT_EACCESS : 0);
	int e = errno;
	close(fd);
	return r < 0 ? hc_lerr(e) : 0;
}

static int64_t hc_set_cwd(struct hostcall *hc, char *full)
{
	int fd = hc_host_open(hc, full, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return hc_lerr(errno);
	close(fd);
	normalize(full);
	snprintf(hc->cwd, sizeof(hc->cwd), "%s", full);
	return 0;
}

int64_t hc_op_chdir(struct hostcall *hc, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX];
	int64_t err = 0;
	const char *p = hc_gpath(hc, a[0], &err);
	if (!p)
		return err;
	if ((err = compose(hc, LSTAR_HC_DIR_CWD, p, full)) < 0)
		return err;
	return hc_set_cwd(hc, full);
}

int64_t hc_op_fchdir(struct hostcall *hc, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX];
	if (hc_handle_fd(hc, a[0]) < 0)
		return -LINUX_EBADF;
	if (!hc->h[a[0]].path)
		return -LINUX_ENOTDIR;
	snprintf(full, sizeof(full), "%s", hc->h[a[0]].path);
	return hc_set_cwd(hc, full);
}

int64_t hc_op_symlinkat(struct hostcall *hc, const uint64_t *a)
{
	char full[LSTAR_HC_PATH_MAX];
	int64_t err = 0;
	int dfd;
	char *base;
	/* The target is stored verbatim: it is only ever interpreted when a
	 * path through the link is resolved, and that happens confined. */
	const char *target = hc_gpath(hc, a[0], &err);
	if (!target)
		return err;
	const char *p = hc_gpath(hc, a[2], &err);
	if (!p)
		return err;
	if ((err = compose(hc, (int64_t)a[1], p, full)) < 0)
		return err;
	if ((err = open_parent(hc, full, &dfd, &base)) < 0)
		return err;
	int r = *base ? symlinkat(target, dfd, base) : (errno = EEXIST, -1);
	int e = errno;
	close(dfd);
	return r < 0 ? hc_lerr(e) : 0;
}

int64_t hc_op_linkat(struct hostcall *hc, const uint64_t *a)
{
	char of[LSTAR_HC_PATH_MAX], nf[LSTAR_HC_PATH_MAX];
	int odfd, ndfd;
	char *ob, *nb;
	int64_t err = open_two_parents(hc, a, &odfd, &ob, &ndfd, &nb, of, nf);
	if (err < 0)
		return err;
	/* AT_SYMLINK_FOLLOW would resolve the old name's link target outside
	 * our resolution: link the link itself instead. */
	int r = (*ob && *nb) ? linkat(odfd, ob, ndfd, nb, 0) : (errno = EPERM, -1);
	int e = errno;
	close(odfd);
	close(ndfd);
	return r < 0 ? hc_lerr(e) : 0;
}

/* Open what a metadata call acts on: the handle itself (path pa 0), the
 * name without following a final symlink, or the file it resolves to. */
static int64_t open_target(struct hostcall *hc, int64_t dh, uint64_t path_pa,
			   bool nofollow, int *fd)
{
	char full[LSTAR_HC_PATH_MAX];
	int64_t err = 0;
	if (!path_pa) {
		if (hc_handle_fd(hc, (uint64_t)dh) < 0)
			return -LINUX_EBADF;
		*fd = dup(hc->h[dh].fd);
		return *fd < 0 ? hc_lerr(errno) : 0;
	}
	const char *p = hc_gpath(hc, path_pa, &err);
	if (!p)
		return err;
	if ((err = compose(hc, dh, p, full)) < 0)
		return err;
	*fd = hc_host_open(hc, full, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0), 0);
	return *fd < 0 ? hc_lerr(errno) : 0;
}

/* chmod, utimensat, chown through the pinned descriptor's /proc link, so
 * the path is never resolved a second time outside the confinement. */
int64_t hc_op_meta(struct hostcall *hc, unsigned op, const uint64_t *a)
{
	char proc[64];
	int fd, r;
	int64_t err;
	bool nofollow = op == LSTAR_HC_FCHMODAT ? false : (a[op == LSTAR_HC_UTIMENSAT ? 3 : 4] & LSTAR_HC_AT_SYMLINK_NOFOLLOW);
	uint64_t path = op == LSTAR_HC_FCHMOD ? 0 : a[1];
	int64_t dh = (int64_t)a[0];

	if ((err = open_target(hc, dh, path, nofollow, &fd)) < 0)
		return err;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	switch (op) {
	case LSTAR_HC_FCHMODAT:
		r = chmod(proc, (mode_t)a[2]);
		break;
	case LSTAR_HC_FCHMOD:
		r = chmod(proc, (mode_t)a[1]);
		break;
	case LSTAR_HC_UTIMENSAT: {
		const struct timespec *t = NULL;
		if (a[2] && !(t = hc_gptr(hc, a[2], 2 * sizeof(struct timespec)))) {
			close(fd);
			return -LINUX_EFAULT;
		}
		/* On a symlink itself (O_PATH|O_NOFOLLOW) Linux cannot set times
		 * through /proc; report it as the host would for lutimes. */
		r = utimensat(AT_FDCWD, proc, t, 0);
		break;
	}
	default:	/* LSTAR_HC_FCHOWNAT */
		r = fchownat(fd, "", (uid_t)a[2], (gid_t)a[3], AT_EMPTY_PATH);
		break;
	}
	int e = errno;
	close(fd);
	return r < 0 ? hc_lerr(e) : 0;
}


/* statfs/fstatfs: the host's answer for the file the guest names (the
 * host is x86-64 Linux, so struct statfs is already the guest's layout). */
int64_t hc_op_statfs(struct hostcall *hc, const uint64_t *a)
{
	_Static_assert(sizeof(struct statfs) == 120, "x86-64 Linux struct statfs");
	int fd;
	int64_t err;
	struct statfs st;
	void *g = hc_gptr_w(hc, a[2], sizeof(st));
	if (!g)
		return -LINUX_EFAULT;
	if ((err = open_target(hc, (int64_t)a[0], a[1], false, &fd)) < 0)
		return err;
	int r = fstatfs(fd, &st);
	int e = errno;
	close(fd);
	if (r < 0)
		return hc_lerr(e);
	memcpy(g, &st, sizeof(st));
	return 0;
}

/*
 * The host name for an AF_UNIX socket path the guest gave (bind, connect,
 * sendto), written to out (at most 108 bytes with the NUL).  The guest
 * path means what it means for open: relative to the guest's cwd, inside
 * --root.  For a bind the parent directory is opened here and the socket
 * is named through it ("/proc/self/fd/N/name"); for a connect the socket
 * file itself is opened (O_PATH, symlinks resolved inside the root) and
 * named by its descriptor.  The caller closes *tmpfd after the call that
 * used the name.  Without --root a path that fits is used as it is.
 */
int64_t hc_unix_host_path(struct hostcall *hc, const char *gpath, bool bind,
			  char *out, int *tmpfd)
{
	char full[LSTAR_HC_PATH_MAX];
	*tmpfd = -1;
	int64_t r = compose(hc, LSTAR_HC_DIR_CWD, gpath, full);
	if (r < 0)
		return r;
	size_t len = strlen(full);
	if (hc->rootfd < 0 && len < 108) {
		memcpy(out, full, len + 1);
		return 0;
	}
	if (!bind) {
		int fd = hc_host_open(hc, full, O_PATH | O_CLOEXEC, 0);
		if (fd < 0)
			return hc_lerr(errno);
		/* The walk without openat2 opens a final symlink itself
		 * (O_NOFOLLOW): refused as the walk refuses every symlink. */
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
			close(fd);
			return -40;		/* ELOOP */
		}
		*tmpfd = fd;
		snprintf(out, 108, "/proc/self/fd/%d", fd);
		return 0;
	}
	int dirfd;
	char *base;
	r = open_parent(hc, full, &dirfd, &base);
	if (r < 0)
		return r;
	*tmpfd = dirfd;
	if (!*base)
		return -98;			/* EADDRINUSE: a directory is there */
	int n = snprintf(out, 108, "/proc/self/fd/%d/%s", dirfd, base);
	if (n < 0 || n >= 108)
		return -36;			/* ENAMETOOLONG */
	return 0;
}
