/* malloc.c - small allocations (brk heap) and large ones (mmap), realloc
 * growth (mremap), and freeing back to the kernel (munmap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	unsigned long sum = 0;
	char *small[1000];

	for (int i = 0; i < 1000; i++) {
		small[i] = malloc(16 + i % 200);
		memset(small[i], i & 0xff, 16 + i % 200);
	}
	for (int i = 0; i < 1000; i++) {
		sum += (unsigned char)small[i][i % 16];
		free(small[i]);
	}
	printf("small: sum %lu\n", sum);

	size_t big = 64 << 20;		/* 64 MiB: mmap, touched sparsely */
	char *p = malloc(big);
	if (!p)
		return 1;
	for (size_t off = 0; off < big; off += 1 << 20)
		p[off] = (char)(off >> 20);
	sum = 0;
	for (size_t off = 0; off < big; off += 1 << 20)
		sum += (unsigned char)p[off];
	printf("large: sum %lu\n", sum);
	free(p);

	char *r = malloc(100);
	strcpy(r, "grow me");
	for (size_t n = 1000; n < (8 << 20); n *= 4)
		r = realloc(r, n);
	printf("realloc: %s\n", r);
	free(r);
	return 0;
}
