/*
 * driver.c - runs a fuzz target without libFuzzer, so the same targets are
 * ordinary tests: every file named on the command line (or found directly
 * inside a directory named there) is an input, and each input is also run
 * through LSTAR_FUZZ_MUTATIONS (default 64) deterministic mutations: bit
 * flips, byte overwrites with interesting values, truncations and splices.
 * Any crash, sanitizer report or abort() in the target fails the test.
 *
 * With clang, the CMake option LSTAR_FUZZ=ON also builds real libFuzzer
 * binaries from the same targets (docs/robustness.md).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const uint8_t interesting[] = {
	0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0F, 0x05, 0x07, 0xF4, 0xCC, 0xCD, 0xCF,
	0x48, 0xF0, 0xF3, 0x66, 0x0F, 0x30, 0x32, 0x01, 0xF8, 0xE6, 0xEE,
};

static unsigned long runs;

static void run_one(const uint8_t *d, size_t n)
{
	LLVMFuzzerTestOneInput(d, n);
	runs++;
}

static void mutate_and_run(const uint8_t *d, size_t n, unsigned count)
{
	size_t cap = n + 64;
	uint8_t *b = malloc(cap);
	if (!b)
		abort();
	for (unsigned k = 0; k < count; k++) {
		size_t len = n;
		memcpy(b, d, n);
		unsigned edits = 1 + (unsigned)(next() % 8);
		for (unsigned e = 0; e < edits; e++) {
			switch (next() % 5) {
			case 0: /* flip a bit */
				if (len)
					b[next() % len] ^= (uint8_t)(1u << (next() % 8));
				break;
			case 1: /* interesting byte */
				if (len)
					b[next() % len] = interesting[next() % sizeof interesting];
				break;
			case 2: /* random byte */
				if (len)
					b[next() % len] = (uint8_t)next();
				break;
			case 3: /* truncate */
				if (len)
					len = (size_t)(next() % (len + 1));
				break;
			default: /* append random bytes */
				while (len < cap && (next() % 4))
					b[len++] = (uint8_t)next();
				break;
			}
		}
		run_one(b, len);
	}
	free(b);
}

static int run_file(const char *path, unsigned mutations)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (64u << 20))
				break;
			uint8_t *nb = realloc(buf, cap);
			if (!nb)
				abort();
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	rng = 0x9E3779B97F4A7C15ULL ^ n;
	for (size_t k = 0; k < n; k++)
		rng = (rng ^ buf[k]) * 0x100000001B3ULL;
	if (!rng)
		rng = 1;
	run_one(buf, n);
	mutate_and_run(buf, n, mutations);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *e = getenv("LSTAR_FUZZ_MUTATIONS");
	unsigned mutations = e ? (unsigned)strtoul(e, NULL, 10) : 64;
	unsigned long inputs = 0;
	for (int a = 1; a < argc; a++) {
		struct stat st;
		if (stat(argv[a], &st) != 0) {
			fprintf(stderr, "%s: %s: not found\n", argv[0], argv[a]);
			return 2;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[a]);
			if (!d)
				return 2;
			struct dirent *de;
			char **names = NULL;
			size_t nn = 0;
			while ((de = readdir(d))) {
				if (de->d_name[0] == '.')
					continue;
				names = realloc(names, (nn + 1) * sizeof *names);
				names[nn] = malloc(strlen(argv[a]) + strlen(de->d_name) + 2);
				sprintf(names[nn], "%s/%s", argv[a], de->d_name);
				nn++;
			}
			closedir(d);
			/* Sorted, so runs are reproducible. */
			for (size_t i = 1; i < nn; i++)
				for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
					char *t = names[j]; names[j] = names[j - 1]; names[j - 1] = t;
				}
			for (size_t i = 0; i < nn; i++) {
				struct stat fs;
				if (stat(names[i], &fs) == 0 && S_ISREG(fs.st_mode) &&
				    run_file(names[i], mutations) == 0)
					inputs++;
				free(names[i]);
			}
			free(names);
		} else if (run_file(argv[a], mutations) == 0) {
			inputs++;
		}
	}
	if (!inputs) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 2;
	}
	printf("%s: %lu inputs, %lu runs, no crash\n", argv[0], inputs, runs);
	return 0;
}
