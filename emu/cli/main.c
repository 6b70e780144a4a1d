/*
 * main.c - the `lstar` command (docs/cli.md): parse the command line, make
 * a machine through the public API, boot a kernel with the firmware, run
 * it and turn the way it stopped into an exit status (platform.md §5).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lstar/bootinfo.h"
#include "lstar/lstar.h"
#include "cpu/apic.h"
#include "emu/cli/cli.h"
#include "emu/firmware.h"
#include "emu/hostcall/hostcall.h"
#include "emu/machine.h"
#include "emu/symbols.h"
#include "emu/gdb/gdbstub.h"
#include "emu/trace/trace.h"
#include "emu/view/view.h"
#include "emu/view/view_run.h"

extern char **environ;

#define EXIT_USAGE 2
#define EXIT_LOAD 1
#define EXIT_LIMIT 124
#define EXIT_HALT 125
#define EXIT_TRIPLE 126
#define EXIT_UNSUPPORTED 123
#define EXIT_SIGINT 130

static struct cpu *volatile running_cpu;
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	if (running_cpu)
		running_cpu->stop = STOP_INTERRUPT;
	/* A second Ctrl-C kills lstar even if the run loop is stuck. */
	signal(SIGINT, SIG_DFL);
}

/* A mistake on the command line: the problem and where to read more, on
 * standard error, status 2 (the GNU convention); the help itself only
 * with --help, on standard output. */
static int usage_error(const char *msg)
{
	fprintf(stderr, "lstar: %s\nTry 'lstar --help' for more information.\n", msg);
	return EXIT_USAGE;
}

/* " <symbol+0xoff>" for an address, or "". */
static const char *symbolize(struct machine *m, uint64_t addr, char *buf, size_t len)
{
	uint64_t off;
	const char *s = sym_lookup(m->syms, addr, &off);
	if (!s)
		snprintf(buf, len, "%s", "");
	else if (off)
		snprintf(buf, len, " <%s+0x%" PRIx64 ">", s, off);
	else
		snprintf(buf, len, " <%s>", s);
	return buf;
}

static void print_stat(unsigned nr, uint64_t count, void *arg)
{
	(void)arg;
	fprintf(stderr, "lstar: unimplemented system call %u called %" PRIu64 " time%s\n",
		nr, count, count == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	struct cli_opts o;
	char err[512];
	if (argc >= 2 && !strcmp(argv[1], "tracediff"))
		return tracediff_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "view"))
		return view_main(argc - 1, argv + 1);
	if (!cli_parse(argc, argv, &o, err, sizeof(err)))
		return usage_error(err);
	if (o.action == CLI_HELP) {
		fputs(cli_usage, stdout);
		return 0;
	}
	if (o.action == CLI_VERSION) {
		printf("lstar %s\n", LSTAR_VERSION);
		return 0;
	}

	/* The console file is opened here so a bad path is a usage error
	 * (status 2) reported before anything else happens. */
	int console_fd = 0;
	if (o.console) {
		console_fd = open(o.console, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (console_fd < 0) {
			fprintf(stderr, "lstar: cannot open console file %s: %s\n", o.console,
				strerror(errno));
			return EXIT_USAGE;
		}
		if (console_fd == 0) {   /* 0 means "stderr" in lstar_config */
			int fd = fcntl(console_fd, F_DUPFD_CLOEXEC, 3);
			close(console_fd);
			console_fd = fd;
		}
	}
	if (o.root && access(o.root, X_OK) != 0) {
		fprintf(stderr, "lstar: --root %s: %s\n", o.root, strerror(errno));
		return EXIT_USAGE;
	}

	struct lstar_config cfg = {
		.mem_size = o.mem,
		.vendor = o.vendor ? LSTAR_VENDOR_AMD : LSTAR_VENDOR_INTEL,
		.cpu_level = (enum lstar_cpu_level)o.cpu_level,
		.console_fd = console_fd,
	};
	lstar_machine *lm = lstar_machine_new(&cfg, err, sizeof(err));
	if (!lm) {
		fprintf(stderr, "lstar: cannot make the machine: %s\n", err);
		return EXIT_LOAD;
	}
	struct machine *m = (struct machine *)lm;   /* api.c: the handle is the machine */

	if (o.root || o.seeded) {
		struct hostcall_config hcfg = { .root = o.root, .seeded = o.seeded, .seed = o.seed };
		if (hostcall_configure(m->hc, &hcfg, err, sizeof(err)) != 0) {
			fprintf(stderr, "lstar: --root %s: %s\n", o.root, err);
			lstar_machine_free(lm);
			return EXIT_USAGE;
		}
		if (o.root)
			firmware_set_boot_flags(m, LSTAR_BOOT_F_ROOT);
		if (o.seeded)
			firmware_set_seed(m, o.seed);
	}

	/* PROGRAM without a slash is looked for in PATH, as execvp(3) does;
	 * the program still gets the name as its argv[0]. */
	static char prog_path[4096];
	if (o.prog_argv) {
		int e = cli_find_program(o.prog_argv[0], getenv("PATH"), prog_path, sizeof(prog_path));
		if (e) {
			if (e == ENOENT && !strchr(o.prog_argv[0], '/'))
				fprintf(stderr, "lstar: %s: command not found in PATH\n", o.prog_argv[0]);
			else
				fprintf(stderr, "lstar: %s: %s\n", o.prog_argv[0], strerror(e));
			lstar_machine_free(lm);
			return EXIT_LOAD;
		}
		if (strcmp(prog_path, o.prog_argv[0]))
			firmware_set_program_path(m, prog_path);
	}

	const char *const *pargv = (const char *const *)o.prog_argv;
	const char *const *penv = (const char *const *)environ;
	enum lstar_status st;
	if (o.kernel) {
		st = lstar_boot_kernel(lm, o.kernel, pargv, penv, err, sizeof(err));
	} else {
		size_t ksize;
		const void *kimage = lstar_default_kernel_image(&ksize);
		st = lstar_boot_kernel_image(lm, kimage, ksize, "built-in kernel",
					     pargv, penv, err, sizeof(err));
	}
	if (st != LSTAR_OK) {
		fprintf(stderr, "lstar: %s\n", err);
		lstar_machine_free(lm);
		return EXIT_LOAD;
	}

	/* --view=FILE: a JSON Lines trace for the page (emu/view/view_run.h). */
	struct view_run vr;
	if (view_run_begin(&o.trace, o.prog_argv ? o.prog_argv[0] : o.kernel, &vr, err, sizeof(err))) {
		fprintf(stderr, "lstar: %s\n", err);
		lstar_machine_free(lm);
		return EXIT_LOAD;
	}
	/* --trace, --strace, --stats: hooks only when asked (emu/trace/trace.c). */
	struct trace_session *ts = NULL;
	if (trace_opts_active(&o.trace) && !(ts = trace_start(m, &o.trace, err, sizeof(err)))) {
		fprintf(stderr, "lstar: %s\n", err);
		view_run_abandon(&vr);
		lstar_machine_free(lm);
		return EXIT_USAGE;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	running_cpu = &m->cpu;
	sigaction(SIGINT, &sa, NULL);

	struct lstar_exit ex;
	int status;
	char sym[300];
	uint64_t budget = o.max_insns;
	if (o.gdb) {   /* gdb drives the machine until it detaches (emu/gdb/gdbstub.c) */
		status = gdbstub_serve(m, o.gdb, stderr, err, sizeof(err));
		if (status == -1) {
			fprintf(stderr, "lstar: %s\n", err);
			status = EXIT_USAGE;
		}
		if (status != GDB_DETACHED)
			goto done;
	}
	for (;;) {
		lstar_run(lm, 0, budget, &ex);
		if (interrupted && hostcall_sigint_vector(m->hc) &&
		    apic_raise(&m->cpu, (uint8_t)hostcall_sigint_vector(m->hc))) {
			/* The guest kernel takes Ctrl-C as an interrupt and
			 * sends SIGINT to the foreground processes, which may
			 * handle it.  The handler is armed again: a second
			 * Ctrl-C before the run loop gets here kills lstar. */
			interrupted = 0;
			m->cpu.stop = STOP_NONE;
			sigaction(SIGINT, &sa, NULL);
			if (o.max_insns) {
				if (ex.icount >= o.max_insns)
					goto limit;
				budget = o.max_insns - ex.icount;
			}
			continue;
		}
		if (interrupted) {
			fprintf(stderr, "lstar: interrupted (SIGINT) at RIP=0x%" PRIx64 "%s after %" PRIu64
				" instructions\n", m->cpu.rip, symbolize(m, m->cpu.rip, sym, sizeof(sym)),
				ex.icount);
			status = EXIT_SIGINT;
			break;
		}
		switch (ex.event) {
		case LSTAR_EV_POWEROFF:
			status = ex.exit_status & 0xFF;
			goto done;
		case LSTAR_EV_HALT:
			if (m->cpu.rflags & F_IF)   /* cpu/interrupt.c says why */
				fprintf(stderr, "lstar: %s%s\n", ex.message,
					symbolize(m, m->cpu.rip, sym, sizeof(sym)));
			else
				fprintf(stderr, "lstar: HLT with interrupts disabled at RIP=0x%" PRIx64
					"%s: nothing can wake the machine\n", m->cpu.rip,
					symbolize(m, m->cpu.rip, sym, sizeof(sym)));
			status = EXIT_HALT;
			goto done;
		case LSTAR_EV_TRIPLE_FAULT:
			if (!strncmp(ex.message, "triple fault", 12))
				fprintf(stderr, "lstar: %s\n", ex.message);
			else
				fprintf(stderr, "lstar: triple fault%s%s\n",
					ex.message[0] ? ": " : "", ex.message);
			machine_dump_state(m, stderr);
			status = EXIT_TRIPLE;
			goto done;
		case LSTAR_EV_LIMIT:
limit:
			fprintf(stderr, "lstar: instruction limit reached: %" PRIu64
				" instructions, stopped at RIP=0x%" PRIx64 "%s\n", ex.icount,
				m->cpu.rip, symbolize(m, m->cpu.rip, sym, sizeof(sym)));
			status = EXIT_LIMIT;
			goto done;
		case LSTAR_EV_UNSUPPORTED:
			fprintf(stderr, "lstar: unsupported: %s (RIP=0x%" PRIx64 "%s)\n",
				ex.message[0] ? ex.message : "the guest entered a mode lstar does not model",
				m->cpu.rip, symbolize(m, m->cpu.rip, sym, sizeof(sym)));
			machine_dump_state(m, stderr);
			status = EXIT_UNSUPPORTED;
			goto done;
		default:
			/* No event was asked for; keep going with what is left
			 * of the budget (icount counts from the machine's start,
			 * and booting runs no instruction). */
			if (o.max_insns) {
				if (ex.icount >= o.max_insns)
					goto limit;
				budget = o.max_insns - ex.icount;
			}
			continue;
		}
	}
done:
	running_cpu = NULL;
	trace_finish(ts, status);
	if (view_run_end(&vr, err, sizeof(err))) {
		fprintf(stderr, "lstar: view: %s\n", err);
		status = EXIT_LOAD;
	}
	if (o.stats)
		hostcall_stats(m->hc, print_stat, NULL);
	fflush(stdout);
	lstar_machine_free(lm);
	return status;
}
