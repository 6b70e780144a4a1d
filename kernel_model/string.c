/*
 * string.c - the string and memory helpers a freestanding kernel must bring
 * itself (mirrors lib/string.c and arch/x86/lib/memcpy_64.S, memset_64.S).
 * GCC may also call memcpy/memset for structure copies, so these names must
 * exist.
 *
 * memset and memcpy are one REP STOSB / REP MOVSB each, as Linux's are on
 * CPUs with "enhanced REP MOVSB": a single instruction in a trace instead of
 * a loop of thousands when a page is cleared or copied.
 */
#include "sched.h"
#include "kernel.h"

void *memset(void *s, int c, size_t n)
{
	void *d = s;
	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *dp = d;
	asm volatile("rep movsb" : "+D"(dp), "+S"(s), "+c"(n) : : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if (dp < sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

/* Copy s into d and zero-fill the rest of the n bytes (for utsname). */
char *strncpy_pad(char *d, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && s[i]; i++)
		d[i] = s[i];
	for (; i < n; i++)
		d[i] = 0;
	return d;
}
