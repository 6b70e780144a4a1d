/*
 * view_run.h - `lstar run --view=FILE.html` (docs/cli.md): trace the run
 * to JSON Lines and write the page when it ends, in one go.
 * emu/cli/main.c calls view_run_begin() before trace_start() and
 * view_run_end() after trace_finish().
 */
#ifndef LSTAR_VIEW_RUN_H
#define LSTAR_VIEW_RUN_H

#include <stddef.h>

#include "emu/trace/trace.h"

struct view_run {
	const char *out;         /* the page; NULL: no --view */
	const char *trace;       /* the JSON Lines trace it is made from */
	const char *name;        /* what the page calls it (the program) */
	char tmp[4096];          /* a temporary trace to remove, or "" */
};

/* With t->view_file: make t trace to a temporary JSON Lines file unless
 * it already traces to one (--trace=FILE --trace-format jsonl, which is
 * then kept).  0, or -1 + err. */
int view_run_begin(struct trace_opts *t, const char *what, struct view_run *vr, char *err,
		   size_t errlen);
/* The run is over and the trace closed: write the page and remove the
 * temporary trace.  0, or -1 + err (no page is left behind). */
int view_run_end(struct view_run *vr, char *err, size_t errlen);
/* The run did not happen: remove the temporary trace. */
void view_run_abandon(struct view_run *vr);

#endif
