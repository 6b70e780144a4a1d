/* bigalloc.c - a 300 MB allocation, touched page by page and summed: more
 * than the 256 MiB a machine boots with, which the built-in kernel grows
 * (memory hot-plug) unless --mem fixes the size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	size_t n = 300u << 20;
	unsigned char *p = malloc(n);
	if (!p) {
		puts("malloc failed");
		return 1;
	}
	for (size_t i = 0; i < n; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	unsigned long sum = 0;
	for (size_t i = 0; i < n; i += 4096)
		sum += p[i];
	printf("300 MB touched, sum %lu\n", sum);
	return 0;
}
