/*
 * fs.h - open files (a digest of include/linux/fs.h and fdtable.h).
 *
 * There is no VFS here: a file is either a handle on a host file held by
 * the host-call device, or one end of an in-kernel pipe.  The descriptor
 * table maps small integers to shared, reference-counted struct files, so
 * dup() and friends behave as on Linux (shared offset and status flags).
 */
#ifndef KM_FS_H
#define KM_FS_H

#include "kernel.h"

#define NR_OPEN_DEFAULT	256
#define PATH_MAX	4096

enum file_type { FT_HOST = 1, FT_PIPE, FT_PROC, FT_CHR, FT_EPOLL, FT_EVENTFD, FT_SOCK };

struct pipe_inode_info;

struct file {
	int f_count;			/* references from descriptors; 0 = free */
	enum file_type type;
	int handle;			/* FT_HOST, FT_SOCK: the device's handle; FT_CHR: minor */
	unsigned int f_flags;		/* O_ACCMODE, O_APPEND, O_NONBLOCK... */
	struct pipe_inode_info *pipe;	/* FT_PIPE */
	bool pipe_writer;		/* which end */
	bool pipe_rdwr;			/* both (a FIFO opened O_RDWR) */
	char *proc_buf;			/* FT_PROC: the text, made at open; or NULL: */
	u64 proc_base;			/*   the user memory [base, base + len) */
	u64 proc_len, proc_pos;
	void *private_data;		/* FT_EPOLL, FT_EVENTFD, FT_SOCK: their state */
	bool host_stream;		/* FT_HOST: lstar's stdin or terminal, reads may wait */
	bool proc_dir;			/* FT_PROC: the directory /proc/self/fd */
	/* FT_HOST: the file's identity, asked once (filemap.c finds the
	 * page cache entry of the file with it) */
	bool f_ident, f_regular;
	u64 f_dev, f_ino;
};

/* file.c */
void files_init(void);
struct file *fget(int fd);
struct file *alloc_file(enum file_type type, unsigned int flags);
void fput(struct file *f);
int fd_install_lowest(struct file *f, int from, bool cloexec);
void close_on_exec_files(void);
long setfl(struct file *f, unsigned long flags);	/* F_SETFL */
void set_close_on_exec(int fd, bool on);		/* F_SETFD, FIOCLEX */
long file_identity(struct file *f);	/* FT_HOST: fill f_dev, f_ino (0 or -errno) */

/* locks.c: fcntl record locks (POSIX and OFD) and flock */
struct flock;
long fcntl_getlk(struct file *f, unsigned int cmd, struct flock __user *arg);
long fcntl_setlk(struct file *f, unsigned int cmd, struct flock __user *arg);
void locks_remove_file(struct file *f, bool last);	/* a descriptor of f closes */
long close_fd(int fd);					/* close(2) */

/* eventpoll.c, eventfd.c */
void ep_release(struct file *f);
void eventpoll_release(struct file *f);	/* f leaves every interest list */
void eventfd_release(struct file *f);
int eventfd_poll(struct file *f);
long eventfd_read(struct file *f, char __user *buf, u64 n);
long eventfd_write(struct file *f, const char __user *buf, u64 n);
/* select.c: poll k[0..n) once (host files waiting up to host_ms); the
 * host wait allowed before a deadline when nothing else can run */
struct pollfd;
long vfs_poll_fds(struct pollfd *k, unsigned int n, long host_ms, bool *has_host);
long poll_host_wait_ms(u64 deadline);

/* socket.c: a socket file's operations */
struct iovec;
void sock_release(struct file *f);
long sock_read(struct file *f, char __user *buf, u64 n);
long sock_write(struct file *f, const char __user *buf, u64 n);
long sock_rw_iter(struct file *f, const struct iovec __user *iov, u64 nr, bool write);
long sock_fionread(struct file *f);
long sock_sendfile(struct file *out, struct file *in, long *pos, u64 count);

/* read_write.c */
long kernel_pread(struct file *f, void *kbuf, u64 n, u64 off);

/* pipe.c */
long pipe_read(struct file *f, char __user *buf, u64 n);
long pipe_write(struct file *f, const char __user *buf, u64 n);
void pipe_release(struct file *f);
int pipe_poll(struct file *f);
long pipe_reopen(struct file *f, int flags);	/* /dev/fd/N of a pipe end */
long fifo_open(long handle, int flags);		/* LSTAR_HC_OPEN_FIFO: a named pipe */
void pipe_stat(struct file *f, struct stat *st);	/* its device and inode */
int pipe_unread(struct file *f);		/* FIONREAD: bytes waiting */

/* fd.c: /dev/fd/N, /dev/std{in,out,err}, /proc/self/fd/N open the
 * descriptor's file again.  False if the path is none of these; else the
 * result (a descriptor or -errno) is in *ret. */
bool fd_link_open(const char *path, int flags, long *ret);
int fd_link_number(const char *path);	/* the descriptor such a path names, or -1 */
bool fd_link_readlink(const char *path, char *buf, long *ret);	/* readlink of one */
u64 fd_dir_entries(char *buf, u64 size);	/* /proc/self/fd's linux_dirent64 records */
long fd_link_access(int fd, int mode);	/* stat.c: access() of such a path */

/* tty_io.c: /dev/tty, the controlling terminal (-ENOENT if not the path),
 * and the terminal ioctls (-ENOIOCTLCMD for any other command) */
long tty_open(const char *path, int flags);
long tty_ioctl(struct file *f, unsigned int cmd, unsigned long arg);
/* The controlling terminal's device number (Linux's encoding) and its
 * foreground process group, 0 and -1 without one (/proc/self/stat). */
void tty_stat(unsigned int *tty_nr, int *tpgid);

/* proc.c */
long proc_open(const char *path, int flags);	/* -ENOENT if not ours */
/* A /proc file's text is made at open time into a buffer of this size. */
struct seq_file { char *buf; u64 size, len; };
void seq_printf(struct seq_file *m, const char *fmt, ...);
/* array.c: /proc/<pid>/status, stat, statm; cpuinfo.c: /proc/cpuinfo */
void proc_pid_status(struct seq_file *m);
void proc_pid_stat(struct seq_file *m);
void proc_pid_statm(struct seq_file *m);
void show_cpuinfo(struct seq_file *m);
long proc_read(struct file *f, char __user *buf, u64 n);
void proc_release(struct file *f);

/* mem.c: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom */
long mem_open(const char *path, int flags);	/* -ENOENT if not ours */
long mem_reopen(struct file *f, int flags);	/* a new open of f's device */
long mem_read(struct file *f, char __user *buf, u64 n);
long mem_write(struct file *f, const char __user *buf, u64 n);
void mem_stat(struct file *f, struct stat *st);
const char *mem_name(struct file *f);		/* its path, "/dev/null"... */
long read_random(char __user *buf, u64 n);	/* also getrandom(2) */

/* hostcall helpers (hostcall.c): paths go to the device through hc_path. */
extern char hc_path[2][PATH_MAX];
long getname(int slot, const char __user *upath);	/* copy into hc_path[slot] */
long dir_handle(int dirfd, int slot);	/* the device handle to resolve hc_path[slot] from */
u64 hc_pa(const void *kernel_ptr);	/* physical address of kernel .bss data */

#endif
