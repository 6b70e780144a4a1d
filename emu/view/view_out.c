/*
 * view_out.c - `lstar view`, second half: the model of one or two traces
 * (emu/view/view_parse.c) into one self-contained HTML page, and the
 * command line (`lstar view`, `lstar run --view=FILE`).
 *
 * The page is the embedded emu/view/page/ (body.html, view.css and the
 * scripts, .incbin'ed by emu/view/CMakeLists.txt) with each trace in a
 * <script type="application/octet-stream"> element: a blob of
 *
 *   "LSTV", version, length of the JSON tables, the JSON tables,
 *   then the binary columns (each 8-byte aligned), see view_int.h,
 *
 * compressed with zlib (the page inflates it with the browser's
 * DecompressionStream) and base64-encoded.  A Content-Security-Policy
 * that allows nothing from outside the file keeps the page honest.
 *
 * The page is written to a temporary file beside the target and renamed
 * over it only when complete: a failure leaves nothing behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "lstar/lstar.h"

#include "emu/view/view.h"
#include "emu/view/view_int.h"
#include "emu/view/view_run.h"

extern const char lstar_view_body[], lstar_view_body_end[];
extern const char lstar_view_css[], lstar_view_css_end[];
extern const char lstar_view_js[], lstar_view_js_end[];

#define VIEW_FORMAT 1

/* ---- the blob ------------------------------------------------------------- */

/* A JSON string literal of a C string (quotes included); '<' escaped so
 * that "</script>" cannot end the element. */
static bool js_string(struct vbuf *b, const char *s)
{
	if (!vb_byte(b, '"'))
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool ok;
		if (c == '"' || c == '\\')
			ok = vb_byte(b, '\\') && vb_byte(b, c);
		else if (c < 0x20 || c == '<' || c == 0x7f)
			ok = vb_printf(b, "\\u%04x", c);
		else
			ok = vb_byte(b, c);
		if (!ok)
			return false;
	}
	return vb_byte(b, '"');
}

/* Raw JSON string contents from the trace (already escaped), quoted. */
static bool js_raw(struct vbuf *b, const uint8_t *s, size_t n)
{
	return vb_byte(b, '"') && vb_put(b, s, n) && vb_byte(b, '"');
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool meta_json(const struct vtrace *t, struct vbuf *m, const size_t sec[][2],
		      const char *const *secname, int nsec)
{
	bool ok = vb_printf(m, "{\"v\":%d,\"name\":", VIEW_FORMAT) && js_string(m, t->name) &&
		  vb_printf(m, ",\"n\":%zu,\"snap\":%d,\"nf\":%d,\"fields\":[", t->nrec, VIEW_SNAP, VF_N);
	for (int f = 0; ok && f < VF_N; f++) {
		char nm[32];
		if (f < 16)
			snprintf(nm, sizeof(nm), "%s", view_reg_names[f]);
		else if (f == VF_RFLAGS)
			snprintf(nm, sizeof(nm), "rflags");
		else if (f == VF_CPL)
			snprintf(nm, sizeof(nm), "cpl");
		else if (f < VF_SYS)
			snprintf(nm, sizeof(nm), "%s.%s", view_seg_names[(f - VF_SEG) / 4],
				 view_segf_names[(f - VF_SEG) % 4]);
		else
			snprintf(nm, sizeof(nm), "%s", view_sys_names[f - VF_SYS]);
		ok = (!f || vb_byte(m, ',')) && js_string(m, nm);
	}
	/* the distinct instructions, one array per column */
	static const char *const cols[4] = { "rip", "sym", "bytes", "asm" };
	ok = ok && vb_printf(m, "],\"insn\":{");
	for (int c = 0; ok && c < 4; c++) {
		ok = vb_printf(m, "%s\"%s\":[", c ? "," : "", cols[c]);
		for (size_t k = 0; ok && k < t->ninsn; k++) {
			const struct vinsn *e = &t->insn[k];
			if (k)
				ok = vb_byte(m, ',');
			if (c == 0)
				ok = ok && vb_printf(m, "\"0x%llx\"", (unsigned long long)e->rip);
			else if (c == 1)
				ok = ok && js_raw(m, t->strs.p + e->sym, e->sym_len);
			else if (c == 2)
				ok = ok && js_raw(m, t->strs.p + e->bytes, e->bytes_len);
			else
				ok = ok && js_raw(m, t->strs.p + e->as, e->as_len);
		}
		ok = ok && vb_byte(m, ']');
	}
	/* system calls: [start, end (-1: no return), seq, nr, name, strace line, tid] */
	ok = ok && vb_printf(m, "},\"calls\":[");
	for (size_t k = 0; ok && k < t->ncall; k++) {
		const struct vcall *c = &t->call[k];
		ok = vb_printf(m, "%s[%u,%lld,%llu,%llu,", k ? "," : "", c->s,
			       c->e ? (long long)c->e : -1LL, (unsigned long long)c->seq,
			       (unsigned long long)c->nr) &&
		     js_raw(m, t->strs.p + c->name, c->name_len) && vb_byte(m, ',') &&
		     js_raw(m, t->strs.p + c->text, c->text_len) &&
		     vb_printf(m, ",%lld]", (long long)c->tid);
	}
	ok = ok && vb_printf(m, "],\"info\":[") && vb_put(m, t->info_js.p, t->info_js.n) &&
	     vb_printf(m, "],\"exc\":[") && vb_put(m, t->exc_js.p, t->exc_js.n) &&
	     vb_printf(m, "],\"seqx\":[") && vb_put(m, t->seqx_js.p, t->seqx_js.n) &&
	     vb_printf(m, "],\"runs\":[") && vb_put(m, t->runs_js.p, t->runs_js.n) &&
	     vb_printf(m, "],\"tids\":[");
	if (ok && t->has_tid)
		ok = vb_put(m, t->tids_js.p, t->tids_js.n);
	ok = ok && vb_printf(m, "],\"insw\":%d,\"sec\":{", sec[1][1] == 2 * t->nrec ? 2 : 4);
	for (int k = 0; ok && k < nsec; k++)
		ok = vb_printf(m, "%s\"%s\":[%zu,%zu]", k ? "," : "", secname[k], sec[k][0], sec[k][1]);
	return ok && vb_printf(m, "}}");
}

/* The uncompressed blob of a trace. */
static bool make_blob(const struct vtrace *t, struct vbuf *blob)
{
	/* instruction indices in 16 bits when they fit (they usually do:
	 * a program runs a few thousand distinct instructions) */
	struct vbuf ins16 = { 0 };
	const struct vbuf *ins = &t->ins;
	if (t->ninsn <= 0xffff && t->nexc <= 0xffff) {
		for (size_t k = 0; k < t->nrec; k++) {
			uint32_t v;
			memcpy(&v, t->ins.p + 4 * k, 4);
			uint16_t h = (uint16_t)v;
			if (!vb_put(&ins16, &h, 2)) {
				vb_free(&ins16);
				return false;
			}
		}
		ins = &ins16;
	}
	const struct vbuf *cols[] = { &t->rk, ins, &t->nops, &t->nmem, &t->ops, &t->mem, &t->snaps };
	static const char *const names[] = { "rk", "ins", "nops", "nmem", "ops", "mem", "snaps" };
	enum { NSEC = sizeof(cols) / sizeof(cols[0]) };
	size_t sec[NSEC][2], off = 0;
	for (int k = 0; k < NSEC; k++) {
		sec[k][0] = off;
		sec[k][1] = cols[k]->n;
		off += (cols[k]->n + 7) & ~(size_t)7;
	}
	struct vbuf m = { 0 };
	bool ok = meta_json(t, &m, sec, names, NSEC);
	uint32_t head[3] = { 0, VIEW_FORMAT, (uint32_t)m.n };
	memcpy(head, "LSTV", 4);
	static const uint8_t zero[8];
	ok = ok && vb_put(blob, head, sizeof(head)) && vb_put(blob, m.p, m.n) &&
	     vb_put(blob, zero, (8 - blob->n % 8) % 8);
	for (int k = 0; ok && k < NSEC; k++)
		ok = vb_put(blob, cols[k]->p, cols[k]->n) && vb_put(blob, zero, (8 - cols[k]->n % 8) % 8);
	vb_free(&m);
	vb_free(&ins16);
	return ok;
}

/* zlib-compress and base64-encode the blob into f. */
static bool write_blob(FILE *f, const struct vbuf *blob, char *err, size_t errlen)
{
	uLongf zn = compressBound(blob->n);
	uint8_t *z = malloc(zn);
	if (!z) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	/* level 3: most of level 6's size at twice its speed on traces */
	if (compress2(z, &zn, blob->p, blob->n, 3) != Z_OK) {
		snprintf(err, errlen, "compression failed");
		free(z);
		return false;
	}
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4096];
	size_t o = 0;
	for (size_t k = 0; k < zn; k += 3) {
		uint32_t v = (uint32_t)z[k] << 16;
		if (k + 1 < zn)
			v |= (uint32_t)z[k + 1] << 8;
		if (k + 2 < zn)
			v |= z[k + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = k + 1 < zn ? b64[(v >> 6) & 63] : '=';
		out[o++] = k + 2 < zn ? b64[v & 63] : '=';
		if (o + 4 > sizeof(out)) {
			fwrite(out, 1, o, f);
			o = 0;
		}
	}
	fwrite(out, 1, o, f);
	free(z);
	return true;
}

/* ---- the page --------------------------------------------------------------- */

static void put_html_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

static bool write_page(FILE *f, struct vtrace *t, int nin, const struct vbuf *head,
		       char *err, size_t errlen)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      /* nothing may come from outside this file */
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"lstar " LSTAR_VERSION " view\">\n<title>lstar view: ", f);
	put_html_escaped(f, t[0].name);
	if (nin == 2) {
		fputs(" vs ", f);
		put_html_escaped(f, t[1].name);
	}
	fputs("</title>\n<style>\n", f);
	fwrite(lstar_view_css, 1, (size_t)(lstar_view_css_end - lstar_view_css), f);
	fputs("</style>\n</head>\n<body>\n", f);
	fwrite(lstar_view_body, 1, (size_t)(lstar_view_body_end - lstar_view_body), f);
	fputs("<script type=\"application/json\" id=\"lstar-head\">", f);
	fwrite(head->p, 1, head->n, f);
	fputs("</script>\n", f);
	for (int k = 0; k < nin; k++) {
		struct vbuf blob = { 0 };
		if (!make_blob(&t[k], &blob)) {
			snprintf(err, errlen, "out of memory");
			vb_free(&blob);
			return false;
		}
		fprintf(f, "<script type=\"application/octet-stream\" id=\"lstar-data-%d\" data-size=\"%zu\">",
			k, blob.n);
		bool ok = write_blob(f, &blob, err, errlen);
		vb_free(&blob);
		if (!ok)
			return false;
		fputs("</script>\n", f);
	}
	fputs("<script>\n", f);
	fwrite(lstar_view_js, 1, (size_t)(lstar_view_js_end - lstar_view_js), f);
	fputs("</script>\n</body>\n</html>\n", f);
	return true;
}

/* The small JSON the page reads first: names, sizes, the first difference. */
static bool head_json(struct vbuf *h, struct vtrace *t, int nin, const char *what, long long div)
{
	bool ok = vb_printf(h, "{\"format\":%d,\"generator\":\"lstar %s\",\"traces\":[", VIEW_FORMAT,
			    LSTAR_VERSION);
	for (int k = 0; ok && k < nin; k++)
		ok = vb_printf(h, "%s{\"name\":", k ? "," : "") && js_string(h, t[k].name) &&
		     vb_printf(h, ",\"records\":%zu}", t[k].nrec);
	ok = ok && vb_printf(h, "]");
	if (ok && nin == 2) {
		if (div < 0)
			ok = vb_printf(h, ",\"diff\":{\"index\":-1,\"what\":\"the traces are the same\"}");
		else
			ok = vb_printf(h, ",\"diff\":{\"index\":%lld,\"line\":%lld,\"what\":", div, div + 1) &&
			     js_string(h, what) && vb_byte(h, '}');
	}
	return ok && vb_byte(h, '}');
}

static size_t max_records(void)
{
	const char *e = getenv("LSTAR_VIEW_MAX_RECORDS");
	if (e && *e) {
		char *end;
		unsigned long long v = strtoull(e, &end, 10);
		if (!*end && v > 0 && v < VIEW_MAX_RECORDS)
			return (size_t)v;
	}
	return VIEW_MAX_RECORDS;
}

int view_write(const char *const *in, int nin, const char *out, char *err, size_t errlen)
{
	return view_write_named(in, NULL, nin, out, err, errlen);
}

int view_write_named(const char *const *in, const char *const *names, int nin, const char *out,
		     char *err, size_t errlen)
{
	struct vtrace t[2];
	memset(t, 0, sizeof(t));
	int ret = -1;
	char *tmp = NULL;
	FILE *f = NULL;
	struct vbuf head = { 0 };
	struct stat so;
	bool out_exists = stat(out, &so) == 0;
	for (int k = 0; k < nin; k++) {
		struct stat si;
		if (out_exists && stat(in[k], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
			snprintf(err, errlen, "%s: the page would overwrite the trace itself (use -o)", out);
			return -1;
		}
	}
	for (int k = 0; k < nin; k++) {
		t[k].path = in[k];
		t[k].name = names && names[k] ? names[k] : base_name(in[k]);
		t[k].want_hash = nin == 2;
		if (view_parse(&t[k], max_records(), err, errlen))
			goto out;
	}
	long long div = -1;
	char what[600] = "";
	if (nin == 2) {
		size_t n = t[0].nrec < t[1].nrec ? t[0].nrec : t[1].nrec, k = 0;
		while (k < n && t[0].hash[k] == t[1].hash[k])
			k++;
		if (k < n || t[0].nrec != t[1].nrec) {
			div = (long long)k;
			view_describe_diff(&t[0], &t[1], k, what, sizeof(what));
		}
	}
	if (!head_json(&head, t, nin, what, div)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	size_t ol = strlen(out);
	tmp = malloc(ol + 16);
	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(tmp, ol + 16, "%s.tmp-XXXXXX", out);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", out, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	if (!(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", out, strerror(errno));
		close(fd);
		goto out;
	}
	if (!write_page(f, t, nin, &head, err, errlen))
		goto out;
	if (fflush(f) != 0 || ferror(f)) {
		snprintf(err, errlen, "cannot write %s: %s", out, strerror(errno ? errno : EIO));
		goto out;
	}
	FILE *g = f;
	f = NULL;
	if (fclose(g) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	if (rename(tmp, out) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	ret = 0;
out:
	if (f)
		fclose(f);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	vb_free(&head);
	for (int k = 0; k < nin; k++)
		view_trace_free(&t[k]);
	return ret;
}

/* ---- lstar view --------------------------------------------------------------- */

static const char view_usage[] =
	"usage: lstar view [-o FILE.html] TRACE.jsonl [TRACE2.jsonl]\n"
	"Writes one self-contained HTML page that shows a --trace-format jsonl trace:\n"
	"a timeline of the run (user/kernel, system calls, exceptions), the strace\n"
	"view, the instructions and the machine state at each.  With two traces, side\n"
	"by side with their first difference marked.  Default output: TRACE.html\n"
	"(TRACE-vs-TRACE2.html).  Exit status: 0 written, 1 bad input, 2 usage.\n";

/* TRACE.jsonl -> TRACE.html; two traces: A-vs-B.html beside A. */
static char *default_out(const char *const *in, int nin)
{
	size_t la = strlen(in[0]);
	const char *dot = strrchr(base_name(in[0]), '.');
	size_t stem = dot && dot != base_name(in[0]) ? (size_t)(dot - in[0]) : la;
	const char *b = nin == 2 ? base_name(in[1]) : "";
	const char *bdot = nin == 2 ? strrchr(b, '.') : NULL;
	size_t lb = nin == 2 ? (bdot && bdot != b ? (size_t)(bdot - b) : strlen(b)) : 0;
	char *o = malloc(stem + lb + 16);
	if (!o)
		return NULL;
	if (nin == 2)
		sprintf(o, "%.*s-vs-%.*s.html", (int)stem, in[0], (int)lb, b);
	else
		sprintf(o, "%.*s.html", (int)stem, in[0]);
	return o;
}

int view_main(int argc, char **argv)
{
	const char *in[2], *out = NULL;
	int nin = 0;
	bool opts = true;
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		if (opts && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(view_usage, stdout);
			return 0;
		}
		if (opts && !strcmp(a, "--")) {
			opts = false;
		} else if (opts && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
			if (k + 1 >= argc || !*argv[k + 1]) {
				fprintf(stderr, "lstar: view: %s needs a file name\n%s", a, view_usage);
				return 2;
			}
			out = argv[++k];
		} else if (opts && !strncmp(a, "--output=", 9) && a[9]) {
			out = a + 9;
		} else if (opts && a[0] == '-' && a[1]) {
			fprintf(stderr, "lstar: view: unknown option '%s'\n%s", a, view_usage);
			return 2;
		} else if (nin < 2) {
			in[nin++] = a;
		} else {
			fprintf(stderr, "lstar: view: at most two traces (A and B)\n%s", view_usage);
			return 2;
		}
	}
	if (!nin) {
		fprintf(stderr, "lstar: view needs a trace (lstar run --trace=FILE --trace-format jsonl ...)\n%s",
			view_usage);
		return 2;
	}
	char *dflt = NULL;
	if (!out && !(out = dflt = default_out(in, nin))) {
		fprintf(stderr, "lstar: view: out of memory\n");
		return 1;
	}
	char err[1024];
	int st = 0;
	if (view_write(in, nin, out, err, sizeof(err))) {
		fprintf(stderr, "lstar: view: %s\n", err);
		st = 1;
	}
	free(dflt);
	return st;
}

/* ---- lstar run --view=FILE -------------------------------------------------- */

int view_run_begin(struct trace_opts *t, const char *what, struct view_run *vr, char *err,
		   size_t errlen)
{
	memset(vr, 0, sizeof(*vr));
	if (!t->view_file)
		return 0;
	vr->out = t->view_file;
	vr->name = what ? base_name(what) : NULL;
	if (t->trace) {   /* trace_opts_check: a JSON Lines file */
		vr->trace = t->trace_file;
		return 0;
	}
	const char *dir = getenv("TMPDIR");
	snprintf(vr->tmp, sizeof(vr->tmp), "%s/lstar-view-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(vr->tmp);
	if (fd < 0) {
		snprintf(err, errlen, "--view: cannot make a temporary trace file %s: %s", vr->tmp,
			 strerror(errno));
		vr->tmp[0] = 0;
		return -1;
	}
	close(fd);
	t->trace = true;
	t->trace_file = vr->tmp;
	t->format = TRACE_JSONL;
	vr->trace = vr->tmp;
	return 0;
}

int view_run_end(struct view_run *vr, char *err, size_t errlen)
{
	if (!vr->out)
		return 0;
	const char *in[1] = { vr->trace }, *names[1] = { vr->name };
	int r = view_write_named(in, names, 1, vr->out, err, errlen);
	if (vr->tmp[0])
		unlink(vr->tmp);
	vr->tmp[0] = 0;
	return r;
}

void view_run_abandon(struct view_run *vr)
{
	if (vr->tmp[0])
		unlink(vr->tmp);
	vr->tmp[0] = 0;
}
