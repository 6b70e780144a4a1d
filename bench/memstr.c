/*
 * memstr.c - the string-function benchmark guest (static glibc): memcpy,
 * memset, strlen, memchr and memcmp on buffers of 4 to 64 KiB, the way a
 * program that moves and scans data spends its time in the C library's
 * SSE2 routines.  bench/ratios.sh runs it natively and under lstar.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX (64u << 10)

static char a[MAX + 64], b[MAX + 64];

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 2000;
	unsigned long sum = 0;

	for (long r = 0; r < rounds; r++) {
		for (unsigned sz = 4u << 10; sz <= MAX; sz <<= 1) {
			unsigned off = (unsigned)(r & 15);
			memset(a + off, 'a' + (int)(r % 26), sz);
			a[off + sz - 1] = 0;
			memcpy(b + (off ^ 7), a + off, sz);
			sum += strlen(b + (off ^ 7));
			sum += memcmp(a + off, b + (off ^ 7), sz - 1) == 0;
			sum += (unsigned long)((char *)memchr(a + off, 0, sz) - a);
		}
	}
	printf("checksum %lu\n", sum);
	return sum == 0;
}
