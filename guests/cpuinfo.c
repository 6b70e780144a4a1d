/* cpuinfo.c - does /proc/cpuinfo say what CPUID says?  Executes CPUID and
 * parses /proc/cpuinfo: vendor, family, model, stepping, model name (the
 * brand string), cpuid level, clflush size and address sizes must match,
 * there must be as many processors as sched_getaffinity allows, and every
 * flag listed must be a feature bit CPUID reports, under Linux's name
 * (and every bit CPUID reports that has a name must be listed).  Exit 0
 * when all agree.  Meant for lstar (tests/e2e, both vendors): a real
 * Linux also lists flags it makes up (constant_tsc, ...), which `-native`
 * reports without failing. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flag { const char *name; unsigned leaf, reg, bit; };	/* reg: 0 EAX .. 3 EDX */

/* Linux's names (arch/x86/include/asm/cpufeatures.h) for the bits of the
 * leaves lstar can set. */
static const struct flag flags[] = {
	{ "fpu", 1, 3, 0 }, { "vme", 1, 3, 1 }, { "de", 1, 3, 2 }, { "pse", 1, 3, 3 },
	{ "tsc", 1, 3, 4 }, { "msr", 1, 3, 5 }, { "pae", 1, 3, 6 }, { "mce", 1, 3, 7 },
	{ "cx8", 1, 3, 8 }, { "apic", 1, 3, 9 }, { "sep", 1, 3, 11 }, { "mtrr", 1, 3, 12 },
	{ "pge", 1, 3, 13 }, { "mca", 1, 3, 14 }, { "cmov", 1, 3, 15 }, { "pat", 1, 3, 16 },
	{ "pse36", 1, 3, 17 }, { "pn", 1, 3, 18 }, { "clflush", 1, 3, 19 }, { "dts", 1, 3, 21 },
	{ "acpi", 1, 3, 22 }, { "mmx", 1, 3, 23 }, { "fxsr", 1, 3, 24 }, { "sse", 1, 3, 25 },
	{ "sse2", 1, 3, 26 }, { "ss", 1, 3, 27 }, { "ht", 1, 3, 28 }, { "tm", 1, 3, 29 },
	{ "ia64", 1, 3, 30 }, { "pbe", 1, 3, 31 },
	{ "syscall", 0x80000001, 3, 11 }, { "mp", 0x80000001, 3, 19 }, { "nx", 0x80000001, 3, 20 },
	{ "mmxext", 0x80000001, 3, 22 }, { "fxsr_opt", 0x80000001, 3, 25 },
	{ "pdpe1gb", 0x80000001, 3, 26 }, { "rdtscp", 0x80000001, 3, 27 }, { "lm", 0x80000001, 3, 29 },
	{ "3dnowext", 0x80000001, 3, 30 }, { "3dnow", 0x80000001, 3, 31 },
	{ "pni", 1, 2, 0 }, { "pclmulqdq", 1, 2, 1 }, { "dtes64", 1, 2, 2 }, { "monitor", 1, 2, 3 },
	{ "ds_cpl", 1, 2, 4 }, { "vmx", 1, 2, 5 }, { "smx", 1, 2, 6 }, { "est", 1, 2, 7 },
	{ "tm2", 1, 2, 8 }, { "ssse3", 1, 2, 9 }, { "cid", 1, 2, 10 }, { "sdbg", 1, 2, 11 },
	{ "fma", 1, 2, 12 }, { "cx16", 1, 2, 13 }, { "xtpr", 1, 2, 14 }, { "pdcm", 1, 2, 15 },
	{ "pcid", 1, 2, 17 }, { "dca", 1, 2, 18 }, { "sse4_1", 1, 2, 19 }, { "sse4_2", 1, 2, 20 },
	{ "x2apic", 1, 2, 21 }, { "movbe", 1, 2, 22 }, { "popcnt", 1, 2, 23 },
	{ "tsc_deadline_timer", 1, 2, 24 }, { "aes", 1, 2, 25 }, { "xsave", 1, 2, 26 },
	{ "avx", 1, 2, 28 }, { "f16c", 1, 2, 29 }, { "rdrand", 1, 2, 30 }, { "hypervisor", 1, 2, 31 },
	{ "lahf_lm", 0x80000001, 2, 0 }, { "cmp_legacy", 0x80000001, 2, 1 }, { "svm", 0x80000001, 2, 2 },
	{ "extapic", 0x80000001, 2, 3 }, { "cr8_legacy", 0x80000001, 2, 4 }, { "abm", 0x80000001, 2, 5 },
	{ "sse4a", 0x80000001, 2, 6 }, { "misalignsse", 0x80000001, 2, 7 },
	{ "3dnowprefetch", 0x80000001, 2, 8 }, { "osvw", 0x80000001, 2, 9 }, { "ibs", 0x80000001, 2, 10 },
	{ "xop", 0x80000001, 2, 11 }, { "skinit", 0x80000001, 2, 12 }, { "wdt", 0x80000001, 2, 13 },
	{ "lwp", 0x80000001, 2, 15 }, { "fma4", 0x80000001, 2, 16 }, { "tce", 0x80000001, 2, 17 },
	{ "nodeid_msr", 0x80000001, 2, 19 }, { "tbm", 0x80000001, 2, 21 },
	{ "topoext", 0x80000001, 2, 22 }, { "perfctr_core", 0x80000001, 2, 23 },
	{ "perfctr_nb", 0x80000001, 2, 24 }, { "bpext", 0x80000001, 2, 26 },
	{ "ptsc", 0x80000001, 2, 27 }, { "perfctr_llc", 0x80000001, 2, 28 },
	{ "mwaitx", 0x80000001, 2, 29 },
	{ "fsgsbase", 7, 1, 0 }, { "tsc_adjust", 7, 1, 1 }, { "sgx", 7, 1, 2 }, { "bmi1", 7, 1, 3 },
	{ "hle", 7, 1, 4 }, { "avx2", 7, 1, 5 }, { "smep", 7, 1, 7 }, { "bmi2", 7, 1, 8 },
	{ "erms", 7, 1, 9 }, { "invpcid", 7, 1, 10 }, { "rtm", 7, 1, 11 }, { "cqm", 7, 1, 12 },
	{ "mpx", 7, 1, 14 }, { "rdt_a", 7, 1, 15 }, { "avx512f", 7, 1, 16 }, { "avx512dq", 7, 1, 17 },
	{ "rdseed", 7, 1, 18 }, { "adx", 7, 1, 19 }, { "smap", 7, 1, 20 }, { "avx512ifma", 7, 1, 21 },
	{ "clflushopt", 7, 1, 23 }, { "clwb", 7, 1, 24 }, { "intel_pt", 7, 1, 25 },
	{ "avx512pf", 7, 1, 26 }, { "avx512er", 7, 1, 27 }, { "avx512cd", 7, 1, 28 },
	{ "sha_ni", 7, 1, 29 }, { "avx512bw", 7, 1, 30 }, { "avx512vl", 7, 1, 31 },
	{ "avx512vbmi", 7, 2, 1 }, { "umip", 7, 2, 2 }, { "pku", 7, 2, 3 }, { "ospke", 7, 2, 4 },
	{ "waitpkg", 7, 2, 5 }, { "avx512_vbmi2", 7, 2, 6 }, { "gfni", 7, 2, 8 }, { "vaes", 7, 2, 9 },
	{ "vpclmulqdq", 7, 2, 10 }, { "avx512_vnni", 7, 2, 11 }, { "avx512_bitalg", 7, 2, 12 },
	{ "tme", 7, 2, 13 }, { "avx512_vpopcntdq", 7, 2, 14 }, { "la57", 7, 2, 16 },
	{ "rdpid", 7, 2, 22 }, { "bus_lock_detect", 7, 2, 24 }, { "cldemote", 7, 2, 25 },
	{ "movdiri", 7, 2, 27 }, { "movdir64b", 7, 2, 28 }, { "enqcmd", 7, 2, 29 },
	{ "sgx_lc", 7, 2, 30 },
	{ "avx512_4vnniw", 7, 3, 2 }, { "avx512_4fmaps", 7, 3, 3 }, { "fsrm", 7, 3, 4 },
	{ "avx512_vp2intersect", 7, 3, 8 }, { "md_clear", 7, 3, 10 }, { "serialize", 7, 3, 14 },
	{ "tsxldtrk", 7, 3, 16 }, { "pconfig", 7, 3, 18 }, { "arch_lbr", 7, 3, 19 },
	{ "amx_bf16", 7, 3, 22 }, { "avx512_fp16", 7, 3, 23 }, { "amx_tile", 7, 3, 24 },
	{ "amx_int8", 7, 3, 25 }, { "flush_l1d", 7, 3, 28 }, { "arch_capabilities", 7, 3, 29 },
};

static unsigned max_basic, max_ext;
static int bad;

static void cpuid(unsigned leaf, unsigned r[4])
{
	__cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
}

static int bit_set(const struct flag *f)
{
	unsigned r[4];
	if (f->leaf < 0x80000000 ? f->leaf > max_basic : f->leaf > max_ext)
		return 0;
	cpuid(f->leaf, r);
	return (r[f->reg] >> f->bit) & 1;
}

static const struct flag *find(const char *name)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(flags[i].name, name))
			return &flags[i];
	return NULL;
}

/* The value of the first "key\t...: value" line. */
static const char *field(const char *text, const char *key)
{
	static char val[4096];
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t k = strlen(key);
		if (strncmp(l, key, k) || (l[k] != '\t' && l[k] != ':'))
			continue;
		const char *v = strchr(l, ':');
		v += v[1] == ' ' ? 2 : 1;
		snprintf(val, sizeof(val), "%.*s", (int)strcspn(v, "\n"), v);
		return val;
	}
	return NULL;
}

static void expect(const char *what, const char *got, const char *want)
{
	int ok = got && !strcmp(got, want);
	printf("%-16s %s%s%s\n", what, got ? got : "(missing)", ok ? "" : "   but CPUID says ",
	       ok ? "" : want);
	bad |= !ok;
}

int main(int argc, char **argv)
{
	int native = argc > 1 && !strcmp(argv[1], "-native");
	static char text[1 << 16];
	FILE *fp = fopen("/proc/cpuinfo", "r");
	if (!fp) {
		perror("/proc/cpuinfo");
		return 1;
	}
	size_t len = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[len] = 0;

	unsigned r[4];
	char s[64];
	cpuid(0, r);
	max_basic = r[0];
	char vendor[13];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	expect("vendor_id", field(text, "vendor_id"), vendor);
	cpuid(0x80000000, r);
	max_ext = r[0];

	cpuid(1, r);
	unsigned family = (r[0] >> 8) & 15, model = (r[0] >> 4) & 15;
	if (family == 15)
		family += (r[0] >> 20) & 255;
	if (family >= 6)
		model |= ((r[0] >> 16) & 15) << 4;
	snprintf(s, sizeof(s), "%u", family);
	expect("cpu family", field(text, "cpu family"), s);
	snprintf(s, sizeof(s), "%u", model);
	expect("model", field(text, "model"), s);
	snprintf(s, sizeof(s), "%u", r[0] & 15);
	expect("stepping", field(text, "stepping"), s);
	snprintf(s, sizeof(s), "%u", ((r[1] >> 8) & 255) * 8);
	expect("clflush size", field(text, "clflush size"), s);
	snprintf(s, sizeof(s), "%u", max_basic);
	expect("cpuid level", field(text, "cpuid level"), s);

	char brand[49] = "";
	if (max_ext >= 0x80000004) {
		for (unsigned i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, r);
			memcpy(brand + 16 * i, r, 16);
		}
		brand[48] = 0;
	}
	const char *b = brand;
	while (*b == ' ')
		b++;
	char want[64];
	snprintf(want, sizeof(want), "%s", b);
	for (size_t n = strlen(want); n && want[n - 1] == ' '; n--)
		want[n - 1] = 0;	/* Linux shows it as the CPU gives it; compare trimmed */
	char got[64];
	snprintf(got, sizeof(got), "%s", field(text, "model name") ? field(text, "model name") : "");
	for (size_t n = strlen(got); n && got[n - 1] == ' '; n--)
		got[n - 1] = 0;
	expect("model name", got, want);
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, r);
		snprintf(s, sizeof(s), "%u bits physical, %u bits virtual", r[0] & 255, (r[0] >> 8) & 255);
		expect("address sizes", field(text, "address sizes"), s);
	}

	/* One "processor" line per CPU the program may run on. */
	cpu_set_t set;
	int ncpu = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : -1;
	int nproc = 0;
	for (const char *p = text; (p = strstr(p, "processor\t")); p++)
		nproc++;
	printf("%-16s %d lines, %d CPUs for sched_getaffinity\n", "processor", nproc, ncpu);
	if (!native)
		bad |= nproc != ncpu;

	/* Every flag is a CPUID bit that is set ... */
	const char *fl = field(text, "flags");
	char list[4096];
	snprintf(list, sizeof(list), "%s", fl ? fl : "");
	int nflags = 0, unknown = 0;
	for (char *t = strtok(list, " "); t; t = strtok(NULL, " ")) {
		const struct flag *f = find(t);
		nflags++;
		if (!f) {
			printf("flag %-11s is no CPUID bit this test knows\n", t);
			unknown++;
		} else if (!bit_set(f)) {
			static const char *const reg[] = { "EAX", "EBX", "ECX", "EDX" };
			printf("flag %-11s is listed, but CPUID %#x %s bit %u is clear\n", t,
			       f->leaf, reg[f->reg], f->bit);
			bad = 1;
		}
	}
	/* ... and every named bit that is set is listed. */
	snprintf(list, sizeof(list), " %s ", fl ? fl : "");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char pat[40];
		snprintf(pat, sizeof(pat), " %s ", flags[i].name);
		if (bit_set(&flags[i]) && !strstr(list, pat)) {
			printf("CPUID reports %s, /proc/cpuinfo does not list it\n", flags[i].name);
			if (!native)
				bad = 1;
		}
	}
	if (!native)
		bad |= unknown > 0;
	printf("%-16s %d listed, %d unknown\n", "flags", nflags, unknown);
	printf("%s\n", bad ? "MISMATCH" : "ok: /proc/cpuinfo agrees with CPUID");
	return bad;
}
