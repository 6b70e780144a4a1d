/*
 * lstar_bench.c - times a benchmark kernel through the public API and
 * prints guest instructions per second.  Never asserts on time.
 *
 * usage: lstar_bench KERNEL [RUNS [MAX_INSNS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "lstar/lstar.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lstar_bench KERNEL [RUNS [MAX_INSNS]]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	uint64_t max = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
	if (runs < 1)
		runs = 1;
	double best = 0;
	int status = 0;
	for (int r = 0; r < runs; r++) {
		char err[512];
		struct lstar_config cfg = { 0 };
		lstar_machine *m = lstar_machine_new(&cfg, err, sizeof(err));
		if (!m) {
			fprintf(stderr, "lstar_bench: %s\n", err);
			return 1;
		}
		if (lstar_boot_kernel(m, argv[1], NULL, NULL, err, sizeof(err)) != LSTAR_OK) {
			fprintf(stderr, "lstar_bench: %s\n", err);
			lstar_machine_free(m);
			return 1;
		}
		struct lstar_exit ex;
		double t0 = now();
		lstar_run(m, 0, max, &ex);
		double t = now() - t0;
		double ips = ex.icount / (t > 0 ? t : 1e-9);
		const char *how = ex.event == LSTAR_EV_POWEROFF ? "power-off" :
			ex.event == LSTAR_EV_LIMIT ? "instruction limit" : "other stop";
		printf("run %d: %llu instructions in %.3f s = %.1f M instructions/s (%s",
		       r + 1, (unsigned long long)ex.icount, t, ips / 1e6, how);
		if (ex.event == LSTAR_EV_POWEROFF)
			printf(", status %d", ex.exit_status);
		else if (ex.message[0])
			printf(": %s", ex.message);
		printf(")\n");
		if (ex.event == LSTAR_EV_POWEROFF && ex.exit_status != 0)
			status = 1;
		else if (ex.event != LSTAR_EV_POWEROFF && ex.event != LSTAR_EV_LIMIT)
			status = 1;
		if (ips > best)
			best = ips;
		lstar_machine_free(m);
	}
	printf("best: %.1f M guest instructions per second\n", best / 1e6);
	return status;
}
