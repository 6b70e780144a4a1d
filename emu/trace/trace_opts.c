/*
 * trace_opts.c - the command-line options of the trace, the strace view
 * and the statistics (docs/trace.md).  emu/cli/cli.c hands every argument to
 * trace_parse_opt() first; parsing never prints (like emu/cli/cli.c).
 * Symbols are resolved later, by trace_start() once the kernel is booted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/trace/trace.h"

const char trace_usage[] = TRACE_USAGE;

void trace_opts_init(struct trace_opts *t)
{
	memset(t, 0, sizeof(*t));
}

static int opt_value(int argc, char **argv, int *i, const char *name, const char **v,
		     char *err, size_t errlen)
{
	const char *a = argv[*i];
	size_t l = strlen(name);
	if (a[l] == '=') {
		*v = a + l + 1;
	} else if (*i + 1 < argc) {
		*v = argv[++*i];
	} else {
		snprintf(err, errlen, "option %s needs a value", name);
		return -1;
	}
	return 1;
}

static bool is_named(const char *a, const char *name)
{
	size_t l = strlen(name);
	return !strncmp(a, name, l) && (a[l] == 0 || a[l] == '=');
}

static bool parse_addr(const char *v, uint64_t *out)
{
	if (!*v)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end)
		return false;
	*out = x;
	return true;
}

int trace_parse_opt(struct trace_opts *t, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *a = argv[*i], *v;
	if (!strcmp(a, "--trace")) {
		t->trace = true;
		t->trace_file = NULL;
		return 1;
	}
	if (!strncmp(a, "--trace=", 8)) {
		if (!a[8]) {
			snprintf(err, errlen, "--trace= needs a file name");
			return -1;
		}
		t->trace = true;
		t->trace_file = a + 8;
		return 1;
	}
	if (is_named(a, "--trace-format")) {
		if (opt_value(argc, argv, i, "--trace-format", &v, err, errlen) < 0)
			return -1;
		if (!strcmp(v, "text"))
			t->format = TRACE_TEXT;
		else if (!strcmp(v, "jsonl"))
			t->format = TRACE_JSONL;
		else if (!strcmp(v, "tenet"))
			t->format = TRACE_TENET;
		else {
			snprintf(err, errlen, "invalid --trace-format '%s' (expected text, jsonl or tenet)", v);
			return -1;
		}
		return 1;
	}
	if (is_named(a, "--syntax")) {
		if (opt_value(argc, argv, i, "--syntax", &v, err, errlen) < 0)
			return -1;
		if (!strcmp(v, "intel"))
			t->att = false;
		else if (!strcmp(v, "att"))
			t->att = true;
		else {
			snprintf(err, errlen, "invalid --syntax '%s' (expected intel or att)", v);
			return -1;
		}
		return 1;
	}
	if (is_named(a, "--trace-cpl")) {
		if (opt_value(argc, argv, i, "--trace-cpl", &v, err, errlen) < 0)
			return -1;
		if (!strcmp(v, "user"))
			t->cpl = TRACE_CPL_USER;
		else if (!strcmp(v, "kernel"))
			t->cpl = TRACE_CPL_KERNEL;
		else if (!strcmp(v, "all"))
			t->cpl = TRACE_CPL_ALL;
		else {
			snprintf(err, errlen, "invalid --trace-cpl '%s' (expected user, kernel or all)", v);
			return -1;
		}
		return 1;
	}
	if (is_named(a, "--trace-from") || is_named(a, "--trace-to")) {
		bool from = is_named(a, "--trace-from");
		const char *name = from ? "--trace-from" : "--trace-to";
		if (opt_value(argc, argv, i, name, &v, err, errlen) < 0)
			return -1;
		if (!*v) {
			snprintf(err, errlen, "%s needs a symbol or an address", name);
			return -1;
		}
		*(from ? &t->from : &t->to) = v;
		return 1;
	}
	if (is_named(a, "--trace-range")) {
		if (opt_value(argc, argv, i, "--trace-range", &v, err, errlen) < 0)
			return -1;
		char lo[64];
		const char *dash = strchr(v, '-');
		size_t n = dash ? (size_t)(dash - v) : 0;
		if (!dash || n >= sizeof(lo) || (memcpy(lo, v, n), lo[n] = 0, false) ||
		    !parse_addr(lo, &t->range_lo) || !parse_addr(dash + 1, &t->range_hi) ||
		    t->range_hi <= t->range_lo) {
			snprintf(err, errlen, "invalid --trace-range '%s' (expected LO-HI, e.g. 0x401000-0x402000)", v);
			return -1;
		}
		t->has_range = true;
		return 1;
	}
	if (is_named(a, "--view")) {
		if (opt_value(argc, argv, i, "--view", &v, err, errlen) < 0)
			return -1;
		if (!*v) {
			snprintf(err, errlen, "--view needs a file name (FILE.html)");
			return -1;
		}
		t->view_file = v;
		return 1;
	}
	if (!strcmp(a, "--trace-syscalls")) {
		t->syscalls_only = true;
		return 1;
	}
	if (!strcmp(a, "--strace")) {
		t->strace = STRACE_ON;
		return 1;
	}
	if (!strncmp(a, "--strace=", 9)) {
		if (!strcmp(a + 9, "summary"))
			t->strace = STRACE_SUMMARY;
		else if (!strcmp(a + 9, "full"))
			t->strace = STRACE_ON;
		else {
			snprintf(err, errlen, "invalid --strace value '%s' (expected summary)", a + 9);
			return -1;
		}
		return 1;
	}
	if (!strcmp(a, "--strace-icount")) {
		t->strace_icount = true;
		if (t->strace == STRACE_OFF)
			t->strace = STRACE_ON;
		return 1;
	}
	if (is_named(a, "--strace-output")) {
		if (opt_value(argc, argv, i, "--strace-output", &v, err, errlen) < 0)
			return -1;
		if (!*v) {
			snprintf(err, errlen, "--strace-output needs a file name");
			return -1;
		}
		t->strace_file = v;
		if (t->strace == STRACE_OFF)
			t->strace = STRACE_ON;
		return 1;
	}
	return 0;
}

bool trace_opts_check(const struct trace_opts *t, char *err, size_t errlen)
{
	bool filters = t->cpl != TRACE_CPL_ALL || t->from || t->to || t->has_range || t->syscalls_only ||
		       t->format != TRACE_TEXT || t->att;
	if (t->view_file && t->trace && (t->format != TRACE_JSONL || !t->trace_file)) {
		snprintf(err, errlen, "--view needs its trace as a JSON Lines file "
			 "(--trace=FILE --trace-format jsonl), or no --trace at all");
		return false;
	}
	if (filters && !t->trace && !t->view_file) {
		snprintf(err, errlen, "the --trace-* options and --syntax need --trace");
		return false;
	}
	if (t->trace && t->format == TRACE_TENET && !t->trace_file) {
		snprintf(err, errlen, "--trace-format tenet needs --trace=FILE (the side-car is FILE.side.jsonl)");
		return false;
	}
	return true;
}

bool trace_opts_active(const struct trace_opts *t)
{
	return t->trace || t->strace != STRACE_OFF || t->stats || t->view_file;
}
