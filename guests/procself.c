/* procself.c - /proc/self as a program sees itself: status, stat, statm,
 * cmdline, environ and comm must describe this process (its pid, parent,
 * group, session, name, arguments, memory), not whatever runs it.  Prints
 * relations and the fields that do not depend on the machine, so a
 * native run and an lstar run compare line by line.  Run with arguments
 * (they are compared with cmdline) and LSTAR_TEST_VAR set. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[1 << 16];

static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long got = 0, r;
	if (fd < 0)
		return -1;
	while ((r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += r;
	close(fd);
	buf[got] = 0;
	return got;
}

/* The value of "Key:" in /proc/self/status, as a number (first field). */
static long status_num(const char *key)
{
	char pat[64];
	slurp("/proc/self/status");
	snprintf(pat, sizeof(pat), "\n%s:", key);
	char *p = strstr(buf, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static const char *status_str(const char *key)
{
	static char val[256];
	char pat[64];
	slurp("/proc/self/status");
	snprintf(pat, sizeof(pat), "%s:\t", key);
	char *p = strstr(buf, pat);
	if (!p)
		return "(missing)";
	p += strlen(pat);
	size_t n = strcspn(p, "\n");
	snprintf(val, sizeof(val), "%.*s", (int)n, p);
	return val;
}

/* /proc/self/stat field n (1-based); the name in parentheses may hold
 * spaces, so fields after it are counted from the last ')'. */
static char stat_field[64][64];
static int stat_fields(void)
{
	slurp("/proc/self/stat");
	char *close = strrchr(buf, ')');
	char *open = strchr(buf, '(');
	int n = 0;
	snprintf(stat_field[n++], 64, "%.*s", (int)(open - buf - 1), buf);
	snprintf(stat_field[n++], 64, "%.*s", (int)(close - open + 1), open);
	for (char *t = strtok(close + 2, " \n"); t && n < 64; t = strtok(NULL, " \n"))
		snprintf(stat_field[n++], 64, "%s", t);
	return n;
}

static long statf(int n)
{
	return strtol(stat_field[n - 1], NULL, 10);
}

#define SHOW(what, v) printf("%-44s %ld\n", what, (long)(v))

int main(int argc, char **argv)
{
	/* status: identity */
	printf("%-44s %s\n", "Name", status_str("Name"));
	printf("%-44s %s\n", "State", status_str("State"));
	SHOW("Pid == getpid", status_num("Pid") == getpid());
	SHOW("Tgid == getpid", status_num("Tgid") == getpid());
	SHOW("PPid == getppid", status_num("PPid") == getppid());
	SHOW("NSpgid == getpgrp", status_num("NSpgid") == getpgrp());
	SHOW("NSsid == getsid", status_num("NSsid") == getsid(0));
	SHOW("Uid == getuid", status_num("Uid") == (long)getuid());
	SHOW("Gid == getgid", status_num("Gid") == (long)getgid());
	mode_t um = umask(027);
	printf("%-44s %s\n", "Umask after umask(027)", status_str("Umask"));
	umask(um);
	SHOW("Threads", status_num("Threads"));
	printf("%-44s %s\n", "SigBlk", status_str("SigBlk"));

	/* status: memory, and how it moves */
	long rss0 = status_num("VmRSS"), size0 = status_num("VmSize");
	SHOW("VmRSS > 0", rss0 > 0);
	SHOW("VmSize >= VmRSS", size0 >= rss0);
	SHOW("VmHWM >= VmRSS", status_num("VmHWM") >= rss0);
	SHOW("VmStk > 0", status_num("VmStk") > 0);
	SHOW("VmExe > 0", status_num("VmExe") > 0);
	size_t big = 16 << 20;
	char *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW("VmSize grew by 16 MiB (mmap)", status_num("VmSize") - size0 >= 16384);
	SHOW("VmRSS did not (untouched)", status_num("VmRSS") - rss0 < 4096);
	memset(p, 1, big);
	long rss1 = status_num("VmRSS");
	SHOW("VmRSS grew by 16 MiB (touched)", rss1 - rss0 >= 16384);
	SHOW("VmData grew by 16 MiB", status_num("VmData") >= 16384);
	munmap(p, big);
	SHOW("VmRSS back down (munmap)", status_num("VmRSS") < rss1 - 8192);
	SHOW("VmHWM >= VmRSS", status_num("VmHWM") >= status_num("VmRSS"));

	/* stat */
	int n = stat_fields();
	SHOW("stat fields >= 52", n >= 52);
	SHOW("stat pid == getpid", statf(1) == getpid());
	char comm[32];
	snprintf(comm, sizeof(comm), "(%s)", status_str("Name"));
	SHOW("stat comm == (Name)", !strcmp(stat_field[1], comm));
	printf("%-44s %s\n", "stat state", stat_field[2]);
	SHOW("stat ppid == getppid", statf(4) == getppid());
	SHOW("stat pgrp == getpgrp", statf(5) == getpgrp());
	SHOW("stat session == getsid", statf(6) == getsid(0));
	SHOW("stat nice", statf(19));
	SHOW("stat num_threads", statf(20));
	SHOW("stat vsize == VmSize", statf(23) / 1024 == status_num("VmSize"));
	/* (stat's rss is not compared: Linux's per-CPU counters can show 0
	 * for a small process there while status has the sum.) */
	n = stat_fields();
	n = stat_fields();
	SHOW("stat startcode <= main < endcode",
	     (unsigned long)statf(26) <= (unsigned long)main &&
	     (unsigned long)main < (unsigned long)statf(27));
	SHOW("stat startstack above a local", (unsigned long)statf(28) > (unsigned long)&n);
	SHOW("stat arg_start == argv[0]", (unsigned long)statf(48) == (unsigned long)argv[0]);
	SHOW("stat exit_signal", statf(38));

	/* statm: pages */
	slurp("/proc/self/statm");
	long size = strtol(buf, NULL, 10);
	SHOW("statm size == VmSize", size * 4 == status_num("VmSize"));

	/* cmdline: the arguments as given, NUL-separated */
	long len = slurp("/proc/self/cmdline");
	long want = 0;
	int same = 1;
	for (int i = 0; i < argc; i++) {
		same &= !strcmp(buf + want, argv[i]);
		want += strlen(argv[i]) + 1;
	}
	SHOW("cmdline length", len == want);
	SHOW("cmdline == argv", same);
	/* Linux reads the arguments from the process's memory. */
	char save = argv[argc - 1][0];
	argv[argc - 1][0] = 'X';
	slurp("/proc/self/cmdline");
	SHOW("cmdline shows a changed argv", buf[want - strlen(argv[argc - 1]) - 1] == 'X');
	argv[argc - 1][0] = save;

	/* environ */
	len = slurp("/proc/self/environ");
	int found = 0;
	for (long i = 0; i < len; i += strlen(buf + i) + 1)
		found |= !strcmp(buf + i, "LSTAR_TEST_VAR=procself");
	SHOW("environ has LSTAR_TEST_VAR", found);

	/* comm, and prctl(PR_SET_NAME) */
	slurp("/proc/self/comm");
	char name[32];
	snprintf(name, sizeof(name), "%s\n", status_str("Name"));
	slurp("/proc/self/comm");
	SHOW("comm == Name", !strcmp(buf, name));
	prctl(PR_SET_NAME, "renamed-proc");
	slurp("/proc/self/comm");
	printf("%-44s %s", "comm after PR_SET_NAME", buf);
	printf("%-44s %s\n", "Name after PR_SET_NAME", status_str("Name"));

	/* A child is another process. */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		SHOW("child: stat pid == getpid", (stat_fields(), statf(1)) == getpid());
		SHOW("child: PPid == getppid", status_num("PPid") == getppid());
		printf("%-44s %s\n", "child: Name (inherited)", status_str("Name"));
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	SHOW("parent: Pid == getpid again", status_num("Pid") == getpid());
	printf("%-44s %s\n", "parent: Name", status_str("Name"));

	/* Other spellings of self. */
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", getpid());
	slurp(path);
	SHOW("/proc/<pid>/stat is ours", strtol(buf, NULL, 10) == getpid());
	slurp("/proc/thread-self/comm");
	printf("%-44s %s", "/proc/thread-self/comm", buf);
	return 0;
}
