/*
 * cli.h - command-line parsing for `lstar` (docs/cli.md).  Parsing never
 * prints or exits: it fills a struct or an error message, and emu/cli/main.c
 * decides what to print and which status to exit with.
 */
#ifndef LSTAR_CLI_H
#define LSTAR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/trace/trace.h"

#define CLI_MEM_MIN (2ULL << 20)    /* 2 MiB: kernel + boot data must fit */
#define CLI_MEM_MAX (64ULL << 30)   /* 64 GiB: the largest --mem accepted */

enum cli_action { CLI_RUN, CLI_HELP, CLI_VERSION };

struct cli_opts {
	enum cli_action action;
	const char *kernel;        /* --kernel FILE, NULL = embedded default kernel */
	const char *console;       /* --console FILE, NULL = stderr */
	const char *root;          /* --root DIR */
	bool seeded;               /* --seed N given */
	uint64_t seed;
	int vendor;                /* 0 intel, 1 amd */
	int cpu_level;             /* --cpu: 1-3, 0 = the default (x86-64-v3) */
	uint64_t mem;              /* bytes; 0 = default (256 MiB) */
	uint64_t max_insns;        /* 0 = no limit */
	bool stats;                /* --stats: report unimplemented system calls */
	const char *gdb;           /* --gdb [HOST:]PORT: serve gdb (emu/gdb/gdbstub.c) */
	struct trace_opts trace;   /* --trace*, --strace*, --syntax (emu/trace/trace.h) */
	char **prog_argv;          /* PROGRAM ARGS..., NULL-terminated; NULL if none */
};

/* Parse argv.  Returns true on success; on a usage error false with a
 * one-line reason (without the "lstar: " prefix) in err. */
bool cli_parse(int argc, char **argv, struct cli_opts *o, char *err, size_t errlen);

/* Parse a size with an optional K, M or G suffix (powers of 1024). */
bool cli_parse_size(const char *s, uint64_t *out);
/* Parse a non-negative decimal count. */
bool cli_parse_count(const char *s, uint64_t *out);

/* Where `lstar run NAME` finds its program, the way execvp(3) does: NAME
 * itself when it has a slash, else the first executable regular file
 * DIR/NAME for DIR in `path` (the value of PATH; NULL: CLI_DEFAULT_PATH).
 * 0 with the path in buf, or ENOENT (nowhere), EACCES (only files that
 * are not executable), ENAMETOOLONG (a NAME with a slash longer than buf). */
#define CLI_DEFAULT_PATH "/bin:/usr/bin"   /* glibc's confstr(_CS_PATH) */
int cli_find_program(const char *name, const char *path, char *buf, size_t len);

/* The usage text, printed by --help on standard output (a usage error
 * prints one line and a pointer to --help instead, emu/cli/main.c). */
extern const char cli_usage[];

#endif
