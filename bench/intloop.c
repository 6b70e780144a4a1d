/*
 * intloop.c - the CPU-bound integer benchmark guest (static musl): the
 * work of bench/bench_kernel.c as a user program -- xorshift64 fill of a
 * buffer, FNV-1a over it byte by byte, a multiply/xorshift mix over its
 * words, a sieve of Eratosthenes -- ROUNDS times.  bench/ratios.sh runs
 * it natively and under lstar.  Prints a checksum so nothing is elided.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BUF (1u << 20)
#define SIEVE 2000000u

static uint64_t buf[BUF / 8];
static uint8_t composite[SIEVE + 1];

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 8;
	uint64_t x = 88172645463325252ULL, sum = 0;
	unsigned primes = 0;

	for (int r = 0; r < rounds; r++) {
		for (unsigned k = 0; k < BUF / 8; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = x;
		}
		uint64_t h = 1469598103934665603ULL;
		const uint8_t *p = (const uint8_t *)buf;
		for (unsigned k = 0; k < BUF; k++)
			h = (h ^ p[k]) * 1099511628211ULL;
		uint64_t m = h;
		for (unsigned k = 0; k < BUF / 8; k++) {
			m = (m ^ buf[k]) * 0x9E3779B97F4A7C15ULL;
			m ^= m >> 29;
		}
		for (unsigned k = 0; k <= SIEVE; k++)
			composite[k] = 0;
		primes = 0;
		for (unsigned k = 2; k <= SIEVE; k++) {
			if (composite[k])
				continue;
			primes++;
			for (uint64_t j = (uint64_t)k * k; j <= SIEVE; j += k)
				composite[j] = 1;
		}
		sum += h + m + primes;
	}
	printf("%u primes, checksum %016llx\n", primes, (unsigned long long)sum);
	return primes != 148933;
}
