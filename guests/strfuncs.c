/*
 * strfuncs.c - a program that spends its time in the C library's string
 * functions (memcpy, memset, memchr, strlen, strchr, strcmp, memcmp) on 4-64
 * KiB buffers: the functions a C library picks by CPU (glibc's ifuncs
 * choose AVX2 versions on an x86-64-v3 CPU, SSE2 ones below).  Prints a
 * checksum of what they returned, the same whichever versions ran.
 *
 *   strfuncs [ROUNDS]   (default 40)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
	return h;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 40;
	enum { MAX = 64 * 1024 };
	char *a = malloc(MAX + 64), *b = malloc(MAX + 64);
	if (!a || !b)
		return 1;
	uint64_t h = 0, x = 12345;
	for (int r = 0; r < rounds; r++) {
		for (size_t size = 4096; size <= MAX; size *= 2) {
			size_t off = (size_t)(r % 7) * 3;   /* misaligned too */
			memset(a + off, 'a' + r % 26, size);
			a[off + size - 1] = 0;
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			a[off + (x >> 33) % (size - 1)] = 'Z';
			memcpy(b, a + off, size);
			h = mix(h, strlen(b));
			h = mix(h, (uint64_t)((char *)memchr(b, 'Z', size) - b));
			h = mix(h, (uint64_t)(strchr(b, 'Z') - b));
			h = mix(h, (uint64_t)(strcmp(a + off, b) == 0));
			b[size / 2] ^= 1;
			h = mix(h, (uint64_t)(memcmp(a + off, b, size) > 0));
			h = mix(h, (uint64_t)(strrchr(b, 'a' + r % 26) - b));
		}
	}
	printf("strfuncs: %d rounds, checksum %016llx\n", rounds, (unsigned long long)h);
	free(a);
	free(b);
	return 0;
}
