/*
 * locks.c - advisory file locks: fcntl's POSIX record locks and open file
 * description (OFD) locks, and flock (mirrors fs/locks.c).
 *
 * A lock covers a byte range [start, end] of a file, found by its device
 * and inode number so that two opens of one file see each other's locks.
 * Its owner decides what conflicts: a process (the thread group) for
 * POSIX locks, the open file itself for OFD and flock locks.  Two locks
 * conflict when their ranges overlap, their owners differ and one of them
 * is a write lock; flock locks live apart, whole-file only.
 *
 * The guest's processes all run inside one host process, so the host's
 * own locks could not tell them apart: the table is the kernel's.  (The
 * host file is not locked for programs outside lstar.)
 *
 * Like Linux: a process's locks on a file go when it closes any
 * descriptor of that file (the POSIX rule people trip over), an OFD or
 * flock lock when the last descriptor of its open file goes; a new lock
 * replaces the owner's own over its range, and the owner's adjacent or
 * overlapping locks of one type merge.  F_SETLKW and flock without
 * LOCK_NB sleep until the conflict is gone or a signal comes.
 */
#include "sched.h"
#include "fs.h"

#define MAX_LOCKS	1024
#define OFFSET_MAX	0x7fffffffffffffffLL

/* fcntl commands and struct flock (include/uapi/asm-generic/fcntl.h) */
#define F_RDLCK		0
#define F_WRLCK		1
#define F_UNLCK		2

struct flock {
	short l_type;
	short l_whence;
	long l_start;
	long l_len;
	int l_pid;
};

enum lock_kind { LK_POSIX = 1, LK_OFD, LK_FLOCK };

struct file_lock {
	enum lock_kind kind;		/* 0: a free slot */
	int type;			/* F_RDLCK or F_WRLCK */
	u64 dev, ino;			/* the file */
	long start, end;		/* inclusive; end OFFSET_MAX: to the end, however far */
	const void *owner;		/* POSIX: the signal_struct; OFD, flock: the struct file */
	int pid;			/* POSIX: the process, for F_GETLK */
};

static struct file_lock file_locks[MAX_LOCKS];
static int nr_locks;
static DECLARE_WAIT_QUEUE_HEAD(file_lock_wait);

/* A file's identity: the host's device and inode; a kernel object (a
 * pipe, /dev/null) has none of its own here, the open file stands for it. */
static long lock_ident(struct file *f, u64 *dev, u64 *ino)
{
	if (f->type == FT_HOST) {
		long err = file_identity(f);
		if (err)
			return err;
		*dev = f->f_dev;
		*ino = f->f_ino;
	} else {
		*dev = ~0UL;
		*ino = (u64)f;
	}
	return 0;
}

static bool same_space(enum lock_kind a, enum lock_kind b)
{
	return (a == LK_FLOCK) == (b == LK_FLOCK);
}

static bool conflicts(const struct file_lock *held, const struct file_lock *want)
{
	return held->kind && same_space(held->kind, want->kind) &&
	       held->dev == want->dev && held->ino == want->ino &&
	       held->owner != want->owner &&
	       (held->type == F_WRLCK || want->type == F_WRLCK) &&
	       held->start <= want->end && want->start <= held->end;
}

static struct file_lock *find_conflict(const struct file_lock *want)
{
	for (int i = 0; i < MAX_LOCKS; i++)
		if (conflicts(&file_locks[i], want))
			return &file_locks[i];
	return NULL;
}

static struct file_lock *new_slot(void)
{
	for (int i = 0; i < MAX_LOCKS; i++)
		if (!file_locks[i].kind) {
			nr_locks++;
			return &file_locks[i];
		}
	return NULL;
}

static void free_slot(struct file_lock *l)
{
	l->kind = 0;
	nr_locks--;
}

static bool mine(const struct file_lock *l, const struct file_lock *req)
{
	return l->kind && same_space(l->kind, req->kind) && l->owner == req->owner &&
	       l->dev == req->dev && l->ino == req->ino;
}

/* Room for the worst case of apply(): one lock split in two, plus the new. */
static bool room_for(int n)
{
	return nr_locks + n <= MAX_LOCKS;
}

/*
 * The owner's locks over [start, end] make way for req (which may be an
 * unlock): cut out of them, split where req lies inside one; then req is
 * added and merged with the owner's locks of its type that touch it.
 */
static long apply(struct file_lock req)
{
	if (!room_for(2))
		return -ENOLCK;
	for (int i = 0; i < MAX_LOCKS; i++) {
		struct file_lock *l = &file_locks[i];
		if (!mine(l, &req) || l->end < req.start || req.end < l->start)
			continue;
		if (l->start < req.start && l->end > req.end) {
			struct file_lock *tail = new_slot();
			*tail = *l;
			tail->start = req.end + 1;
			l->end = req.start - 1;
		} else if (l->start < req.start) {
			l->end = req.start - 1;
		} else if (l->end > req.end) {
			l->start = req.end + 1;
		} else {
			free_slot(l);
		}
	}
	if (req.type != F_UNLCK) {
		/* merge with the owner's touching locks of the same type */
		for (int i = 0; i < MAX_LOCKS; i++) {
			struct file_lock *l = &file_locks[i];
			if (!mine(l, &req) || l->type != req.type)
				continue;
			bool touches = (req.start == 0 || l->end >= req.start - 1) &&
				       (req.end == OFFSET_MAX || l->start <= req.end + 1);
			if (!touches)
				continue;
			req.start = MIN(req.start, l->start);
			req.end = MAX(req.end, l->end);
			free_slot(l);
		}
		*new_slot() = req;
	}
	wake_up(&file_lock_wait);	/* something may have been released */
	return 0;
}

/* Place req, waiting for conflicts to go when asked to. */
static long lock_file(const struct file_lock *req, bool wait)
{
	for (;;) {
		if (req->type == F_UNLCK || !find_conflict(req))
			return apply(*req);
		if (!wait)
			return -EAGAIN;
		if (sleep_on_wq(&file_lock_wait, "fcntl_lock", 0, true))
			return -ERESTARTSYS;
	}
}

/* struct flock -> a lock request on f (flock_to_posix_lock). */
static long flock_to_lock(struct file *f, const struct flock *fl, struct file_lock *req)
{
	long base;
	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
	case SEEK_END:
		if (f->type != FT_HOST)
			return -EINVAL;
		if (fl->l_whence == SEEK_CUR) {
			base = hostcall(LSTAR_HC_LSEEK, f->handle, 0, SEEK_CUR, 0, 0, 0);
		} else {
			static struct stat kst;
			base = hostcall(LSTAR_HC_FSTAT, f->handle, hc_pa(&kst), 0, 0, 0, 0);
			if (base == 0)
				base = kst.st_size;
		}
		if (base < 0)
			return base;
		break;
	default:
		return -EINVAL;
	}
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	long start = base + fl->l_start, end;
	if (__builtin_add_overflow(base, fl->l_start, &start))
		return -EOVERFLOW;
	if (fl->l_len > 0) {
		if (__builtin_add_overflow(start, fl->l_len - 1, &end))
			return -EOVERFLOW;
	} else if (fl->l_len < 0) {
		end = start - 1;
		start += fl->l_len;
	} else {
		end = OFFSET_MAX;
	}
	if (start < 0)
		return -EINVAL;
	req->type = fl->l_type;
	req->start = start;
	req->end = end;
	return lock_ident(f, &req->dev, &req->ino);
}

long fcntl_getlk(struct file *f, unsigned int cmd, struct flock __user *arg)
{
	struct flock fl;
	struct file_lock req = { .kind = cmd == F_OFD_GETLK ? LK_OFD : LK_POSIX };
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (cmd == F_OFD_GETLK && fl.l_pid != 0)
		return -EINVAL;
	long err = flock_to_lock(f, &fl, &req);
	if (err)
		return err;
	if (req.type == F_UNLCK)
		return -EINVAL;
	req.owner = req.kind == LK_OFD ? (const void *)f : (const void *)current->signal;
	const struct file_lock *l = find_conflict(&req);
	if (!l) {
		fl.l_type = F_UNLCK;
	} else {
		fl.l_type = l->type;
		fl.l_whence = SEEK_SET;
		fl.l_start = l->start;
		fl.l_len = l->end == OFFSET_MAX ? 0 : l->end - l->start + 1;
		fl.l_pid = l->kind == LK_POSIX ? l->pid : -1;
	}
	return copy_to_user(arg, &fl, sizeof(fl)) ? -EFAULT : 0;
}

long fcntl_setlk(struct file *f, unsigned int cmd, struct flock __user *arg)
{
	struct flock fl;
	bool ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct file_lock req = { .kind = ofd ? LK_OFD : LK_POSIX };
	if (copy_from_user(&fl, arg, sizeof(fl)))
		return -EFAULT;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	long err = flock_to_lock(f, &fl, &req);
	if (err)
		return err;
	/* A read lock needs the file open for reading, a write lock for
	 * writing. */
	unsigned int acc = f->f_flags & O_ACCMODE;
	if ((req.type == F_RDLCK && acc == O_WRONLY) || (req.type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	req.owner = ofd ? (const void *)f : (const void *)current->signal;
	req.pid = current->tgid;
	/* Interrupted, F_SETLKW restarts with SA_RESTART (signal(7)). */
	return lock_file(&req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* flock (fs/locks.c): whole-file locks of the open file. */
#define LOCK_SH	1
#define LOCK_EX	2
#define LOCK_NB	4
#define LOCK_UN	8
#define LOCK_MAND 32	/* Samba's old mandatory flock: accepted, ignored */

SYSCALL_DEFINE2(flock, unsigned int, fd, unsigned int, cmd)
{
	struct file *f = fget((int)fd);
	if (!f)
		return -EBADF;
	if (cmd & LOCK_MAND)
		return 0;	/* as Linux since 5.15 (it warns once) */
	unsigned op = cmd & ~LOCK_NB;
	struct file_lock req = { .kind = LK_FLOCK, .start = 0, .end = OFFSET_MAX,
				 .owner = f, .pid = current->tgid };
	if (op == LOCK_SH)
		req.type = F_RDLCK;
	else if (op == LOCK_EX)
		req.type = F_WRLCK;
	else if (op == LOCK_UN)
		req.type = F_UNLCK;
	else
		return -EINVAL;
	long err = lock_ident(f, &req.dev, &req.ino);
	if (err)
		return err;
	return lock_file(&req, !(cmd & LOCK_NB));	/* -EAGAIN is EWOULDBLOCK */
}

/* A descriptor of f is being closed by the current process: its POSIX
 * locks on the file go (locks_remove_posix); with the last descriptor,
 * the open file's OFD and flock locks too (locks_remove_file). */
void locks_remove_file(struct file *f, bool last)
{
	if (!nr_locks)
		return;
	u64 dev, ino;
	if (lock_ident(f, &dev, &ino))
		return;
	bool freed = false;
	for (int i = 0; i < MAX_LOCKS; i++) {
		struct file_lock *l = &file_locks[i];
		if (!l->kind || l->dev != dev || l->ino != ino)
			continue;
		if ((l->kind == LK_POSIX && current->signal && l->owner == current->signal) ||
		    (last && l->owner == f)) {
			free_slot(l);
			freed = true;
		}
	}
	if (freed)
		wake_up(&file_lock_wait);
}
