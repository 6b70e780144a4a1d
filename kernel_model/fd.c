/*
 * fd.c - /dev/fd/N, /dev/stdin, /dev/stdout, /dev/stderr and
 * /proc/self/fd/N (mirrors fs/proc/fd.c: proc_fd_link and the open of a
 * magic link).
 *
 * On Linux these names are links to whatever the descriptor holds, and an
 * open of one opens that file again: a new open file with its own offset
 * and the access mode asked for (a pipe gets one more reader or writer).
 * The host's /dev/fd would name lstar's own descriptors, not the guest's,
 * so the kernel answers these names itself, before the device sees them.
 */
#include "sched.h"
#include "fs.h"
#include "signal.h"

/* The descriptor a path names, or -1 if it is not one of ours. */
int fd_link_number(const char *path)
{
	static const char *const prefix[] = { "/dev/fd/", "/proc/self/fd/",
					      "/proc/thread-self/fd/" };
	static const char *const std[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	char own[32];
	const char *p = NULL;

	for (int i = 0; i < 3; i++)
		if (!strcmp(path, std[i]))
			return i;
	for (unsigned i = 0; i < ARRAY_SIZE(prefix) && !p; i++)
		if (!strncmp(path, prefix[i], strlen(prefix[i])))
			p = path + strlen(prefix[i]);
	if (!p) {	/* /proc/<our pid>/fd/N */
		int n = snprintf(own, sizeof(own), "/proc/%d/fd/", THE_PID);
		if (strncmp(path, own, n))
			return -1;
		p = path + n;
	}
	long fd = 0;
	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || fd > NR_OPEN_DEFAULT)
			return -1;
		fd = fd * 10 + (*p - '0');
	}
	return fd;
}

static long reopen(struct file *f, int flags)
{
	/* The name is a link: not to be followed, as Linux says. */
	if ((flags & O_NOFOLLOW) && !(flags & O_PATH))
		return -ELOOP;
	if (f->type == FT_PIPE)
		return pipe_reopen(f, flags);
	if (f->type == FT_SOCK)
		return -ENXIO;		/* a socket cannot be opened */
	if (f->type == FT_CHR)
		return mem_reopen(f, flags);
	if (f->type == FT_PROC) {
		/* The text was made at open time and its buffer belongs to
		 * the first open: the new descriptor shares that file. */
		int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
		if (fd >= 0)
			f->f_count++;
		return fd;
	}
	/* A host file: the device opens the same file again. */
	long h = hostcall(LSTAR_HC_REOPEN, f->handle, flags, 0, 0, 0, 0);
	if (h < 0)
		return h;
	struct file *nf = alloc_file(FT_HOST, flags & ~(O_CREAT | O_EXCL | O_TRUNC |
							O_NOCTTY | O_CLOEXEC));
	if (!nf) {
		hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		return -ENFILE;
	}
	nf->handle = h;
	int fd = fd_install_lowest(nf, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(nf);
	return fd;
}

bool fd_link_open(const char *path, int flags, long *ret)
{
	int n = fd_link_number(path);
	if (n < 0)
		return false;
	struct file *f = fget(n);
	*ret = f ? reopen(f, flags) : -ENOENT;	/* Linux: no such entry in fd/ */
	return true;
}
