/*
 * strace_names.c - the named constants the strace view prints
 * (strace_names.h): Linux x86-64 values, each flag table in the order
 * strace(1) lists the names (a combined name such as O_SYNC or O_TMPFILE
 * comes before the bits it contains, so that it takes them first).
 */
#include "emu/trace/strace_names.h"

#define TABLE(var, unk, ...)                                                       \
	static const struct xlat var##_x[] = { __VA_ARGS__ };                        \
	const struct xlat_table var = { var##_x, sizeof(var##_x) / sizeof(var##_x[0]), unk }

const char *xlat_name(const struct xlat_table *t, uint64_t v)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->x[k].val == v)
			return t->x[k].name;
	return NULL;
}

/* ---- values ----------------------------------------------------------- */

TABLE(xt_whence, "SEEK_???", { 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" },
      { 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" });
TABLE(xt_clock, "CLOCK_???", { 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" },
      { 2, "CLOCK_PROCESS_CPUTIME_ID" }, { 3, "CLOCK_THREAD_CPUTIME_ID" },
      { 4, "CLOCK_MONOTONIC_RAW" }, { 5, "CLOCK_REALTIME_COARSE" },
      { 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" }, { 8, "CLOCK_REALTIME_ALARM" },
      { 9, "CLOCK_BOOTTIME_ALARM" }, { 11, "CLOCK_TAI" });
TABLE(xt_sighow, "SIG_???", { 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" });
TABLE(xt_arch_prctl, "ARCH_???", { 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" },
      { 0x1003, "ARCH_GET_FS" }, { 0x1004, "ARCH_GET_GS" }, { 0x1011, "ARCH_GET_CPUID" },
      { 0x1012, "ARCH_SET_CPUID" }, { 0x1021, "ARCH_GET_XCOMP_SUPP" },
      { 0x1022, "ARCH_GET_XCOMP_PERM" }, { 0x1023, "ARCH_REQ_XCOMP_PERM" },
      { 0x2001, "ARCH_MAP_VDSO_X32" }, { 0x2002, "ARCH_MAP_VDSO_32" },
      { 0x2003, "ARCH_MAP_VDSO_64" }, { 0x5001, "ARCH_SHSTK_ENABLE" },
      { 0x5002, "ARCH_SHSTK_DISABLE" }, { 0x5003, "ARCH_SHSTK_LOCK" },
      { 0x5005, "ARCH_SHSTK_STATUS" });
TABLE(xt_fcntl, "F_???", { 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" },
      { 4, "F_SETFL" }, { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
      { 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" }, { 11, "F_GETSIG" },
      { 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" }, { 17, "F_GETOWNER_UIDS" },
      { 36, "F_OFD_GETLK" }, { 37, "F_OFD_SETLK" }, { 38, "F_OFD_SETLKW" },
      { 1024, "F_SETLEASE" }, { 1025, "F_GETLEASE" }, { 1026, "F_NOTIFY" },
      { 1030, "F_DUPFD_CLOEXEC" }, { 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
      { 1033, "F_ADD_SEALS" }, { 1034, "F_GET_SEALS" });
TABLE(xt_rlimit, "RLIMIT_???", { 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" },
      { 3, "RLIMIT_STACK" }, { 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" }, { 6, "RLIMIT_NPROC" },
      { 7, "RLIMIT_NOFILE" }, { 8, "RLIMIT_MEMLOCK" }, { 9, "RLIMIT_AS" },
      { 10, "RLIMIT_LOCKS" }, { 11, "RLIMIT_SIGPENDING" }, { 12, "RLIMIT_MSGQUEUE" },
      { 13, "RLIMIT_NICE" }, { 14, "RLIMIT_RTPRIO" }, { 15, "RLIMIT_RTTIME" });
TABLE(xt_prctl, "PR_???", { 1, "PR_SET_PDEATHSIG" }, { 2, "PR_GET_PDEATHSIG" },
      { 3, "PR_GET_DUMPABLE" }, { 4, "PR_SET_DUMPABLE" }, { 5, "PR_GET_UNALIGN" },
      { 6, "PR_SET_UNALIGN" }, { 7, "PR_GET_KEEPCAPS" }, { 8, "PR_SET_KEEPCAPS" },
      { 15, "PR_SET_NAME" }, { 16, "PR_GET_NAME" }, { 21, "PR_GET_SECCOMP" },
      { 22, "PR_SET_SECCOMP" }, { 23, "PR_CAPBSET_READ" }, { 24, "PR_CAPBSET_DROP" },
      { 36, "PR_SET_CHILD_SUBREAPER" }, { 37, "PR_GET_CHILD_SUBREAPER" },
      { 38, "PR_SET_NO_NEW_PRIVS" }, { 39, "PR_GET_NO_NEW_PRIVS" }, { 0x59616d61, "PR_SET_PTRACER" },
      { 0x53564d41, "PR_SET_VMA" });
TABLE(xt_futex, "FUTEX_???", { 0, "FUTEX_WAIT" }, { 1, "FUTEX_WAKE" }, { 2, "FUTEX_FD" },
      { 3, "FUTEX_REQUEUE" }, { 4, "FUTEX_CMP_REQUEUE" }, { 5, "FUTEX_WAKE_OP" },
      { 6, "FUTEX_LOCK_PI" }, { 7, "FUTEX_UNLOCK_PI" }, { 8, "FUTEX_TRYLOCK_PI" },
      { 9, "FUTEX_WAIT_BITSET" }, { 10, "FUTEX_WAKE_BITSET" }, { 11, "FUTEX_WAIT_REQUEUE_PI" },
      { 12, "FUTEX_CMP_REQUEUE_PI" }, { 13, "FUTEX_LOCK_PI2" });
TABLE(xt_madvise, "MADV_???", { 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" },
      { 3, "MADV_WILLNEED" }, { 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" }, { 9, "MADV_REMOVE" },
      { 10, "MADV_DONTFORK" }, { 11, "MADV_DOFORK" }, { 12, "MADV_MERGEABLE" },
      { 13, "MADV_UNMERGEABLE" }, { 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" },
      { 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" }, { 18, "MADV_WIPEONFORK" },
      { 19, "MADV_KEEPONFORK" }, { 20, "MADV_COLD" }, { 21, "MADV_PAGEOUT" },
      { 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" }, { 100, "MADV_HWPOISON" });
TABLE(xt_itimer, "ITIMER_???", { 0, "ITIMER_REAL" }, { 1, "ITIMER_VIRTUAL" }, { 2, "ITIMER_PROF" });
TABLE(xt_fadvise, "POSIX_FADV_???", { 0, "POSIX_FADV_NORMAL" }, { 1, "POSIX_FADV_RANDOM" },
      { 2, "POSIX_FADV_SEQUENTIAL" }, { 3, "POSIX_FADV_WILLNEED" }, { 4, "POSIX_FADV_DONTNEED" },
      { 5, "POSIX_FADV_NOREUSE" });
TABLE(xt_prio_which, "PRIO_???", { 0, "PRIO_PROCESS" }, { 1, "PRIO_PGRP" }, { 2, "PRIO_USER" });
TABLE(xt_sched_policy, "SCHED_???", { 0, "SCHED_OTHER" }, { 1, "SCHED_FIFO" }, { 2, "SCHED_RR" },
      { 3, "SCHED_BATCH" }, { 4, "SCHED_ISO" }, { 5, "SCHED_IDLE" }, { 6, "SCHED_DEADLINE" });
TABLE(xt_ioctl, "_IOC(...)", { 0x5401, "TCGETS" }, { 0x5402, "TCSETS" }, { 0x5403, "TCSETSW" },
      { 0x5404, "TCSETSF" }, { 0x5409, "TCSBRK" }, { 0x540B, "TCFLSH" }, { 0x540C, "TIOCEXCL" },
      { 0x540D, "TIOCNXCL" }, { 0x540E, "TIOCSCTTY" }, { 0x540F, "TIOCGPGRP" },
      { 0x5410, "TIOCSPGRP" }, { 0x5411, "TIOCOUTQ" }, { 0x5413, "TIOCGWINSZ" },
      { 0x5414, "TIOCSWINSZ" }, { 0x541B, "FIONREAD" }, { 0x5421, "FIONBIO" },
      { 0x5422, "TIOCNOTTY" }, { 0x5429, "TIOCGSID" }, { 0x5450, "FIONCLEX" },
      { 0x5451, "FIOCLEX" }, { 0x5452, "FIOASYNC" }, { 0x80045430, "TIOCGPTN" },
      { 0x40045431, "TIOCSPTLCK" });
TABLE(xt_map_type, "MAP_???", { 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" }, { 3, "MAP_SHARED_VALIDATE" });

/* ---- flags ------------------------------------------------------------ */

TABLE(xf_open, "O_???", { 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
      { 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
      { 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 040000, "O_DIRECT" },
      { 0100000, "O_LARGEFILE" }, { 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
      { 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" }, { 020200000, "O_TMPFILE" },
      { 0200000, "O_DIRECTORY" }, { 020000, "FASYNC" });
TABLE(xf_prot, "PROT_???", { 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
      { 0x8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" });
/* Without the type (the low four bits: xt_map_type, printed first). */
TABLE(xf_map, "MAP_???", { 0x8, "MAP_DROPPABLE" }, { 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" },
      { 0x40, "MAP_32BIT" }, { 0x80, "MAP_ABOVE4G" }, { 0x4000, "MAP_NORESERVE" },
      { 0x8000, "MAP_POPULATE" }, { 0x10000, "MAP_NONBLOCK" }, { 0x100, "MAP_GROWSDOWN" },
      { 0x800, "MAP_DENYWRITE" }, { 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
      { 0x20000, "MAP_STACK" }, { 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
      { 0x4000000, "MAP_UNINITIALIZED" }, { 0x100000, "MAP_FIXED_NOREPLACE" });
TABLE(xf_at, "AT_???", { 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
      { 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" }, { 0x1000, "AT_EMPTY_PATH" },
      { 0x8000, "AT_RECURSIVE" });
TABLE(xf_access, "?_OK", { 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" });
TABLE(xf_sa, "SA_???", { 0x04000000, "SA_RESTORER" }, { 0x08000000, "SA_ONSTACK" },
      { 0x10000000, "SA_RESTART" }, { 0x40000000, "SA_NODEFER" }, { 0x80000000, "SA_RESETHAND" },
      { 4, "SA_SIGINFO" }, { 1, "SA_NOCLDSTOP" }, { 2, "SA_NOCLDWAIT" },
      { 0x400, "SA_UNSUPPORTED" }, { 0x800, "SA_EXPOSE_TAGBITS" });
/* Without the exit signal (the low byte). */
TABLE(xf_clone, "CLONE_???", { 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
      { 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" },
      { 0x4000, "CLONE_VFORK" }, { 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
      { 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" },
      { 0x100000, "CLONE_PARENT_SETTID" }, { 0x200000, "CLONE_CHILD_CLEARTID" },
      { 0x800000, "CLONE_UNTRACED" }, { 0x1000000, "CLONE_CHILD_SETTID" },
      { 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
      { 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" },
      { 0x20000000, "CLONE_NEWPID" }, { 0x40000000, "CLONE_NEWNET" },
      { 0x80000000, "CLONE_IO" });
TABLE(xf_grnd, "GRND_???", { 1, "GRND_NONBLOCK" }, { 2, "GRND_RANDOM" }, { 4, "GRND_INSECURE" });
TABLE(xf_wait, "W???", { 1, "WNOHANG" }, { 2, "WUNTRACED" }, { 4, "WEXITED" }, { 8, "WCONTINUED" },
      { 0x01000000, "WNOWAIT" }, { 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
      { 0x80000000, "__WCLONE" });
TABLE(xf_poll, "POLL???", { 1, "POLLIN" }, { 2, "POLLPRI" }, { 4, "POLLOUT" }, { 8, "POLLERR" },
      { 0x10, "POLLHUP" }, { 0x20, "POLLNVAL" }, { 0x40, "POLLRDNORM" }, { 0x80, "POLLRDBAND" },
      { 0x100, "POLLWRNORM" }, { 0x200, "POLLWRBAND" }, { 0x400, "POLLMSG" },
      { 0x1000, "POLLREMOVE" }, { 0x2000, "POLLRDHUP" });
TABLE(xf_flock, "LOCK_???", { 1, "LOCK_SH" }, { 2, "LOCK_EX" }, { 4, "LOCK_NB" }, { 8, "LOCK_UN" },
      { 0x20, "LOCK_MAND" }, { 0xC0, "LOCK_RW" }, { 0x40, "LOCK_READ" }, { 0x80, "LOCK_WRITE" });
TABLE(xt_fs_magic, "???", { 0xEF53, "EXT2_SUPER_MAGIC" }, { 0x50495045, "PIPEFS_MAGIC" },
      { 0x01021994, "TMPFS_MAGIC" }, { 0x9FA0, "PROC_SUPER_MAGIC" }, { 0x62656572, "SYSFS_MAGIC" },
      { 0x794C7630, "OVERLAYFS_SUPER_MAGIC" }, { 0x58465342, "XFS_SUPER_MAGIC" },
      { 0x9123683E, "BTRFS_SUPER_MAGIC" }, { 0x1373, "DEVFS_SUPER_MAGIC" },
      { 0x6969, "NFS_SUPER_MAGIC" }, { 0x534F434B, "SOCKFS_MAGIC" }, { 0x4D44, "MSDOS_SUPER_MAGIC" },
      { 0x2FC12FC1, "ZFS_SUPER_MAGIC" }, { 0x65735546, "FUSE_SUPER_MAGIC" },
      { 0x01021997, "V9FS_MAGIC" }, { 0x27E0EB, "CGROUP_SUPER_MAGIC" },
      { 0x63677270, "CGROUP2_SUPER_MAGIC" }, { 0x64626720, "DEBUGFS_MAGIC" });
TABLE(xf_statfs, "ST_???", { 1, "ST_RDONLY" }, { 2, "ST_NOSUID" }, { 4, "ST_NODEV" },
      { 8, "ST_NOEXEC" }, { 16, "ST_SYNCHRONOUS" }, { 32, "ST_VALID" }, { 64, "ST_MANDLOCK" },
      { 1024, "ST_NOATIME" }, { 2048, "ST_NODIRATIME" }, { 4096, "ST_RELATIME" });
TABLE(xf_mremap, "MREMAP_???", { 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" },
      { 4, "MREMAP_DONTUNMAP" });
TABLE(xf_fd, "FD_???", { 1, "FD_CLOEXEC" });
TABLE(xf_ss, "SS_???", { 1, "SS_ONSTACK" }, { 2, "SS_DISABLE" }, { 0x80000000, "SS_AUTODISARM" });
TABLE(xf_pipe, "O_???", { 02000000, "O_CLOEXEC" }, { 04000, "O_NONBLOCK" }, { 040000, "O_DIRECT" },
      { 0100000, "O_NOTIFICATION_PIPE" });

/* ---- errno and signals ------------------------------------------------ */

static const struct { int e; const char *name, *text; } errnos[] = {
	{ 1, "EPERM", "Operation not permitted" }, { 2, "ENOENT", "No such file or directory" },
	{ 3, "ESRCH", "No such process" }, { 4, "EINTR", "Interrupted system call" },
	{ 5, "EIO", "Input/output error" }, { 6, "ENXIO", "No such device or address" },
	{ 7, "E2BIG", "Argument list too long" }, { 8, "ENOEXEC", "Exec format error" },
	{ 9, "EBADF", "Bad file descriptor" }, { 10, "ECHILD", "No child processes" },
	{ 11, "EAGAIN", "Resource temporarily unavailable" }, { 12, "ENOMEM", "Cannot allocate memory" },
	{ 13, "EACCES", "Permission denied" }, { 14, "EFAULT", "Bad address" },
	{ 15, "ENOTBLK", "Block device required" },
	{ 16, "EBUSY", "Device or resource busy" }, { 17, "EEXIST", "File exists" },
	{ 18, "EXDEV", "Invalid cross-device link" }, { 19, "ENODEV", "No such device" },
	{ 20, "ENOTDIR", "Not a directory" }, { 21, "EISDIR", "Is a directory" },
	{ 22, "EINVAL", "Invalid argument" }, { 23, "ENFILE", "Too many open files in system" },
	{ 24, "EMFILE", "Too many open files" }, { 25, "ENOTTY", "Inappropriate ioctl for device" },
	{ 26, "ETXTBSY", "Text file busy" },
	{ 27, "EFBIG", "File too large" }, { 28, "ENOSPC", "No space left on device" },
	{ 29, "ESPIPE", "Illegal seek" }, { 30, "EROFS", "Read-only file system" },
	{ 31, "EMLINK", "Too many links" }, { 32, "EPIPE", "Broken pipe" },
	{ 33, "EDOM", "Numerical argument out of domain" },
	{ 34, "ERANGE", "Numerical result out of range" },
	{ 35, "EDEADLK", "Resource deadlock avoided" },
	{ 36, "ENAMETOOLONG", "File name too long" }, { 37, "ENOLCK", "No locks available" },
	{ 38, "ENOSYS", "Function not implemented" },
	{ 39, "ENOTEMPTY", "Directory not empty" },
	{ 40, "ELOOP", "Too many levels of symbolic links" },
	{ 61, "ENODATA", "No data available" }, { 62, "ETIME", "Timer expired" },
	{ 75, "EOVERFLOW", "Value too large for defined data type" },
	{ 84, "EILSEQ", "Invalid or incomplete multibyte or wide character" },
	{ 88, "ENOTSOCK", "Socket operation on non-socket" },
	{ 89, "EDESTADDRREQ", "Destination address required" },
	{ 90, "EMSGSIZE", "Message too long" },
	{ 91, "EPROTOTYPE", "Protocol wrong type for socket" },
	{ 92, "ENOPROTOOPT", "Protocol not available" },
	{ 93, "EPROTONOSUPPORT", "Protocol not supported" },
	{ 94, "ESOCKTNOSUPPORT", "Socket type not supported" },
	{ 95, "EOPNOTSUPP", "Operation not supported" },
	{ 96, "EPFNOSUPPORT", "Protocol family not supported" },
	{ 97, "EAFNOSUPPORT", "Address family not supported by protocol" },
	{ 98, "EADDRINUSE", "Address already in use" },
	{ 99, "EADDRNOTAVAIL", "Cannot assign requested address" },
	{ 100, "ENETDOWN", "Network is down" },
	{ 101, "ENETUNREACH", "Network is unreachable" },
	{ 102, "ENETRESET", "Network dropped connection on reset" },
	{ 103, "ECONNABORTED", "Software caused connection abort" },
	{ 104, "ECONNRESET", "Connection reset by peer" },
	{ 105, "ENOBUFS", "No buffer space available" },
	{ 106, "EISCONN", "Transport endpoint is already connected" },
	{ 107, "ENOTCONN", "Transport endpoint is not connected" },
	{ 108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown" },
	{ 109, "ETOOMANYREFS", "Too many references: cannot splice" },
	{ 110, "ETIMEDOUT", "Connection timed out" },
	{ 111, "ECONNREFUSED", "Connection refused" },
	{ 112, "EHOSTDOWN", "Host is down" },
	{ 113, "EHOSTUNREACH", "No route to host" },
	{ 114, "EALREADY", "Operation already in progress" },
	{ 115, "EINPROGRESS", "Operation now in progress" },
	{ 512, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ 513, "ERESTARTNOINTR", "To be restarted" },
	{ 514, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ 516, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

const char *strace_errno_name(int e)
{
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
		if (errnos[k].e == e)
			return errnos[k].name;
	return NULL;
}

const char *strace_errno_text(int e)
{
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
		if (errnos[k].e == e)
			return errnos[k].text;
	return "Unknown error";
}

static const char *const signames[] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
	"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
	"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
	"SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

const char *strace_sig_name(int sig)
{
	/* the real-time signals: SIGRTMIN is 32, then SIGRT_1 .. SIGRT_32 */
	static const char *const rt[] = {
		"SIGRTMIN", "SIGRT_1", "SIGRT_2", "SIGRT_3", "SIGRT_4", "SIGRT_5", "SIGRT_6",
		"SIGRT_7", "SIGRT_8", "SIGRT_9", "SIGRT_10", "SIGRT_11", "SIGRT_12", "SIGRT_13",
		"SIGRT_14", "SIGRT_15", "SIGRT_16", "SIGRT_17", "SIGRT_18", "SIGRT_19", "SIGRT_20",
		"SIGRT_21", "SIGRT_22", "SIGRT_23", "SIGRT_24", "SIGRT_25", "SIGRT_26", "SIGRT_27",
		"SIGRT_28", "SIGRT_29", "SIGRT_30", "SIGRT_31", "SIGRT_32",
	};
	if (sig > 0 && sig < 32)
		return signames[sig];
	if (sig >= 32 && sig <= 64)
		return rt[sig - 32];
	return NULL;
}
