/*
 * bench_kernel.c - a CPU-bound benchmark kernel for lstar: an integer
 * workload (FNV-1a and a multiply-xorshift hash over a 1 MiB buffer, then a
 * sieve of Eratosthenes) running in long mode with paging on (the
 * firmware's page tables).  Prints its results on port 0xE9 so a wrong
 * emulator shows up as a wrong checksum, then powers off with 0.
 *
 * ROUNDS scales the work: about 40 M instructions per round.
 */
#include "klib.h"

#ifndef ROUNDS
#define ROUNDS 8
#endif

#define BUF_SIZE (1u << 20)
#define SIEVE_N 2000000u

static uint8_t buf[BUF_SIZE];
static uint8_t composite[SIEVE_N + 1];

static void fill(uint64_t seed)
{
	uint64_t x = seed | 1;
	uint64_t *p = (uint64_t *)buf;
	for (unsigned i = 0; i < BUF_SIZE / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

static uint64_t fnv1a(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (unsigned i = 0; i < BUF_SIZE; i++) {
		h ^= buf[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix64(void)
{
	const uint64_t *p = (const uint64_t *)buf;
	uint64_t h = 0;
	for (unsigned i = 0; i < BUF_SIZE / 8; i++) {
		uint64_t k = p[i] * 0x9E3779B97F4A7C15ULL;
		k ^= k >> 29;
		h = (h ^ k) * 0xBF58476D1CE4E5B9ULL + (h >> 31);
	}
	return h;
}

static unsigned sieve(void)
{
	memset(composite, 0, sizeof(composite));
	unsigned count = 0;
	for (unsigned i = 2; i <= SIEVE_N; i++) {
		if (composite[i])
			continue;
		count++;
		for (uint64_t j = (uint64_t)i * i; j <= SIEVE_N; j += i)
			composite[j] = 1;
	}
	return count;
}

uint64_t kmain(void *bi)
{
	(void)bi;
	uint64_t acc = 0;
	unsigned primes = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		fill(0x1234567 + r);
		acc ^= fnv1a();
		acc += mix64();
		primes = sieve();
	}
	puts_e9("bench: primes=");
	puthex(primes);
	puts_e9(" hash=");
	puthex(acc);
	puts_e9("\n");
	/* 148933 primes below 2,000,000 */
	return primes == 148933 ? 0 : 1;
}
