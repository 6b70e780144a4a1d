/*
 * lstar/hostcall.h - the host-call device (I/O ports 0x510-0x51F): how a
 * kernel running inside lstar reaches host files, the standard streams, the
 * clock and a few emulator services.  This header is the device's ABI and
 * its single definition: the emulator (emu/hostcall/) implements it, a guest
 * kernel (kernel_model/, or yours) includes it.  It needs only <stdint.h>,
 * and compiles as C (C99 and later) and C++; docs/platform.md describes the
 * protocol in prose.
 *
 * Protocol.  The kernel fills a `struct lstar_hc_req` in guest RAM, writes
 * the high 32 bits of its physical address to LSTAR_HC_PORT_ADDR_HI and then
 * the low 32 bits to LSTAR_HC_PORT_ADDR_LO; the second OUT performs the call
 * synchronously (the OUT instruction completes after the host did the work).
 * The result is in `ret`: >= 0 on success, -errno (Linux numbering) on
 * failure.  Buffers are passed as guest *physical* address + length and must
 * lie in RAM; the device refuses (-EFAULT) anything else and never touches
 * host memory outside guest RAM.  Host file descriptors stay in the device:
 * the kernel sees small "handles" (0, 1, 2 are the host's standard streams).
 * Paths are NUL-terminated strings of at most LSTAR_HC_PATH_MAX bytes.
 *
 * Every name here starts with LSTAR_HC_ (macros, enumerators) or lstar_hc_
 * (types), so the header can sit next to a kernel's own definitions.
 */
#ifndef LSTAR_HOSTCALL_H
#define LSTAR_HOSTCALL_H

#include <stdint.h>

/* ---- ports and identification ---- */
#define LSTAR_HC_PORT_ADDR_LO	0x510	/* OUT32: low half of the request address; performs the call */
#define LSTAR_HC_PORT_ADDR_HI	0x514	/* OUT32: high half of the request address (latched) */
#define LSTAR_HC_PORT_ID	0x518	/* IN32: LSTAR_HC_ID when the device is present */
#define LSTAR_HC_PORT_STATUS	0x51C	/* IN32: LSTAR_HC_STATUS_* about the last request */

#define LSTAR_HC_ID		0x4348534C	/* "LSHC" */
#define LSTAR_HC_STATUS_OK	0	/* the last request block was in RAM and `ret` was written */
#define LSTAR_HC_STATUS_BAD	1	/* it was not: nothing was done, nothing written */

/* ---- limits and sizes ---- */
#define LSTAR_HC_PATH_MAX	4096	/* longest path, NUL included */
#define LSTAR_HC_MAX_HANDLES	256	/* open handles per machine */
#define LSTAR_HC_DIR_CWD	(-100)	/* "dir handle" meaning the current directory (AT_FDCWD) */
#define LSTAR_HC_REQ_SIZE	64	/* sizeof(struct lstar_hc_req) */
#define LSTAR_HC_TERMIOS_SIZE	36	/* the kernel's struct termios (kind 0) */
#define LSTAR_HC_TERMIOS2_SIZE	44	/* struct termios2 (kind 1) */
#define LSTAR_HC_WINSIZE_SIZE	8	/* struct winsize */
#define LSTAR_HC_STAT_SIZE	144	/* struct stat, x86-64 Linux layout */
#define LSTAR_HC_STATFS_SIZE	120	/* struct statfs, x86-64 Linux layout */
#define LSTAR_HC_COMM_SIZE	16	/* task name for LSTAR_HC_TASK, NUL included */
#define LSTAR_HC_DISASM_MAX	15	/* longest instruction LSTAR_HC_DISASM takes */

/* The request block: 8-byte aligned, in RAM. */
struct lstar_hc_req {
	uint32_t op;		/* enum lstar_hc_op */
	uint32_t pad;		/* 0 */
	int64_t ret;		/* result, written by the device: >= 0, or -errno */
	uint64_t a[6];		/* arguments, per op */
};

/* ---- calls ----
 * Arguments in a[0], a[1], ... in the order given; "pa" is a guest physical
 * address, "dh" a handle on a directory or LSTAR_HC_DIR_CWD.  Numbers are
 * fixed: new calls are only ever added before LSTAR_HC_NR_OPS. */
enum lstar_hc_op {
	LSTAR_HC_NOP = 0,	/* -> 0 */
	LSTAR_HC_OPENAT = 1,	/* dh, path pa, flags (Linux O_*), mode -> handle */
	LSTAR_HC_CLOSE = 2,	/* handle -> 0 */
	LSTAR_HC_READ = 3,	/* handle, buf pa, len -> bytes */
	LSTAR_HC_WRITE = 4,	/* handle, buf pa, len -> bytes */
	LSTAR_HC_PREAD = 5,	/* handle, buf pa, len, offset -> bytes */
	LSTAR_HC_PWRITE = 6,	/* handle, buf pa, len, offset -> bytes */
	LSTAR_HC_LSEEK = 7,	/* handle, offset, whence -> new offset */
	LSTAR_HC_FSTAT = 8,	/* handle, struct stat pa -> 0 */
	LSTAR_HC_FSTATAT = 9,	/* dh, path pa, struct stat pa, flags (LSTAR_HC_AT_SYMLINK_NOFOLLOW) -> 0 */
	LSTAR_HC_GETDENTS64 = 10,	/* handle, buf pa, len -> bytes of linux_dirent64 records */
	LSTAR_HC_READLINKAT = 11,	/* dh, path pa, buf pa, len -> bytes (no NUL) */
	LSTAR_HC_GETCWD = 12,	/* buf pa, len -> length including the NUL */
	LSTAR_HC_CHDIR = 13,	/* path pa -> 0 */
	LSTAR_HC_MKDIRAT = 14,	/* dh, path pa, mode -> 0 */
	LSTAR_HC_UNLINKAT = 15,	/* dh, path pa, flags (LSTAR_HC_AT_REMOVEDIR) -> 0 */
	LSTAR_HC_RENAMEAT = 16,	/* old dh, old path pa, new dh, new path pa -> 0 */
	LSTAR_HC_FACCESSAT = 17,	/* dh, path pa, mode, flags (LSTAR_HC_AT_EACCESS) -> 0 */
	LSTAR_HC_TCGETS = 18,	/* handle, termios pa, kind (LSTAR_HC_TERMIOS_*) -> 0 or -ENOTTY */
	LSTAR_HC_WINSIZE = 19,	/* handle, struct winsize pa, LSTAR_HC_WINSIZE_GET/SET -> 0 or -ENOTTY */
	LSTAR_HC_CLOCK = 20,	/* clockid, struct timespec pa -> 0 */
	LSTAR_HC_NANOSLEEP = 21,	/* nanoseconds -> 0 */
	LSTAR_HC_RANDOM = 22,	/* buf pa, len -> bytes */
	LSTAR_HC_POLL = 23,	/* struct lstar_hc_pollfd array pa, count, timeout ms -> ready count */
	LSTAR_HC_FTRUNCATE = 24,	/* handle, length -> 0 */
	LSTAR_HC_FCHDIR = 25,	/* handle -> 0 */
	LSTAR_HC_STATS = 26,	/* nr, count: the kernel reports an unimplemented syscall count -> 0 */
	LSTAR_HC_SYMLINKAT = 27,	/* target pa, dh, path pa -> 0 */
	LSTAR_HC_LINKAT = 28,	/* old dh, old path pa, new dh, new path pa, flags -> 0; a
				   symlink is always linked itself (the device ignores
				   LSTAR_HC_AT_SYMLINK_FOLLOW: following it could leave --root) */
	LSTAR_HC_FCHMODAT = 29,	/* dh, path pa, mode -> 0 (follows symlinks, as chmod) */
	LSTAR_HC_FCHMOD = 30,	/* handle, mode -> 0 */
	LSTAR_HC_UTIMENSAT = 31,	/* dh, path pa (0: the handle dh itself), timespec[2] pa (0: now),
				   flags (LSTAR_HC_AT_SYMLINK_NOFOLLOW) -> 0 */
	LSTAR_HC_FCHOWNAT = 32,	/* dh, path pa (0: the handle dh itself), uid, gid,
				   flags (LSTAR_HC_AT_SYMLINK_NOFOLLOW) -> 0 */
	LSTAR_HC_DISASM = 33,	/* code pa, len (1 to LSTAR_HC_DISASM_MAX), its address, text buf pa,
				   buf len -> text length: Intel-syntax disassembly for fault messages */
	LSTAR_HC_STATFS = 34,	/* dh, path pa (0: the handle dh itself), struct statfs pa -> 0 */
	LSTAR_HC_SETFL = 35,	/* handle, status flags (LSTAR_HC_O_APPEND, LSTAR_HC_O_NONBLOCK)
				   -> 0: the open file's other status flags are kept */
	LSTAR_HC_REOPEN = 36,	/* handle, flags (Linux O_*) -> a new handle on the same file,
				   opened again (/dev/fd/N): own offset, own access mode */
	LSTAR_HC_OPENTTY = 37,	/* flags (Linux O_*) -> a handle on lstar's controlling
				   terminal (/dev/tty), or -ENXIO when it has none */
	LSTAR_HC_TCSETS = 38,	/* handle, termios pa, when (LSTAR_HC_TCSETS_*), kind
				   (LSTAR_HC_TERMIOS_*) -> 0 or -ENOTTY */
	LSTAR_HC_TASK = 39,	/* tid, tgid, comm pa (LSTAR_HC_COMM_SIZE bytes): the kernel is
				   switching to this task (traces, --strace and gdb name it) -> 0 */
	LSTAR_HC_SIGINT_VECTOR = 40,	/* vector (32-255; 0: off): when lstar gets SIGINT (Ctrl-C),
				   raise this interrupt instead of stopping the machine -> 0 */
	LSTAR_HC_GETRLIMIT = 41,	/* resource (Linux RLIMIT_*), struct lstar_hc_rlimit pa -> 0:
				   lstar's own limit, which the first process inherits (ulimit -s) */
	LSTAR_HC_MEMORY_ADD = 42,	/* -> the end of RAM in bytes: RAM grows to lstar's reserve
				   (memory hot-plug, once, only without --mem); [old end, new
				   end) is new RAM, zero-filled */
	LSTAR_HC_MKNODAT = 43,	/* dh, path pa, mode (with the S_IF* type) -> 0: a FIFO, socket
				   or regular file, as mknodat(2); a device node is -EPERM */
	/* Sockets (emu/hostcall/hostcall_net.c).  A socket handle's host
	 * descriptor is always non-blocking: the guest kernel waits itself
	 * (LSTAR_HC_POLL), so the machine never stops in a socket call.
	 * Families, types, flags and option numbers are Linux's; addresses
	 * travel in a struct lstar_hc_sockaddr; AF_UNIX paths are guest paths
	 * (cwd, --root). */
	LSTAR_HC_SOCKET = 44,	/* family, type (SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5),
				   protocol -> handle */
	LSTAR_HC_SOCKETPAIR = 45,	/* family, type, protocol, int32[2] pa -> 0 (two handles) */
	LSTAR_HC_BIND = 46,	/* handle, lstar_hc_sockaddr pa (in; on return, for AF_UNIX,
				   the address the host bound: len 0 if it is the guest's) -> 0 */
	LSTAR_HC_LISTEN = 47,	/* handle, backlog -> 0 */
	LSTAR_HC_ACCEPT = 48,	/* handle, lstar_hc_sockaddr pa (out, 0: none) -> new handle */
	LSTAR_HC_CONNECT = 49,	/* handle, lstar_hc_sockaddr pa -> 0, or -EINPROGRESS (then
				   POLLOUT and SO_ERROR tell the outcome) */
	LSTAR_HC_SENDMSG = 50,	/* handle, buf pa, len, flags (MSG_*), lstar_hc_sockaddr pa
				   (0: none), token (0: none; else an AF_UNIX control
				   message carries it to the receiving end) -> bytes */
	LSTAR_HC_RECVMSG = 51,	/* handle, buf pa, len, flags (MSG_PEEK, MSG_TRUNC, MSG_OOB),
				   lstar_hc_sockaddr pa (out, 0: none; .flags gets
				   msg_flags), u64 token pa (out, 0: none; 0 if no token
				   came) -> bytes */
	LSTAR_HC_SHUTDOWN = 52,	/* handle, how (0 SHUT_RD, 1 SHUT_WR, 2 SHUT_RDWR) -> 0 */
	LSTAR_HC_SOCKOPT = 53,	/* handle, level, optname, buf pa, len, set (0: get, 1: set)
				   -> get: bytes written; set: 0.  Only options with plain
				   values (no pointers inside); others -ENOPROTOOPT */
	LSTAR_HC_SOCKNAME = 54,	/* handle, lstar_hc_sockaddr pa (out), peer (0: local, 1: peer)
				   -> 0 */
	LSTAR_HC_FIONREAD = 55,	/* handle -> bytes waiting to be read */
	LSTAR_HC_FD_PATH = 56,	/* handle, buf pa, len -> length (no NUL): the open file's
				   absolute path with symlinks resolved, as the guest sees
				   it (inside --root), for /proc/self/maps; -ENAMETOOLONG,
				   -ENOENT (outside the root) */
	LSTAR_HC_MAP_EXEC = 57,	/* handle (-1: the vDSO), addr, len, file offset, vDSO image
				   pa, its length -> 0: the guest kernel mapped part of a
				   file (or the vDSO) executable at addr; traces symbolize
				   addresses in it */
	LSTAR_HC_NR_OPS = 58
};

/* ---- flags, in the arguments and results above ---- */
/* OPENAT of a FIFO does not open it (that would block lstar until a
 * partner opened it too): the handle refers to the name only (O_PATH) and
 * the result has this bit set; the kernel gives the FIFO its semantics. */
#define LSTAR_HC_OPEN_FIFO		0x10000
/* Path calls: the Linux AT_* values. */
#define LSTAR_HC_AT_SYMLINK_NOFOLLOW	0x100	/* FSTATAT, UTIMENSAT, FCHOWNAT */
#define LSTAR_HC_AT_REMOVEDIR		0x200	/* UNLINKAT: remove a directory */
#define LSTAR_HC_AT_EACCESS		0x200	/* FACCESSAT: check with the effective ids */
#define LSTAR_HC_AT_SYMLINK_FOLLOW	0x400	/* LINKAT: link what a symlink names (see LINKAT) */
/* SETFL: the Linux O_* values (octal). */
#define LSTAR_HC_O_APPEND		02000
#define LSTAR_HC_O_NONBLOCK		04000
/* TCGETS/TCSETS "kind": which structure the buffer holds. */
#define LSTAR_HC_TERMIOS_KERNEL		0	/* the kernel's struct termios, LSTAR_HC_TERMIOS_SIZE bytes */
#define LSTAR_HC_TERMIOS_2		1	/* struct termios2, LSTAR_HC_TERMIOS2_SIZE bytes */
/* TCSETS "when" (TCSETS, TCSETSW, TCSETSF). */
#define LSTAR_HC_TCSETS_NOW		0
#define LSTAR_HC_TCSETS_DRAIN		1	/* after the output is written */
#define LSTAR_HC_TCSETS_FLUSH		2	/* after that, input not yet read is dropped */
/* WINSIZE direction. */
#define LSTAR_HC_WINSIZE_GET		0
#define LSTAR_HC_WINSIZE_SET		1
/* POLL events/revents bits: Linux's values. */
#define LSTAR_HC_POLLIN			0x01
#define LSTAR_HC_POLLPRI		0x02	/* sockets: urgent data */
#define LSTAR_HC_POLLOUT		0x04
#define LSTAR_HC_POLLERR		0x08	/* revents only */
#define LSTAR_HC_POLLHUP		0x10	/* revents only */
#define LSTAR_HC_POLLNVAL		0x20	/* revents only */
#define LSTAR_HC_POLLRDHUP		0x2000	/* sockets: the peer shut down its writing */

/* TCGETS / TCSETS: the Linux kernel's terminal settings
 * (asm-generic/termbits.h): struct termios is the first 36 bytes,
 * struct termios2 all 44.  Not a C library's struct termios (glibc's has
 * 32 control characters and is 60 bytes). */
struct lstar_hc_termios2 {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
	uint32_t c_ispeed, c_ospeed;	/* termios2 only */
};

/* POLL entries: the kernel's poll translated to handles. */
struct lstar_hc_pollfd {
	int32_t handle;
	int16_t events;		/* LSTAR_HC_POLLIN, _POLLPRI, _POLLOUT, _POLLRDHUP */
	int16_t revents;	/* filled by the device */
};

/* GETRLIMIT's answer (Linux's struct rlimit on x86-64). */
struct lstar_hc_rlimit {
	uint64_t cur, max;
};

/* Socket addresses through the device: len bytes of a Linux struct
 * sockaddr_* in addr.  For LSTAR_HC_RECVMSG, flags returns msg_flags. */
#define LSTAR_HC_SOCKADDR_MAX	128
struct lstar_hc_sockaddr {
	uint32_t len;
	uint32_t flags;
	uint8_t addr[LSTAR_HC_SOCKADDR_MAX];
};

/* The layout is the ABI: check it wherever the header is compiled. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define LSTAR_HC_ASSERT_(e, m) static_assert(e, m)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define LSTAR_HC_ASSERT_(e, m) _Static_assert(e, m)
#endif
#ifdef LSTAR_HC_ASSERT_
LSTAR_HC_ASSERT_(sizeof(struct lstar_hc_req) == LSTAR_HC_REQ_SIZE, "lstar_hc_req is 64 bytes");
LSTAR_HC_ASSERT_(sizeof(struct lstar_hc_termios2) == LSTAR_HC_TERMIOS2_SIZE, "termios2 is 44 bytes");
LSTAR_HC_ASSERT_(sizeof(struct lstar_hc_pollfd) == 8, "lstar_hc_pollfd is 8 bytes");
LSTAR_HC_ASSERT_(sizeof(struct lstar_hc_rlimit) == 16, "lstar_hc_rlimit is 16 bytes");
LSTAR_HC_ASSERT_(sizeof(struct lstar_hc_sockaddr) == 136, "lstar_hc_sockaddr is 136 bytes");
#undef LSTAR_HC_ASSERT_
#endif

#endif
