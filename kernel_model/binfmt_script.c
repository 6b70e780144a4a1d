/*
 * binfmt_script.c - "#!" scripts (mirrors fs/binfmt_script.c).
 *
 * A file starting with #! names its interpreter on the first line, with
 * at most one optional argument: everything after the interpreter's name
 * up to the end of the line, spaces inside kept, as one string.  The line
 * is read from the first BINPRM_BUF_SIZE bytes; a longer one is cut
 * there, unless the name itself would be cut (ENOEXEC).  The arguments
 * become
 *
 *	interpreter [optional-argument] script-path argv[1] argv[2] ...
 *
 * (the script's own argv[0] is lost, as on Linux), and the search for a
 * format starts again with the interpreter's file, which may be a script
 * itself (exec.c: exec_binprm, at most BINPRM_MAX_RECURSION deep).
 */
#include "sched.h"
#include "binprm.h"

static bool spacetab(char c) { return c == ' ' || c == '\t'; }

static char *next_non_spacetab(char *first, const char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

static char *next_terminator(char *first, const char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

long load_script(struct linux_binprm *b)
{
	char *buf = b->buf, *buf_end = b->buf + sizeof(b->buf) - 1;
	char *i_end, *i_name, *i_sep, *i_arg = NULL;

	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	/* The interpreter line ends at the newline, or the buffer's end
	 * (strnchr: a NUL ends the search too). */
	for (i_end = buf; i_end <= buf_end && *i_end && *i_end != '\n'; i_end++)
		;
	if (i_end > buf_end || *i_end != '\n') {
		i_end = next_non_spacetab(buf + 2, buf_end);
		if (!i_end)
			return -ENOEXEC;	/* the whole buffer is blanks */
		/* No blank or NUL after the name: it would be cut short. */
		if (!next_terminator(i_end, buf_end))
			return -ENOEXEC;
		i_end = buf_end;
	}
	while (i_end > buf + 2 && spacetab(i_end[-1]))
		i_end--;
	*i_end = '\0';
	i_name = next_non_spacetab(buf + 2, i_end);
	if (!i_name || i_name == i_end)
		return -ENOEXEC;		/* no interpreter named */
	i_sep = next_terminator(i_name, i_end);
	if (i_sep && *i_sep)
		i_arg = next_non_spacetab(i_sep, i_end);
	if (i_sep)
		*i_sep = '\0';

	/* argv[0] goes; interpreter, argument and the script's path come
	 * first (remove_arg_zero, copy_string_kernel). */
	const char *name, *arg = NULL, *path;
	long err;
	if ((err = bprm_add_string(b, i_name, &name)) ||
	    (i_arg && (err = bprm_add_string(b, i_arg, &arg))) ||
	    (err = bprm_add_string(b, b->interp, &path)))
		return err;
	u64 skip = b->argc ? 1 : 0, add = arg ? 3 : 2;
	if (b->argc - skip + add > MAX_ARG_STRINGS)
		return -E2BIG;
	memmove(&b->argv[add], &b->argv[skip], (b->argc - skip) * sizeof(b->argv[0]));
	b->argv[0] = name;
	if (arg)
		b->argv[1] = arg;
	b->argv[add - 1] = path;
	b->argc = b->argc - skip + add;

	/* Restart with the interpreter's file (bprm_change_interp).  On a
	 * failure bprm->interp names the file that could not be run. */
	b->interp = name;
	long h = open_exec(AT_FDCWD, name, b);
	if (h < 0)
		return h;
	hostcall(LSTAR_HC_CLOSE, b->file, 0, 0, 0, 0, 0);
	b->file = h;
	return 0;
}
