/*
 * splitmix.h - splitmix64, the generator behind `lstar run --seed N`
 * (emu/firmware.c's boot-info random bytes, emu/hostcall/hostcall.c's RANDOM).
 */
#ifndef LSTAR_SPLITMIX_H
#define LSTAR_SPLITMIX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* n bytes of the stream, eight at a time. */
static inline void splitmix64_fill(uint64_t *x, void *buf, size_t n)
{
	uint8_t *b = buf;
	for (size_t k = 0; k < n; k += 8) {
		uint64_t v = splitmix64(x);
		memcpy(b + k, &v, n - k < 8 ? n - k : 8);
	}
}

#endif
