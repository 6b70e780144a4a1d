/*
 * cpuinfo.c - /proc/cpuinfo from what CPUID says (mirrors
 * arch/x86/kernel/cpu/proc.c's show_cpuinfo, and the flag names of
 * arch/x86/include/asm/cpufeatures.h that mkcapflags.sh turns into
 * x86_cap_flags[]).
 *
 * The kernel executes CPUID itself, so a program that reads /proc/cpuinfo
 * learns the same features CPUID gives it: the vendor, family, model and
 * stepping of leaf 1, the brand string of leaves 0x80000002-4, and one
 * flag for each feature bit set, under Linux's name and in Linux's order
 * (the capability words: leaf 1 EDX, 0x80000001 EDX, leaf 1 ECX,
 * 0x80000001 ECX, leaf 7 EBX/ECX/EDX).  Flags Linux makes up itself
 * (constant_tsc, rep_good, ...) and the bugs list are left out: nothing
 * here measured them.  One processor, as sched_getaffinity says.  The
 * clock is the TSC's rate, 4 GHz (4 ticks per instruction).
 */
#include "sched.h"
#include "fs.h"

struct cap_word {
	u32 leaf, sub;
	int reg;			/* 0 EAX, 1 EBX, 2 ECX, 3 EDX */
	const char *name[32];		/* NULL: Linux shows no name */
};

static const struct cap_word words[] = {
	{ 1, 0, 3, {	/* word 0: CPUID 1 EDX */
		"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
		"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
		"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ 0x80000001, 0, 3, {	/* word 1: AMD's copy of word 0 is not repeated */
		[11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
		[25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
		[30] = "3dnowext", [31] = "3dnow" } },
	{ 1, 0, 2, {	/* word 4: CPUID 1 ECX */
		"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
		"tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm",
		NULL, "pcid", "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt",
		"tsc_deadline_timer", "aes", "xsave", NULL /* osxsave */, "avx", "f16c",
		"rdrand", "hypervisor" } },
	{ 0x80000001, 0, 2, {	/* word 6: CPUID 0x80000001 ECX */
		"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
		"misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt",
		NULL, "lwp", "fma4", "tce", NULL, "nodeid_msr", NULL, "tbm", "topoext",
		"perfctr_core", "perfctr_nb", NULL, "bpext", "ptsc", "perfctr_llc",
		"mwaitx" } },
	{ 7, 0, 1, {	/* word 9: CPUID 7.0 EBX */
		"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep",
		"bmi2", "erms", "invpcid", "rtm", "cqm", NULL, "mpx", "rdt_a",
		"avx512f", "avx512dq", "rdseed", "adx", "smap", "avx512ifma", NULL,
		"clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd",
		"sha_ni", "avx512bw", "avx512vl" } },
	{ 7, 0, 2, {	/* word 16: CPUID 7.0 ECX */
		[1] = "avx512vbmi", [2] = "umip", [3] = "pku", [4] = "ospke",
		[5] = "waitpkg", [6] = "avx512_vbmi2", [8] = "gfni", [9] = "vaes",
		[10] = "vpclmulqdq", [11] = "avx512_vnni", [12] = "avx512_bitalg",
		[13] = "tme", [14] = "avx512_vpopcntdq", [16] = "la57", [22] = "rdpid",
		[24] = "bus_lock_detect", [25] = "cldemote", [27] = "movdiri",
		[28] = "movdir64b", [29] = "enqcmd", [30] = "sgx_lc" } },
	{ 7, 0, 3, {	/* word 18: CPUID 7.0 EDX */
		[2] = "avx512_4vnniw", [3] = "avx512_4fmaps", [4] = "fsrm",
		[8] = "avx512_vp2intersect", [10] = "md_clear", [14] = "serialize",
		[16] = "tsxldtrk", [18] = "pconfig", [19] = "arch_lbr", [22] = "amx_bf16",
		[23] = "avx512_fp16", [24] = "amx_tile", [25] = "amx_int8",
		[28] = "flush_l1d", [29] = "arch_capabilities" } },
};

static void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(sub));
}

void show_cpuinfo(struct seq_file *m)
{
	u32 r[4], max_basic, max_ext, sig;
	char vendor[13], brand[49];

	cpuid(0, 0, r);
	max_basic = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	cpuid(1, 0, r);
	sig = r[0];
	u32 clflush = ((r[1] >> 8) & 0xff) * 8;
	unsigned family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family >= 6)
		model += ((sig >> 16) & 0xf) << 4;

	cpuid(0x80000000, 0, r);
	max_ext = r[0] >= 0x80000000 ? r[0] : 0;
	brand[0] = 0;
	if (max_ext >= 0x80000004) {
		for (u32 i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(brand + 16 * i, r, 16);
		}
		brand[48] = 0;
	}
	const char *name = brand;
	while (*name == ' ')
		name++;			/* Linux drops leading blanks */
	unsigned phys = 36, virt = 48;
	if (max_ext >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		phys = r[0] & 0xff;
		virt = (r[0] >> 8) & 0xff;
	}

	seq_printf(m, "processor\t: 0\n");
	seq_printf(m, "vendor_id\t: %s\n", vendor);
	seq_printf(m, "cpu family\t: %u\n", family);
	seq_printf(m, "model\t\t: %u\n", model);
	seq_printf(m, "model name\t: %s\n", *name ? name : "unknown");
	seq_printf(m, "stepping\t: %u\n", sig & 0xf);
	seq_printf(m, "cpu MHz\t\t: 4000.000\n");
	seq_printf(m, "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\n");
	seq_printf(m, "apicid\t\t: 0\ninitial apicid\t: 0\n");
	seq_printf(m, "fpu\t\t: yes\nfpu_exception\t: yes\n");
	seq_printf(m, "cpuid level\t: %u\n", max_basic);
	seq_printf(m, "wp\t\t: yes\n");
	seq_printf(m, "flags\t\t:");
	for (unsigned w = 0; w < ARRAY_SIZE(words); w++) {
		const struct cap_word *c = &words[w];
		if (c->leaf < 0x80000000 ? c->leaf > max_basic : c->leaf > max_ext)
			continue;
		cpuid(c->leaf, c->sub, r);
		for (int bit = 0; bit < 32; bit++)
			if ((r[c->reg] >> bit) & 1 && c->name[bit])
				seq_printf(m, " %s", c->name[bit]);
	}
	seq_printf(m, "\nbugs\t\t:\n");
	seq_printf(m, "bogomips\t: 8000.00\n");
	seq_printf(m, "clflush size\t: %u\n", clflush);
	seq_printf(m, "cache_alignment\t: %u\n", clflush ? clflush : 64);
	seq_printf(m, "address sizes\t: %u bits physical, %u bits virtual\n", phys, virt);
	seq_printf(m, "power management:\n\n");
}
