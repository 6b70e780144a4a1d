/*
 * syscalls.c - a tour of the system calls a C library leans on, printing
 * results and errno values that must be the same natively and under lstar
 * (nothing that differs between machines: no pids, addresses or times).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/times.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define CHECK(what, expr) do {						\
	errno = 0;							\
	long r_ = (long)(expr);						\
	printf("%-28s -> %ld%s%s\n", what, r_, errno ? " " : "",	\
	       errno ? strerrorname_np(errno) : "");			\
} while (0)

#ifndef __GLIBC__
/* musl has no strerrorname_np: name the errno values used here. */
static const char *strerrorname_np(int e)
{
	switch (e) {
	case EBADF: return "EBADF"; case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT"; case EINVAL: return "EINVAL";
	case ESPIPE: return "ESPIPE"; case ENOTTY: return "ENOTTY";
	case ERANGE: return "ERANGE"; case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR";
	case ENOTEMPTY: return "ENOTEMPTY"; case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES"; case ENOSYS: return "ENOSYS";
	case EAGAIN: return "EAGAIN"; case ESRCH: return "ESRCH";
	default: return "E?";
	}
}
#endif

int main(void)
{
	char buf[4096];
	struct stat st;
	int fds[2];

	/* errors on descriptors and pointers */
	CHECK("write(99)", write(99, "x", 1));
	CHECK("read(0, NULL, 1)", syscall(SYS_read, 0, NULL, 1));
	CHECK("write(1, bad, 1)", syscall(SYS_write, 1, (void *)8, 1));
	CHECK("open(missing)", open("no/such/file", O_RDONLY));
	CHECK("close(99)", close(99));
	CHECK("dup3(1, 1, 0)", dup3(1, 1, 0));

	/* files */
	int fd = open("t.dat", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK("open(O_EXCL) again", open("t.dat", O_RDWR | O_CREAT | O_EXCL, 0644));
	memset(buf, 'a', 8192 > sizeof(buf) ? sizeof(buf) : 8192);
	CHECK("write 4096", write(fd, buf, 4096));
	CHECK("pwrite at 10000", pwrite(fd, "tail", 4, 10000));
	CHECK("fstat size", (fstat(fd, &st), st.st_size));
	CHECK("pread at 10000", pread(fd, buf, 10, 10000));
	CHECK("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	CHECK("ftruncate 5000", ftruncate(fd, 5000));
	CHECK("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	CHECK("ioctl(file, TCGETS)", ioctl(fd, TCGETS, buf));
	CHECK("fcntl F_GETFL & ACCMODE", fcntl(fd, F_GETFL) & O_ACCMODE);
	CHECK("fcntl F_DUPFD 20", fcntl(fd, F_DUPFD, 20));
	CHECK("newfstatat AT_EMPTY_PATH", fstatat(fd, "", &st, AT_EMPTY_PATH));

	/* private file mapping: a copy of the file */
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK("mmap file ok", m != MAP_FAILED);
	CHECK("mapped byte 0", m[0]);
	CHECK("mapped byte 4999", m[4999]);
	m[0] = 'z';
	CHECK("pread after private write", (pread(fd, buf, 1, 0), buf[0]));
	CHECK("munmap", munmap(m, 8192));
	close(fd);

	/* anonymous memory */
	char *a = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 1; a[(1 << 20) - 1] = 2;
	CHECK("madvise DONTNEED", madvise(a, 1 << 20, MADV_DONTNEED));
	CHECK("zero after DONTNEED", a[0] + a[(1 << 20) - 1]);
	a[100] = 7;
	char *b = mremap(a, 1 << 20, 4 << 20, MREMAP_MAYMOVE);
	CHECK("mremap keeps data", b[100]);
	CHECK("mprotect unaligned", mprotect(b + 1, 4096, PROT_READ));
	CHECK("mprotect read-only", mprotect(b, 4096, PROT_READ));
	CHECK("read into read-only", read(0, b, 1));
	CHECK("munmap unaligned", munmap(b + 1, 4096));
	CHECK("munmap", munmap(b, 4 << 20));
	CHECK("brk(0) > 0", syscall(SYS_brk, 0) > 0);

	/* directories and names */
	CHECK("mkdir d", mkdir("d", 0755));
	CHECK("mkdir d again", mkdir("d", 0755));
	CHECK("rename t.dat -> d/t", rename("t.dat", "d/t"));
	CHECK("rmdir non-empty", rmdir("d"));
	CHECK("unlink dir", unlink("d"));
	CHECK("readlink non-link", readlink("d/t", buf, sizeof(buf)));
	CHECK("symlink", symlink("t", "d/l"));
	CHECK("access d/t R_OK", access("d/t", R_OK));
	CHECK("readlink d/l", readlink("d/l", buf, sizeof(buf)));
	CHECK("lstat d/l is link", (lstat("d/l", &st), S_ISLNK(st.st_mode)));
	CHECK("stat d/l is file", (stat("d/l", &st), S_ISREG(st.st_mode)));
	CHECK("chmod d/t 0600", chmod("d/t", 0600));
	CHECK("mode after chmod", (stat("d/t", &st), st.st_mode & 0777));
	CHECK("link d/t d/h", link("d/t", "d/h"));
	CHECK("nlink after link", (stat("d/t", &st), st.st_nlink));
	struct timespec tt[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
	CHECK("utimensat", utimensat(AT_FDCWD, "d/t", tt, 0));
	CHECK("mtime after utimensat", (stat("d/t", &st), st.st_mtime));
	CHECK("unlink d/h", unlink("d/h"));
	CHECK("access missing", access("d/none", F_OK));
	CHECK("chdir d", chdir("d"));
	CHECK("getcwd small buf", syscall(SYS_getcwd, buf, 2));
	CHECK("unlinkat t", unlinkat(AT_FDCWD, "t", 0));
	CHECK("chdir ..", chdir(".."));
	CHECK("unlinkat REMOVEDIR d", unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));
	CHECK("stat d", stat("d", &st));
	CHECK("open(file/x)", open("/dev/null/x", O_RDONLY));

	/* pipes */
	CHECK("pipe2 O_CLOEXEC", pipe2(fds, O_CLOEXEC));
	CHECK("fcntl F_GETFD", fcntl(fds[0], F_GETFD));
	CHECK("lseek on pipe", lseek(fds[0], 0, SEEK_SET));
	CHECK("write pipe", write(fds[1], "abc", 3));
	struct pollfd p = { fds[0], POLLIN, 0 };
	CHECK("poll pipe", poll(&p, 1, 0));
	CHECK("poll revents", p.revents);
	fd_set rs, ws;
	FD_ZERO(&rs); FD_ZERO(&ws);
	FD_SET(fds[0], &rs); FD_SET(fds[1], &ws);
	struct timeval tv0 = { 0, 0 };
	CHECK("select pipe", select(fds[1] + 1, &rs, &ws, NULL, &tv0));
	CHECK("select read set", FD_ISSET(fds[0], &rs));
	CHECK("read pipe", read(fds[0], buf, sizeof(buf)));
	close(fds[1]);
	CHECK("read pipe at eof", read(fds[0], buf, sizeof(buf)));
	close(fds[0]);

	/* process and identity */
	struct utsname u;
	uname(&u);
	printf("uname: %s %s\n", u.sysname, u.machine);
	CHECK("umask(077)", umask(077));
	CHECK("umask(022)", umask(022));
	CHECK("kill(self, 0)", kill(getpid(), 0));
	CHECK("kill(self, SIGCHLD)", kill(getpid(), SIGCHLD));
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;
	CHECK("sigaction USR1 ign", sigaction(SIGUSR1, &sa, NULL));
	CHECK("raise(USR1) ignored", raise(SIGUSR1));
	CHECK("sigaction read back", (sigaction(SIGUSR1, NULL, &old), old.sa_handler == SIG_IGN));
	struct rlimit rl;
	CHECK("getrlimit STACK", (getrlimit(RLIMIT_STACK, &rl), rl.rlim_cur));
	CHECK("getrandom 16", getrandom(buf, 16, 0));
	struct timespec ts = { 0, 1000000 };
	CHECK("nanosleep 1ms", nanosleep(&ts, NULL));
	CHECK("clock_gettime bad id", clock_gettime(12345, &ts));
	cpu_set_t cs;
	CHECK("sched_getaffinity", sched_getaffinity(0, sizeof(cs), &cs));
	CHECK("cpu 0 in set", CPU_ISSET(0, &cs));
	CHECK("sched_yield", sched_yield());
	int word = 5;
	CHECK("futex wake", syscall(SYS_futex, &word, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0));
	CHECK("futex wait mismatch", syscall(SYS_futex, &word, 0, 4, NULL, NULL, 0));

	/* scheduling, priorities, file advice and locks, statfs, times */
	struct sched_param sp = { 5 };
	CHECK("sched_getscheduler", sched_getscheduler(0));
	CHECK("sched_getparam prio", (sched_getparam(0, &sp), sp.sched_priority));
	CHECK("sched_get_priority_max FIFO", sched_get_priority_max(SCHED_FIFO));
	CHECK("sched_get_priority_min RR", sched_get_priority_min(SCHED_RR));
	CHECK("sched_get_priority_max OTHER", sched_get_priority_max(SCHED_OTHER));
	CHECK("sched_get_priority_max bad", sched_get_priority_max(1234));
	CHECK("sched_getscheduler(-1)", sched_getscheduler(-1));
	CHECK("sched_getcpu >= 0", sched_getcpu() >= 0);
	int n0 = getpriority(PRIO_PROCESS, 0);
	CHECK("setpriority nice+1", setpriority(PRIO_PROCESS, 0, n0 + 1));
	CHECK("getpriority - old", getpriority(PRIO_PROCESS, 0) - n0);
	CHECK("getpriority bad which", getpriority(77, 0));
	int lf = open("lock.dat", O_RDWR | O_CREAT, 0644);
	CHECK("flock EX|NB", flock(lf, LOCK_EX | LOCK_NB));
	CHECK("flock UN", flock(lf, LOCK_UN));
	CHECK("flock bad op", flock(lf, 1234));
	CHECK("flock bad fd", flock(99, LOCK_SH));
	/* posix_fadvise returns the error number itself */
	CHECK("posix_fadvise SEQUENTIAL", posix_fadvise(lf, 0, 0, POSIX_FADV_SEQUENTIAL));
	CHECK("posix_fadvise bad advice", posix_fadvise(lf, 0, 0, 99));
	CHECK("posix_fadvise bad fd", posix_fadvise(99, 0, 0, POSIX_FADV_NORMAL));
	struct statfs sf, sf2;
	CHECK("statfs .", statfs(".", &sf));
	CHECK("fstatfs same fs type", (fstatfs(lf, &sf2), sf2.f_type == sf.f_type));
	CHECK("statfs missing", statfs("no/such/dir", &sf));
	CHECK("pipe for fstatfs", pipe(fds));
	CHECK("fstatfs pipe is pipefs", (fstatfs(fds[0], &sf2), sf2.f_type == 0x50495045));
	CHECK("posix_fadvise pipe", posix_fadvise(fds[0], 0, 0, POSIX_FADV_NORMAL));
	close(fds[0]);
	close(fds[1]);
	close(lf);
	unlink("lock.dat");
	struct tms tm;
	CHECK("times() != -1", times(&tm) != (clock_t)-1);
	CHECK("sync", (sync(), 0));
	CHECK("unknown syscall 400", syscall(400));
	return 0;
}
