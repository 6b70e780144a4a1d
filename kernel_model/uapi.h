/*
 * uapi.h - the Linux x86-64 user ABI numbers this kernel speaks
 * (include/uapi/asm-generic/errno-base.h, fcntl.h, mman-common.h,
 * arch/x86/include/uapi/asm/stat.h, include/uapi/linux/auxvec.h, ...).
 * The values are the real ones: guests are ordinary Linux binaries.
 */
#ifndef KM_UAPI_H
#define KM_UAPI_H

#include <stdint.h>

#define EPERM 1
#define ENOENT 2
#define E2BIG 7
#define ENOEXEC 8
#define ESRCH 3
#define ENXIO 6
#define EINTR 4
/* Kernel-internal: the call is restarted or fails with EINTR (never seen by user space). */
#define ERESTARTSYS 512
#define ERESTARTNOHAND 514
#define EIO 5
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define ERANGE 34
#define ENOLCK 37
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define ENODATA 61
#define EOVERFLOW 75
#define ELIBBAD 80
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define X_OK 1		/* access(2) */
#define ENOIOCTLCMD 515	/* kernel-internal: "not my ioctl", never seen by user space */

#define O_ACCMODE	00000003
#define O_RDONLY	00000000
#define O_WRONLY	00000001
#define O_RDWR		00000002
#define O_CREAT		00000100
#define O_EXCL		00000200
#define O_NOCTTY	00000400
#define O_TRUNC		00001000
#define O_APPEND	00002000
#define O_NONBLOCK	00004000
#define O_DIRECTORY	00200000
#define O_NOFOLLOW	00400000
#define O_CLOEXEC	02000000
#define O_PATH		010000000

#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_REMOVEDIR		0x200
#define AT_EACCESS		0x200
#define AT_EMPTY_PATH		0x1000

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_GETLK		5
#define F_SETLK		6
#define F_SETLKW	7
#define F_OFD_GETLK	36
#define F_OFD_SETLK	37
#define F_OFD_SETLKW	38
#define F_DUPFD_CLOEXEC	1030
#define FD_CLOEXEC	1

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_GROWSDOWN	0x0100
#define MAP_DENYWRITE	0x0800
#define MAP_NORESERVE	0x4000
#define MAP_POPULATE	0x8000
#define MAP_STACK	0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_FAILED_ERR	(-1)
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#define MREMAP_DONTUNMAP	4
#define MADV_DONTNEED	4
#define MS_ASYNC	1
#define MS_INVALIDATE	2
#define MS_SYNC		4

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define _NSIG 64
#define SIG_DFL 0UL
#define SIG_IGN 1UL

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_HWCAP2	26
#define AT_EXECFN	31
#define AT_MINSIGSTKSZ	51
#define AT_SYSINFO_EHDR	33

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TCSBRK		0x5409
#define TCXONC		0x540A
#define TCFLSH		0x540B
#define TIOCSCTTY	0x540E
#define TIOCGPGRP	0x540F
#define TIOCSPGRP	0x5410
#define TIOCOUTQ	0x5411
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define FIONREAD	0x541B
#define FIONBIO		0x5421
#define TIOCNOTTY	0x5422
#define TIOCGSID	0x5429
#define TCGETS2		0x802C542A	/* _IOR('T', 0x2A, struct termios2) */
#define TCSETS2		0x402C542B
#define TCSETSW2	0x402C542C
#define TCSETSF2	0x402C542D
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451

/* The kernel's terminal settings, what TCGETS/TCSETS copy (asm-generic
 * termbits.h): 36 bytes.  A C library's struct termios is bigger (glibc:
 * 60 bytes) and is translated by tcgetattr/tcsetattr in user space.
 * termios2 (TCGETS2) adds the two speeds: 44 bytes. */
#define NCCS_KERNEL	19
struct termios_k {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS_KERNEL];
};
struct termios2_k {
	struct termios_k t;
	uint32_t c_ispeed, c_ospeed;
};

#define POLLIN		0x0001
#define POLLOUT		0x0004
#define POLLERR		0x0008
#define POLLHUP		0x0010
#define POLLNVAL	0x0020

#define CLOCK_REALTIME	0
#define CLOCK_MONOTONIC	1

#define S_IFMT   0170000
#define S_IFIFO  0010000
#define S_IFCHR  0020000
#define S_IFDIR  0040000
#define S_IFBLK  0060000
#define S_IFREG  0100000
#define S_IFLNK  0120000
#define S_IFSOCK 0140000

/* struct stat as x86-64 Linux lays it out (arch/x86/include/uapi/asm/stat.h). */
struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	uint64_t st_atime, st_atime_nsec;
	uint64_t st_mtime, st_mtime_nsec;
	uint64_t st_ctime, st_ctime_nsec;
	int64_t __unused[3];
};

struct statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t __reserved; };
struct statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, __spare0;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t __spare2[14];
};
#define STATX_BASIC_STATS 0x7ffU

struct timespec { int64_t tv_sec; int64_t tv_nsec; };
struct timeval { int64_t tv_sec; int64_t tv_usec; };
struct iovec { uint64_t iov_base; uint64_t iov_len; };
struct pollfd { int32_t fd; int16_t events; int16_t revents; };
struct rlimit { uint64_t rlim_cur, rlim_max; };
#define RLIM_INFINITY (~0UL)
#define RLIMIT_STACK 3
#define RLIMIT_MEMLOCK 8
#define RLIMIT_NOFILE 7
#define RLIM_NLIMITS 16

struct new_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
	     domainname[65];
};

struct sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char _f[4];
};

#endif
