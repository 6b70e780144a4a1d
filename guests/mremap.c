/* mremap.c - mremap and the areas (VMAs) behind it: a range that mprotect
 * split and then restored is one area again (/proc/self/maps shows one
 * line) and can be grown or moved; growing in place, moving
 * (MREMAP_MAYMOVE), moving to a given address (MREMAP_FIXED, also while
 * growing or shrinking), MREMAP_DONTUNMAP, shrinking, and the errors.
 * Addresses are printed relative to the mappings the program made, so a
 * native run and an lstar run compare line by line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define P 4096UL
static char outbuf[1 << 16];

static void show(const char *what, long r)
{
	if (r == -1)
		printf("%-44s -1 errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("%-44s %ld\n", what, r);
}

/* Where an address landed, relative to a base: "base+N pages" or "moved". */
static void where(const char *what, void *r, void *base)
{
	if (r == MAP_FAILED)
		show(what, -1);
	else if (r == base)
		printf("%-44s in place\n", what);
	else
		printf("%-44s moved\n", what);
}

static void fill(char *p, size_t pages, char c)
{
	for (size_t i = 0; i < pages; i++)
		memset(p + i * P, c + (char)i, P);
}

/* Do the pages hold fill()'s pattern? */
static int check(const char *p, size_t pages, char c)
{
	for (size_t i = 0; i < pages; i++)
		for (size_t j = 0; j < P; j += 512)
			if (p[i * P + j] != (char)(c + (char)i))
				return 0;
	return 1;
}

static int is_zero(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i += 256)
		if (p[i])
			return 0;
	return 1;
}

/* Is the page at p mapped?  mprotect of an unmapped page is ENOMEM. */
static int mapped(void *p)
{
	return mprotect(p, P, PROT_READ | PROT_WRITE) == 0;
}

/* How many /proc/self/maps lines overlap [p, p + len)? */
static int areas(void *p, size_t len)
{
	static char maps[1 << 16];
	unsigned long lo = (unsigned long)p, hi = lo + len, a, b;
	int fd = open("/proc/self/maps", O_RDONLY), n = 0;
	ssize_t got = 0, r;
	while ((r = read(fd, maps + got, sizeof(maps) - 1 - got)) > 0)
		got += r;
	close(fd);
	maps[got] = 0;
	for (char *line = maps; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < hi && lo < b)
			n++;
	return n;
}

static char *map(size_t pages)
{
	return mmap(NULL, pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(void)
{
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	/* 1. mprotect splits an area; restoring the rights joins it again. */
	char *a = map(8);
	fill(a, 8, 'a');
	show("areas after mmap", areas(a, 8 * P));
	show("mprotect pages 2-3 read-only", mprotect(a + 2 * P, 2 * P, PROT_READ));
	show("  areas", areas(a, 8 * P));
	show("mprotect them read-write again", mprotect(a + 2 * P, 2 * P, PROT_READ | PROT_WRITE));
	show("  areas", areas(a, 8 * P));
	show("mprotect page 0 none, then back", (mprotect(a, P, PROT_NONE),
					 mprotect(a, P, PROT_READ | PROT_WRITE)));
	show("  areas", areas(a, 8 * P));
	char *a2 = mremap(a, 8 * P, 32 * P, MREMAP_MAYMOVE);
	show("mremap the restored range to 32 pages", a2 == MAP_FAILED ? -1 : 0);
	show("  data kept", check(a2, 8, 'a'));
	show("  new pages zero", is_zero(a2 + 8 * P, 24 * P));
	show("  areas", areas(a2, 32 * P));
	munmap(a2, 32 * P);

	/* 2. Growing in place: room after the area (page 16, read-only, is
	 * the next area). */
	char *g = map(17);
	munmap(g + 8 * P, 8 * P);
	char *wall = g + 16 * P;
	mprotect(wall, P, PROT_READ);
	fill(g, 8, 'g');
	where("grow 8 -> 16 pages (room after)", mremap(g, 8 * P, 16 * P, 0), g);
	show("  data kept", check(g, 8, 'g'));
	show("  areas", areas(g, 16 * P));
	/* No room: the next area is in the way. */
	show("grow 16 -> 20 without MAYMOVE", (long)mremap(g, 16 * P, 20 * P, 0));
	char *g2 = mremap(g, 16 * P, 20 * P, MREMAP_MAYMOVE);
	where("grow 16 -> 20 with MAYMOVE", g2, g);
	show("  data kept", check(g2, 8, 'g'));
	show("  old range unmapped", !mapped(g));
	show("  the wall stays", mapped(wall));
	munmap(wall, P);

	/* 3. Shrinking: in place, the tail goes. */
	where("shrink 20 -> 4 pages", mremap(g2, 20 * P, 4 * P, 0), g2);
	show("  data kept", check(g2, 4, 'g'));
	show("  page 4 unmapped", !mapped(g2 + 4 * P));
	show("  areas", areas(g2, 20 * P));
	where("same size", mremap(g2, 4 * P, 4 * P, 0), g2);

	/* 4. Part of an area, from its middle: grows by moving. */
	char *m = map(12);
	fill(m, 12, 'm');
	char *m2 = mremap(m + 4 * P, 2 * P, 6 * P, MREMAP_MAYMOVE);
	where("middle 2 pages -> 6 (MAYMOVE)", m2, m + 4 * P);
	show("  data kept", check(m2, 2, 'm' + 4));
	show("  hole where they were", !mapped(m + 4 * P) && !mapped(m + 5 * P));
	show("  neighbours stay", mapped(m + 3 * P) && mapped(m + 6 * P) && check(m + 6 * P, 1, 'm' + 6));
	show("  areas left of the old range", areas(m, 12 * P));
	show("middle, no MAYMOVE", (long)mremap(m + 6 * P, 2 * P, 3 * P, 0));

	/* 5. MREMAP_FIXED: to a chosen address, replacing what is there. */
	char *src = map(8), *dst = map(16);
	fill(src, 8, 's');
	fill(dst, 16, 'd');
	char *f = mremap(src, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * P);
	show("FIXED 4 pages to dst+2", f == dst + 2 * P);
	show("  data there", check(f, 4, 's'));
	show("  source pages gone", !mapped(src) && !mapped(src + 3 * P));
	show("  source tail stays", mapped(src + 4 * P) && check(src + 4 * P, 1, 's' + 4));
	show("  dst around it stays", check(dst, 2, 'd') && check(dst + 6 * P, 1, 'd' + 6));
	f = mremap(src + 4 * P, 2 * P, 5 * P, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 8 * P);
	show("FIXED growing 2 -> 5 pages to dst+8", f == dst + 8 * P);
	show("  data there, then zeros", check(f, 2, 's' + 4) && is_zero(f + 2 * P, 3 * P));
	show("  dst+13 stays", check(dst + 13 * P, 1, 'd' + 13));
	f = mremap(dst, 2 * P, P, MREMAP_MAYMOVE | MREMAP_FIXED, src);
	show("FIXED shrinking 2 -> 1 page to src", f == src);
	show("  data there", check(f, 1, 'd'));
	show("  dst and dst+1 gone", !mapped(dst) && !mapped(dst + P));

	/* 6. MREMAP_DONTUNMAP: the pages move, the old range stays mapped
	 * and reads zeros. */
	char *k = map(4);
	fill(k, 4, 'k');
	char *k2 = mremap(k, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	where("DONTUNMAP", k2, k);
	if (k2 != MAP_FAILED) {
		show("  data moved", check(k2, 4, 'k'));
		show("  old range mapped, zero", mapped(k) && is_zero(k, 4 * P));
	}
	show("DONTUNMAP with two sizes", (long)mremap(k, 4 * P, 8 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP));

	/* 7. Errors. */
	char *e = map(8);
	show("upper half read-only", mprotect(e + 4 * P, 4 * P, PROT_READ));
	show("over two different areas", (long)mremap(e, 8 * P, 10 * P, MREMAP_MAYMOVE));
	show("longer than the area", (long)mremap(e + 3 * P, 2 * P, 3 * P, MREMAP_MAYMOVE));
	show("unaligned address", (long)mremap(e + 1, P, 2 * P, MREMAP_MAYMOVE));
	show("new length 0", (long)mremap(e, P, 0, MREMAP_MAYMOVE));
	show("unknown flag", (long)mremap(e, P, 2 * P, 8));
	show("FIXED without MAYMOVE", (long)mremap(e, P, P, MREMAP_FIXED, g2));
	show("FIXED unaligned target", (long)mremap(e, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, g2 + 1));
	show("FIXED overlapping itself", (long)mremap(e, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, e + P));
	show("old length 0 (private)", (long)mremap(e, 0, P, MREMAP_MAYMOVE));
	munmap(e, 8 * P);
	show("unmapped address", (long)mremap(e, P, 2 * P, MREMAP_MAYMOVE));
	show("shrink of an unmapped address", (long)mremap(e, 2 * P, P, 0));

	fflush(stdout);
	return 0;
}
