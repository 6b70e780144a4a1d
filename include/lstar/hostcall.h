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

#define LSTAR_HC_PORT_ADDR_LO	0x510	/* OUT32: low half of the request address; performs the call */
#define LSTAR_HC_PORT_ADDR_HI	0x514	/* OUT32: high half of the request address (latched) */
#define LSTAR_HC_PORT_ID	0x518	/* IN32: LSTAR_HC_ID when the device is present */
#define LSTAR_HC_PORT_STATUS	0x51C	/* IN32: 0 if the last request block was readable, else 1 */

#define LSTAR_HC_ID		0x4348534C	/* "LSHC" */
#define LSTAR_HC_PATH_MAX	4096
#define LSTAR_HC_MAX_HANDLES	256
#define LSTAR_HC_DIR_CWD	(-100)	/* "dir handle" meaning the current directory (AT_FDCWD) */

/* The request block (48 + 16 bytes, 8-byte aligned). */
struct lstar_hc_req {
	uint32_t op;		/* HC_* below */
	uint32_t pad;
	int64_t ret;		/* result: >= 0, or -errno */
	uint64_t a[6];		/* arguments, per op */
};

/* Ops.  "pa" = guest physical address, "dh" = dir handle or LSTAR_HC_DIR_CWD. */
enum lstar_hc_op {
	LSTAR_HC_NOP = 0,		/* -> 0 */
	LSTAR_HC_OPENAT,		/* dh, path pa, flags (Linux O_*), mode -> handle */
	LSTAR_HC_CLOSE,		/* handle -> 0 */
	LSTAR_HC_READ,		/* handle, buf pa, len -> bytes */
	LSTAR_HC_WRITE,		/* handle, buf pa, len -> bytes */
	LSTAR_HC_PREAD,		/* handle, buf pa, len, offset -> bytes */
	LSTAR_HC_PWRITE,		/* handle, buf pa, len, offset -> bytes */
	LSTAR_HC_LSEEK,		/* handle, offset, whence -> new offset */
	LSTAR_HC_FSTAT,		/* handle, struct stat pa (x86-64 Linux layout) -> 0 */
	LSTAR_HC_FSTATAT,		/* dh, path pa, struct stat pa, flags (AT_SYMLINK_NOFOLLOW) -> 0 */
	LSTAR_HC_GETDENTS64,		/* handle, buf pa, len -> bytes of linux_dirent64 records */
	LSTAR_HC_READLINKAT,		/* dh, path pa, buf pa, len -> bytes (no NUL) */
	LSTAR_HC_GETCWD,		/* buf pa, len -> length including the NUL */
	LSTAR_HC_CHDIR,		/* path pa -> 0 */
	LSTAR_HC_MKDIRAT,		/* dh, path pa, mode -> 0 */
	LSTAR_HC_UNLINKAT,		/* dh, path pa, flags (AT_REMOVEDIR) -> 0 */
	LSTAR_HC_RENAMEAT,		/* old dh, old path pa, new dh, new path pa -> 0 */
	LSTAR_HC_FACCESSAT,		/* dh, path pa, mode, flags -> 0 */
	LSTAR_HC_TCGETS,		/* handle, termios pa, kind (0: the kernel's struct termios, 36 bytes;
				   1: struct termios2, 44 bytes; struct lstar_hc_termios2) -> 0 or -ENOTTY */
	LSTAR_HC_WINSIZE,		/* handle, struct winsize pa (8 bytes), set (0: get, 1: set) -> 0 or -ENOTTY */
	LSTAR_HC_CLOCK,		/* clockid, struct timespec pa -> 0 */
	LSTAR_HC_NANOSLEEP,		/* nanoseconds -> 0 */
	LSTAR_HC_RANDOM,		/* buf pa, len -> bytes */
	LSTAR_HC_POLL,		/* struct lstar_hc_pollfd array pa, count, timeout ms -> ready count */
	LSTAR_HC_FTRUNCATE,		/* handle, length -> 0 */
	LSTAR_HC_FCHDIR,		/* handle -> 0 */
	LSTAR_HC_STATS,		/* nr, count: the kernel reports an unimplemented syscall count -> 0 */
	LSTAR_HC_SYMLINKAT,		/* target pa, dh, path pa -> 0 */
	LSTAR_HC_LINKAT,		/* old dh, old path pa, new dh, new path pa, flags (0x400 follow) -> 0 */
	LSTAR_HC_FCHMODAT,		/* dh, path pa, mode -> 0 (follows symlinks, as chmod) */
	LSTAR_HC_FCHMOD,		/* handle, mode -> 0 */
	LSTAR_HC_UTIMENSAT,		/* dh, path pa (0: the handle dh itself), timespec[2] pa (0: now), flags (0x100 no follow) -> 0 */
	LSTAR_HC_FCHOWNAT,		/* dh, path pa (0: the handle dh itself), uid, gid, flags (0x100 no follow) -> 0 */
	LSTAR_HC_DISASM,		/* code pa, len (1-15), its address, text buf pa, buf len -> text length:
				   Intel-syntax disassembly (Zydis) for fault messages */
	LSTAR_HC_STATFS,		/* dh, path pa (0: the handle dh itself), struct statfs pa
				   (120 bytes, x86-64 Linux layout) -> 0 */
	LSTAR_HC_SETFL,		/* handle, status flags (Linux O_APPEND 02000, O_NONBLOCK 04000)
				   -> 0: the open file's other status flags are kept */
	LSTAR_HC_REOPEN,		/* handle, flags (Linux O_*) -> a new handle on the same file,
				   opened again (/dev/fd/N): own offset, own access mode */
	LSTAR_HC_OPENTTY,		/* flags (Linux O_*) -> a handle on lstar's controlling
				   terminal (/dev/tty), or -ENXIO when it has none */
	LSTAR_HC_TCSETS,		/* handle, termios pa, when (0: now, 1: after output drains,
				   2: also flush input), kind (as LSTAR_HC_TCGETS) -> 0 or -ENOTTY */
	LSTAR_HC_TASK,		/* tid, tgid, comm pa (16 bytes): the kernel is switching to this
				   task (traces, --strace and gdb name it) -> 0 */
	LSTAR_HC_SIGINT_VECTOR,	/* vector (32-255; 0: off): when lstar gets SIGINT (Ctrl-C), raise
				   this interrupt instead of stopping the machine -> 0 */
	LSTAR_HC_GETRLIMIT,		/* resource (Linux RLIMIT_*), struct { u64 cur, max } pa -> 0: lstar's
				   own limit, which the first process inherits (ulimit -s) */
	LSTAR_HC_MEMORY_ADD,		/* -> the end of RAM in bytes: RAM grows to lstar's reserve (memory
				   hot-plug, once, only without --mem); [old end, new end) is new
				   RAM, zero-filled */
	LSTAR_HC_MKNODAT,		/* dh, path pa, mode (with the S_IF* type), dev -> 0: a FIFO, socket,
				   regular file or (with privilege) device node, as mknodat(2) */
	LSTAR_HC_NR_OPS
};

/* LSTAR_HC_OPENAT of a FIFO does not open it (that would block lstar until a
 * partner opened it too): the handle refers to the name only (O_PATH) and
 * the result has this bit set; the kernel gives the FIFO its semantics. */
#define LSTAR_HC_OPEN_FIFO	0x10000

/* LSTAR_HC_TCGETS / LSTAR_HC_TCSETS: the Linux kernel's terminal settings
 * (asm-generic/termbits.h): struct termios is the first 36 bytes
 * (kind 0), struct termios2 all 44 (kind 1).  Not a C library's struct
 * termios (glibc's has 32 control characters and is 60 bytes). */
struct lstar_hc_termios2 {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
	uint32_t c_ispeed, c_ospeed;	/* kind 1 only */
};
#define LSTAR_HC_TERMIOS_SIZE		36
#define LSTAR_HC_TERMIOS2_SIZE	44

/* LSTAR_HC_POLL entries: the kernel's poll translated to handles. */
struct lstar_hc_pollfd {
	int32_t handle;
	int16_t events;		/* POLLIN 1, POLLOUT 4 */
	int16_t revents;	/* filled by the device */
};

#endif
