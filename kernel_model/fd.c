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

/*
 * readlink of such a path (proc_fd_link): /dev/stdin and friends are
 * links to /proc/self/fd/N; /proc/self/fd/N (and /dev/fd/N, through
 * /dev/fd -> /proc/self/fd) names what the descriptor holds, in Linux's
 * spelling: a file's path, "pipe:[ino]", "socket:[ino]",
 * "anon_inode:[eventpoll]".  The text goes to buf (size PATH_MAX).
 * -ENOENT for a descriptor that is not open; false if the path is none
 * of ours.
 */
bool fd_link_readlink(const char *path, char *buf, long *ret)
{
	int fd = fd_link_number(path);
	if (fd < 0)
		return false;
	if (!strncmp(path, "/dev/std", 8)) {
		*ret = snprintf(buf, PATH_MAX, "/proc/self/fd/%d", fd);
		return true;
	}
	struct file *f = fget(fd);
	if (!f) {
		*ret = -ENOENT;
		return true;
	}
	struct stat st = { 0 };
	switch (f->type) {
	case FT_HOST:
		*ret = hostcall(LSTAR_HC_FD_PATH, f->handle, hc_pa(buf), PATH_MAX - 1, 0, 0, 0);
		break;
	case FT_PIPE:
		pipe_stat(f, &st);
		*ret = snprintf(buf, PATH_MAX, "pipe:[%lu]", st.st_ino);
		break;
	case FT_CHR:
		*ret = snprintf(buf, PATH_MAX, "%s", mem_name(f));
		break;
	case FT_EPOLL:
		*ret = snprintf(buf, PATH_MAX, "anon_inode:[eventpoll]");
		break;
	case FT_EVENTFD:
		*ret = snprintf(buf, PATH_MAX, "anon_inode:[eventfd]");
		break;
	default:	/* sockets, /proc files */
		*ret = f->type == FT_SOCK
			? snprintf(buf, PATH_MAX, "socket:[%d]", f->handle)
			: f->proc_dir ? snprintf(buf, PATH_MAX, "/proc/%d/fd", THE_PID)
			: snprintf(buf, PATH_MAX, "/proc/%d", THE_PID);
		break;
	}
	return true;
}

/* getdents64 of /proc/self/fd (proc.c): one linux_dirent64 per open
 * descriptor after "." and "..", written to buf (at most size bytes);
 * returns the bytes used. */
u64 fd_dir_entries(char *buf, u64 size)
{
	u64 len = 0;
	for (int fd = -2; fd < NR_OPEN_DEFAULT; fd++) {
		if (fd >= 0 && !current->files->fd[fd])
			continue;
		char name[16];
		int n = fd == -2 ? snprintf(name, sizeof(name), ".")
		      : fd == -1 ? snprintf(name, sizeof(name), "..")
		      : snprintf(name, sizeof(name), "%d", fd);
		u64 reclen = (19 + n + 1 + 7) & ~7UL;	/* d_ino, d_off, d_reclen, d_type, name */
		if (len + reclen > size)
			break;
		char *r = buf + len;
		memset(r, 0, reclen);
		*(u64 *)r = fd < 0 ? 1 : 1000 + fd;		/* d_ino */
		*(u64 *)(r + 8) = len + reclen;			/* d_off: the next record */
		*(u16 *)(r + 16) = reclen;
		r[18] = fd < 0 ? 4 : 10;			/* DT_DIR, DT_LNK */
		memcpy(r + 19, name, n);
		len += reclen;
	}
	return len;
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
