/*
 * view.h - `lstar view`: one self-contained HTML page that shows a JSON
 * Lines trace (docs/trace.md, "The trace viewer"): a timeline of the run
 * with the CPL lanes and the system calls, the strace view, the
 * instruction list, the machine state at the selected instruction; two
 * traces side by side with their first difference marked.
 *
 * The page (emu/view/page/) is embedded into lstar at build time; the
 * trace goes into it compressed (emu/view/view_out.c).  Nothing here
 * prints except view_main(); errors are one line in err.
 */
#ifndef LSTAR_VIEW_H
#define LSTAR_VIEW_H

#include <stddef.h>

/* The largest trace the page takes (records, i.e. lines).  The
 * environment variable LSTAR_VIEW_MAX_RECORDS can lower it (the tests
 * use it to check the refusal without a huge trace). */
#define VIEW_MAX_RECORDS 3000000u

/* Write the page for one trace (nin = 1) or two traces side by side
 * (nin = 2) to out.  The file appears whole or not at all (a temporary
 * file in the same directory, renamed).  0, or -1 with a one-line reason
 * in err (without the "lstar: " prefix). */
int view_write(const char *const *in, int nin, const char *out, char *err, size_t errlen);
/* The same, with the names the page shows for the traces (NULL: the
 * files' base names). */
int view_write_named(const char *const *in, const char *const *names, int nin, const char *out,
		     char *err, size_t errlen);

/* `lstar view [-o FILE.html] TRACE.jsonl [TRACE2.jsonl]`: argv[0] is
 * "view".  Returns the exit status: 0 written, 1 bad input or output, 2
 * usage. */
int view_main(int argc, char **argv);

/* The usage line (emu/cli/cli.c includes it in lstar's usage). */
#define VIEW_USAGE_LINE "       lstar view [-o FILE.html] TRACE.jsonl [TRACE2.jsonl]\n"

#endif
