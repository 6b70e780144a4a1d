/*
 * trace.h - watching the machine from the outside (docs/trace.md):
 * the per-instruction trace (--trace, text / JSON Lines / Tenet), the
 * strace view (--strace, emu/trace/strace.c), the statistics (--stats,
 * emu/trace/stats.c) and `lstar tracediff` (emu/trace/tracediff.c).
 *
 * Everything here runs through the observation hooks of cpu/cpu.h: with
 * none of these options the machine has no hooks and the run loop keeps
 * its fast path.  Parsing never prints: it fills struct trace_opts or an
 * error message, like emu/cli/cli.c.
 */
#ifndef LSTAR_TRACE_H
#define LSTAR_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct machine;

enum trace_format { TRACE_TEXT, TRACE_JSONL, TRACE_TENET };
enum strace_mode { STRACE_OFF, STRACE_ON, STRACE_SUMMARY };
enum trace_cpl { TRACE_CPL_ALL, TRACE_CPL_USER, TRACE_CPL_KERNEL };

struct trace_opts {
	bool trace;                /* --trace[=FILE] */
	const char *trace_file;    /* NULL = standard error */
	enum trace_format format;  /* --trace-format */
	bool att;                  /* --syntax att */
	enum trace_cpl cpl;        /* --trace-cpl */
	const char *from, *to;     /* --trace-from / --trace-to (symbol or address) */
	bool has_range;            /* --trace-range LO-HI */
	uint64_t range_lo, range_hi;
	bool syscalls_only;        /* --trace-syscalls */
	enum strace_mode strace;   /* --strace[=summary] */
	bool strace_icount;        /* --strace-icount: prefix with the instruction count */
	const char *strace_file;   /* --strace-output FILE, NULL = standard error */
	bool stats;                /* --stats (also set by emu/cli/cli.c) */
	const char *view_file;     /* --view=FILE.html: the trace viewer's page
	                              (emu/view/view_run.h) */
};

/* Parse argv[*i] if it is one of the options above: 1 = consumed (and *i
 * advanced past a separate value), 0 = not ours, -1 = bad value (err set).
 * All-zero options (or trace_opts_init()) are the defaults. */
void trace_opts_init(struct trace_opts *t);
int trace_parse_opt(struct trace_opts *t, int argc, char **argv, int *i,
		    char *err, size_t errlen);
/* Checks between options (e.g. tenet needs a file); false + err. */
bool trace_opts_check(const struct trace_opts *t, char *err, size_t errlen);
/* Does any option ask for hooks? */
bool trace_opts_active(const struct trace_opts *t);

/* The usage lines of these options (the CLI's usage includes them). */
#define TRACE_USAGE \
	"  --trace[=FILE]    trace every instruction (default: standard error)\n" \
	"  --trace-format F  text (default), jsonl or tenet (tenet needs --trace=FILE)\n" \
	"  --syntax S        disassembly syntax in the trace: intel (default) or att\n" \
	"  --trace-cpl C     trace only user, kernel or all (default) instructions\n" \
	"  --trace-from X    start tracing at symbol or address X (each time it runs)\n" \
	"  --trace-to X      stop tracing after symbol or address X ran\n" \
	"  --trace-range LO-HI  trace only RIPs in [LO, HI)\n" \
	"  --trace-syscalls  trace only from each SYSCALL to its SYSRET/IRETQ\n" \
	"  --strace[=summary]  print every task's system calls as strace -f does\n" \
	"                    (summary: strace -c)\n" \
	"  --strace-icount   prefix each strace line with the SYSCALL's instruction number\n" \
	"  --strace-output FILE  write the strace lines to FILE (default: standard error)\n" \
	"  --view=FILE.html  trace the run and write the trace viewer's page (lstar view)\n"
extern const char trace_usage[];

struct trace_session;

/* Install the hooks on a booted machine (symbols loaded).  NULL + err
 * when a file cannot be opened or a --trace-from symbol is unknown. */
struct trace_session *trace_start(struct machine *m, const struct trace_opts *t,
				  char *err, size_t errlen);
/* The machine stopped with `status` (lstar's exit status): flush the
 * trace, print strace's last lines and the statistics, remove the hooks
 * and free everything.  NULL is fine. */
void trace_finish(struct trace_session *s, int status);

/* `lstar tracediff A B [--context N]` (emu/trace/tracediff.c): argv[0] is
 * "tracediff".  Returns the exit status: 0 same, 1 different, 2 usage. */
int tracediff_main(int argc, char **argv);

#endif
