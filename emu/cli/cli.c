/*
 * cli.c - parsing `lstar run [options] [--] [PROGRAM [ARGS...]]`.
 * Options end at the first argument that is not an option (or at "--"),
 * so a program's own options pass through untouched.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/cli/cli.h"
#include "emu/gdb/gdbstub.h"
#include "emu/view/view.h"

const char cli_usage[] =
	"usage: lstar run [OPTIONS] [--] [PROGRAM [ARGS...]]\n"
	"       lstar tracediff [--context N] A.jsonl B.jsonl\n"
	VIEW_USAGE_LINE
	"       lstar --help | --version\n"
	"\n"
	"Boots a kernel on the lstar x86-64 machine.  Without --kernel the built-in\n"
	"kernel boots and runs PROGRAM (an x86-64 Linux ELF, static or dynamically\n"
	"linked, or a #! script; looked for in PATH when the name has no slash);\n"
	"with --kernel FILE that kernel boots, with PROGRAM (if any) described in\n"
	"its boot info.\n"
	"\n"
	"options:\n"
	"  --kernel FILE     boot this ELF64 x86-64 kernel instead of the built-in one\n"
	"  --console FILE    write the debug console (port 0xE9) to FILE (default: stderr)\n"
	"  --vendor V        CPU vendor: intel (default) or amd\n"
	"  --cpu LEVEL       CPU model: x86-64, x86-64-v2 or x86-64-v3 (default); CPUID\n"
	"                    reports that level and later instructions raise #UD\n"
	"  --mem SIZE        guest RAM, K, M or G suffix (2M..64G); default 256M, growing on request\n"
	"  --max-insns N     stop after N instructions (status 124)\n"
	"  --root DIR        confine the guest's file system view to DIR\n"
	"  --seed N          reproducible runs: random bytes from a generator seeded\n"
	"                    with N, clocks that count instructions, instant sleeps\n"
	"  --gdb [HOST:]PORT halt before the first instruction and wait for gdb\n"
	"                    (target remote :PORT) on 127.0.0.1:PORT; see docs/gdb.md\n"
	"  --stats           on exit: instructions per CPL, system calls, exceptions and\n"
	"                    interrupts, context switches, halted time, MIPS, and the\n"
	"                    system calls the kernel did not implement\n"
	TRACE_USAGE
	"  -h, --help        show this help\n"
	"  --version         show the version\n"
	"\n"
	"exit status: the guest's (power-off value & 0xFF); 2 bad usage; 1 a kernel or\n"
	"program that cannot be loaded or found; 124 instruction limit; 125 HLT with\n"
	"interrupts disabled; 126 triple fault; 130 interrupted.  See docs/cli.md.\n";

bool cli_parse_size(const char *s, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return false;
	if (shift && v > (~0ULL >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

bool cli_parse_count(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool err_out(char *err, size_t errlen, const char *fmt, const char *a)
{
	snprintf(err, errlen, fmt, a);
	return false;
}

/* The value of option `name` from "--name=value" or the next argument. */
static const char *value_of(int argc, char **argv, int *i, const char *arg, const char *name,
			    char *err, size_t errlen)
{
	size_t l = strlen(name);
	if (arg[l] == '=')
		return arg + l + 1;
	if (*i + 1 >= argc) {
		err_out(err, errlen, "option %s needs a value", name);
		return NULL;
	}
	return argv[++*i];
}

static bool is_opt(const char *arg, const char *name)
{
	size_t l = strlen(name);
	return !strncmp(arg, name, l) && (arg[l] == 0 || arg[l] == '=');
}

bool cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->action = CLI_RUN;
	if (argc < 2)
		return err_out(err, errlen, "%s", "no command given (the command is 'run')");
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		o->action = CLI_HELP;
		return true;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		o->action = CLI_VERSION;
		return true;
	}
	if (strcmp(cmd, "run"))
		return err_out(err, errlen, cmd[0] == '-' ? "unknown option '%s'" :
			       "unknown command '%s' (the command is 'run')", cmd);
	int i;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == 0)
			break;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			o->action = CLI_HELP;
			return true;
		}
		if (!strcmp(a, "--version")) {
			o->action = CLI_VERSION;
			return true;
		}
		int tr = trace_parse_opt(&o->trace, argc, argv, &i, err, errlen);
		if (tr < 0)
			return false;
		if (tr > 0)
			continue;
		if (!strcmp(a, "--stats")) {
			o->stats = true;
			o->trace.stats = true;
		} else if (is_opt(a, "--gdb")) {
			if (!(v = value_of(argc, argv, &i, a, "--gdb", err, errlen)))
				return false;
			char host[64];
			uint16_t port;
			if (!gdbstub_parse_addr(v, host, sizeof host, &port, err, errlen))
				return false;
			o->gdb = v;
		} else if (is_opt(a, "--kernel")) {
			if (!(v = value_of(argc, argv, &i, a, "--kernel", err, errlen)))
				return false;
			if (!*v)
				return err_out(err, errlen, "%s", "--kernel needs a file name");
			o->kernel = v;
		} else if (is_opt(a, "--console")) {
			if (!(v = value_of(argc, argv, &i, a, "--console", err, errlen)))
				return false;
			if (!*v)
				return err_out(err, errlen, "%s", "--console needs a file name");
			o->console = v;
		} else if (is_opt(a, "--root")) {
			if (!(v = value_of(argc, argv, &i, a, "--root", err, errlen)))
				return false;
			if (!*v)
				return err_out(err, errlen, "%s", "--root needs a directory");
			o->root = v;
		} else if (is_opt(a, "--seed")) {
			if (!(v = value_of(argc, argv, &i, a, "--seed", err, errlen)))
				return false;
			char *end;
			errno = 0;
			unsigned long long n = strtoull(v, &end, 0);
			if (!isdigit((unsigned char)*v) || *end || errno)
				return err_out(err, errlen,
					       "invalid --seed '%s' (expected a whole number, decimal or 0x hex)", v);
			o->seeded = true;
			o->seed = n;
		} else if (is_opt(a, "--vendor")) {
			if (!(v = value_of(argc, argv, &i, a, "--vendor", err, errlen)))
				return false;
			if (!strcasecmp(v, "intel"))
				o->vendor = 0;
			else if (!strcasecmp(v, "amd"))
				o->vendor = 1;
			else
				return err_out(err, errlen,
					       "invalid --vendor '%s' (expected intel or amd)", v);
		} else if (is_opt(a, "--cpu")) {
			if (!(v = value_of(argc, argv, &i, a, "--cpu", err, errlen)))
				return false;
			if (!strcasecmp(v, "x86-64") || !strcasecmp(v, "x86-64-v1"))
				o->cpu_level = 1;
			else if (!strcasecmp(v, "x86-64-v2"))
				o->cpu_level = 2;
			else if (!strcasecmp(v, "x86-64-v3"))
				o->cpu_level = 3;
			else
				return err_out(err, errlen,
					       "invalid --cpu '%s' (expected x86-64, x86-64-v2 or x86-64-v3)", v);
		} else if (is_opt(a, "--mem")) {
			if (!(v = value_of(argc, argv, &i, a, "--mem", err, errlen)))
				return false;
			uint64_t sz;
			if (!cli_parse_size(v, &sz))
				return err_out(err, errlen,
					       "invalid --mem '%s' (expected a size like 256M or 1G)", v);
			if (sz == 0)
				return err_out(err, errlen, "invalid --mem '%s': the size must not be 0", v);
			if (sz < CLI_MEM_MIN)
				return err_out(err, errlen, "invalid --mem '%s': at least 2M is needed", v);
			if (sz > CLI_MEM_MAX)
				return err_out(err, errlen, "invalid --mem '%s': at most 64G is supported", v);
			if (sz & 0xFFF)
				return err_out(err, errlen,
					       "invalid --mem '%s': must be a multiple of 4K", v);
			o->mem = sz;
		} else if (is_opt(a, "--max-insns")) {
			if (!(v = value_of(argc, argv, &i, a, "--max-insns", err, errlen)))
				return false;
			uint64_t n;
			if (!cli_parse_count(v, &n))
				return err_out(err, errlen,
					       "invalid --max-insns '%s' (expected a positive whole number)", v);
			if (n == 0)
				return err_out(err, errlen, "invalid --max-insns '%s': must be at least 1", v);
			o->max_insns = n;
		} else {
			return err_out(err, errlen, "unknown option '%s'", a);
		}
	}
	if (o->gdb && trace_opts_active(&o->trace))   /* both need the CPU's one hook slot */
		return err_out(err, errlen, "%s",
			       "--gdb cannot be combined with --trace, --strace or --stats");
	if (i < argc)
		o->prog_argv = &argv[i];
	if (!trace_opts_check(&o->trace, err, errlen))
		return false;
	if (!o->kernel && !o->prog_argv)
		return err_out(err, errlen, "%s",
			       "no PROGRAM given (the built-in kernel needs a program; or use --kernel FILE)");
	return true;
}

/* The search of execvp(3): each directory of PATH in turn, an empty entry
 * meaning the current directory; a file that is there but not executable
 * is passed over, and reported (EACCES) only if nothing else is found. */
int cli_find_program(const char *name, const char *path, char *buf, size_t len)
{
	if (!*name)
		return ENOENT;
	if (strchr(name, '/')) {
		if (strlen(name) >= len)
			return ENAMETOOLONG;
		memcpy(buf, name, strlen(name) + 1);
		return 0;
	}
	if (!path)
		path = CLI_DEFAULT_PATH;
	int err = ENOENT;
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t dl = end ? (size_t)(end - p) : strlen(p);
		int n = dl ? snprintf(buf, len, "%.*s/%s", (int)dl, p, name)
			   : snprintf(buf, len, "%s", name);
		struct stat st;   /* a path too long for buf is passed over */
		if (n >= 0 && (size_t)n < len && stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return 0;
			err = EACCES;
		}
		if (!end)
			break;
		p = end;
	}
	return err;
}
