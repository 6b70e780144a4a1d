/*
 * trace_out.c - writing trace files: the output buffers (struct obuf,
 * emu/trace/trace_int.h), O_DIRECT where the file system takes it, and the
 * writer thread that takes full buffers off the interpreter's thread.
 * The formats that fill the buffers are in trace_fmt.c.
 */
#define _GNU_SOURCE   /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "emu/trace/trace_int.h"

/*
 * Writing a trace file.  A trace is written once and rarely read back
 * soon, at up to 1.5 GB a second: through the page cache that costs a
 * CPU's worth of copying into freshly allocated pages (and on a VM whose
 * freed memory goes back to the host, first touches of those pages are
 * slow and vary a lot).  So a regular file is written with O_DIRECT where
 * the file system takes it: the disk copies from lstar's own (aligned,
 * reused) buffers.  Every write is then a whole number of blocks except
 * the very last, written after clearing O_DIRECT.  LSTAR_TRACE_DIRECT=0
 * in the environment turns this off (docs/trace.md).
 */
#define DIRECT_ALIGN 4096u
_Static_assert(OBUF_SIZE % DIRECT_ALIGN == 0 && LINE_ROOM + DIRECT_ALIGN < OBUF_SIZE, "obuf sizes");

static void drop_direct(struct obuf *o)
{
	int fl = fcntl(o->fd, F_GETFL);
	if (fl >= 0)
		fcntl(o->fd, F_SETFL, fl & ~O_DIRECT);
	o->direct = false;
}

static void write_all(struct obuf *o, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(o->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EINVAL && o->direct) {
				drop_direct(o);   /* the file system would not after all */
				continue;
			}
			if (!o->error)
				o->error = errno;
			return;
		}
		p += k;
		n -= (size_t)k;
	}
}

static void write_out(struct obuf *o, const char *p, size_t n)
{
	if (o->direct && n % DIRECT_ALIGN) {
		/* The end of the trace: the whole blocks, then the rest. */
		size_t whole = n - n % DIRECT_ALIGN;
		write_all(o, p, whole);
		drop_direct(o);
		p += whole;
		n -= whole;
	}
	write_all(o, p, n);
}

static char *ob_alloc(void)
{
	return aligned_alloc(DIRECT_ALIGN, OBUF_SIZE);
}

int ob_attach(struct obuf *o, int fd)
{
	o->fd = fd;
	o->direct = false;
	o->p = ob_alloc();
	return o->p ? 0 : ENOMEM;
}

int ob_open(struct obuf *o, const char *path)
{
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0)
		return errno;
	if (!(o->p = ob_alloc()))
		return ENOMEM;
	const char *env = getenv("LSTAR_TRACE_DIRECT");
	struct stat st;
	if ((!env || strcmp(env, "0")) && fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode)) {
		int fl = fcntl(o->fd, F_GETFL);
		o->direct = fl >= 0 && fcntl(o->fd, F_SETFL, fl | O_DIRECT) == 0;
	}
	return 0;
}

/* Hand the buffer over (or write it).  Unless final, a direct file keeps
 * the bytes past the last whole block for the next buffer. */
static void ob_hand_over(struct obuf *o, bool final)
{
	if (!o->async) {
		write_out(o, o->p, o->len);
		o->len = 0;
		return;
	}
	if (!o->len)
		return;
	size_t keep = o->direct && !final ? o->len % DIRECT_ALIGN : 0;
	pthread_mutex_lock(&o->mu);
	while (!o->nfree)
		pthread_cond_wait(&o->cv, &o->mu);
	unsigned tail = (o->qhead + o->qcount) % OB_NBUF;
	char *full = o->p;
	o->queue[tail] = full;
	o->qlen[tail] = o->len - keep;
	o->p = o->free[--o->nfree];
	/* Copied before the writer is told: it does not read past qlen. */
	memcpy(o->p, full + o->len - keep, keep);
	o->qcount++;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	o->len = keep;
}

void ob_flush(struct obuf *o)
{
	ob_hand_over(o, false);
}

/* Several handed-over buffers in one writev() (one I/O for a direct
 * file: small buffers stay in the interpreter's cache, large writes keep
 * the disk busy).  Only the very last buffer of a trace can end off a
 * block; a short or failed writev() is finished one buffer at a time. */
static void write_batch(struct obuf *o, char *const *bufs, const size_t *lens, unsigned n)
{
	if (n > 1 && !(o->direct && lens[n - 1] % DIRECT_ALIGN)) {
		struct iovec iov[OB_NBUF];
		size_t total = 0;
		for (unsigned k = 0; k < n; k++) {
			iov[k].iov_base = bufs[k];
			iov[k].iov_len = lens[k];
			total += lens[k];
		}
		ssize_t w = writev(o->fd, iov, (int)n);
		if (w == (ssize_t)total)
			return;
		size_t done = w > 0 ? (size_t)w : 0;
		for (unsigned k = 0; k < n; k++) {
			if (done >= lens[k]) {
				done -= lens[k];
				continue;
			}
			write_out(o, bufs[k] + done, lens[k] - done);
			done = 0;
		}
		return;
	}
	for (unsigned k = 0; k < n; k++)
		write_out(o, bufs[k], lens[k]);
}

static void *writer(void *arg)
{
	struct obuf *o = arg;
	char *bufs[OB_NBUF];
	size_t lens[OB_NBUF];
	pthread_mutex_lock(&o->mu);
	for (;;) {
		/* Wait for a batch's worth (the interpreter can fill OB_NBUF - 1
		 * buffers before it waits, more than OB_BATCH) or the end. */
		while (o->qcount < OB_BATCH && !o->stop)
			pthread_cond_wait(&o->cv, &o->mu);
		if (!o->qcount)
			break;   /* stop, and nothing left */
		unsigned n = 0;
		while (n < o->qcount && n < 2 * OB_BATCH) {
			unsigned q = (o->qhead + n) % OB_NBUF;
			bufs[n] = o->queue[q];
			lens[n] = o->qlen[q];
			n++;
		}
		pthread_mutex_unlock(&o->mu);
		write_batch(o, bufs, lens, n);
		pthread_mutex_lock(&o->mu);
		o->qhead = (o->qhead + n) % OB_NBUF;
		o->qcount -= n;
		for (unsigned k = n; k-- > 0;)
			o->free[o->nfree++] = bufs[k];   /* the first written is reused last */
		pthread_cond_broadcast(&o->cv);
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

bool ob_start_writer(struct obuf *o)
{
	o->nfree = 0;
	for (unsigned k = 0; k + 1 < OB_NBUF; k++) {
		char *b = ob_alloc();
		if (!b)
			break;
		o->free[o->nfree++] = b;
	}
	o->qhead = o->qcount = 0;
	if (!o->nfree)
		return false;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	if (pthread_create(&o->th, NULL, writer, o) != 0) {
		pthread_mutex_destroy(&o->mu);
		pthread_cond_destroy(&o->cv);
		while (o->nfree)
			free(o->free[--o->nfree]);
		return false;
	}
	o->async = true;
	return true;
}

void ob_close(struct obuf *o, bool own)
{
	if (o->p && o->fd >= 0)
		ob_hand_over(o, true);
	if (o->async) {
		pthread_mutex_lock(&o->mu);
		o->stop = true;
		pthread_cond_broadcast(&o->cv);
		pthread_mutex_unlock(&o->mu);
		pthread_join(o->th, NULL);
		pthread_mutex_destroy(&o->mu);
		pthread_cond_destroy(&o->cv);
		o->async = false;
	}
	free(o->p);
	o->p = NULL;
	while (o->nfree)
		free(o->free[--o->nfree]);
	if (own && o->fd >= 0 && close(o->fd) != 0 && !o->error)
		o->error = errno;
	o->fd = -1;
}
