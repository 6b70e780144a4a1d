/*
 * hostcall.h - the host-call device (ports 0x510-0x51F): how a kernel inside
 * lstar reaches host files, the standard streams and the clock.
 * docs/platform.md describes the protocol in prose; this header is its
 * single definition, included both by emu/hostcall/hostcall.c and (freestanding) by
 * kernel_model/.  The ABI part uses only fixed-size integers.
 *
 * Protocol.  The kernel fills a `struct lstar_hc_req` in guest RAM, writes the
 * high 32 bits of its physical address to LSTAR_HC_PORT_ADDR_HI and then the low
 * 32 bits to LSTAR_HC_PORT_ADDR_LO; the second OUT performs the call
 * synchronously (the OUT instruction completes after the host did the work).
 * The result is in `ret`: >= 0 on success, -errno (Linux numbering) on
 * failure.  Buffers are passed as guest *physical* address + length and must
 * lie in RAM; the device refuses (-EFAULT) anything else and never touches
 * host memory outside guest RAM.  Host file descriptors stay in the device:
 * the kernel sees small "handles" (0, 1, 2 are the host's standard streams).
 * Paths are NUL-terminated strings of at most LSTAR_HC_PATH_MAX bytes.
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
	LSTAR_HC_FD_PATH,		/* handle, buf pa, len -> length (no NUL): the open file's absolute
				   path with symlinks resolved, as the guest sees it (inside --root),
				   for /proc/self/maps; -ENAMETOOLONG, -ENOENT (outside the root) */
	LSTAR_HC_MAP_EXEC,		/* handle (-1: the vDSO), addr, len, file offset, vDSO image pa,
				   its length -> 0: the guest kernel mapped part of a file (or the
				   vDSO) executable at addr; traces symbolize addresses in it */
	LSTAR_HC_NR_OPS
};

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

#ifndef __KERNEL__
/* ---- the emulator side (not visible to the guest kernel) ---- */
#include <stdbool.h>
#include <stddef.h>

struct hostcall;

/* What the CLI can set before the guest runs. */
struct hostcall_config {
	const char *root;	/* --root DIR: confine every guest path to DIR; NULL = host view */
	bool seeded;		/* --seed N: reproducible runs (LSTAR_HC_RANDOM from a generator */
	uint64_t seed;		/*   seeded with N, clocks that count instructions) */
};

/* Apply a configuration.  Returns 0, or -1 with a one-line reason in err. */
int hostcall_configure(struct hostcall *hc, const struct hostcall_config *cfg,
		       char *err, size_t errlen);
/* Unimplemented-syscall counts the kernel reported (LSTAR_HC_STATS), for --stats:
 * calls fn(nr, count, arg) for each, in order of nr. */
void hostcall_stats(struct hostcall *hc,
		    void (*fn)(unsigned nr, uint64_t count, void *arg), void *arg);
/* The task the guest kernel last said it runs (LSTAR_HC_TASK): thread id,
 * process id and name; 0 and "" before the first switch. */
struct hostcall_task {
	int tid, tgid;
	char comm[16];
	uint64_t switches;	/* LSTAR_HC_TASK calls so far */
};
const struct hostcall_task *hostcall_current_task(const struct hostcall *hc);
/* The vector the guest asked for on Ctrl-C (LSTAR_HC_SIGINT_VECTOR), 0 if none. */
int hostcall_sigint_vector(const struct hostcall *hc);
#endif

#endif
