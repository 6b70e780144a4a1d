/*
 * avxstate.c - the kernel keeps every task's full YMM state: across a
 * signal handler that clobbers it, through the signal frame (an XSAVE
 * image that the handler can read and change, as on Linux), and across
 * context switches between threads.  Prints only what must be the same
 * natively and under lstar.
 *
 * The registers are loaded, used and stored inside single asm blocks that
 * make the system calls themselves: no C library code (whose string
 * functions may use AVX2) runs between.
 */
#include <cpuid.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

static uint8_t pattern[16][32] __attribute__((aligned(32)));
static uint8_t after[16][32] __attribute__((aligned(32)));

static volatile int frame_xsave, frame_ymm_ok, handler_ran;

#define LOAD_ALL(p) \
	"vmovdqu 0*32(" p "), %%ymm0\n\tvmovdqu 1*32(" p "), %%ymm1\n\t"     \
	"vmovdqu 2*32(" p "), %%ymm2\n\tvmovdqu 3*32(" p "), %%ymm3\n\t"     \
	"vmovdqu 4*32(" p "), %%ymm4\n\tvmovdqu 5*32(" p "), %%ymm5\n\t"     \
	"vmovdqu 6*32(" p "), %%ymm6\n\tvmovdqu 7*32(" p "), %%ymm7\n\t"     \
	"vmovdqu 8*32(" p "), %%ymm8\n\tvmovdqu 9*32(" p "), %%ymm9\n\t"     \
	"vmovdqu 10*32(" p "), %%ymm10\n\tvmovdqu 11*32(" p "), %%ymm11\n\t" \
	"vmovdqu 12*32(" p "), %%ymm12\n\tvmovdqu 13*32(" p "), %%ymm13\n\t" \
	"vmovdqu 14*32(" p "), %%ymm14\n\tvmovdqu 15*32(" p "), %%ymm15\n\t"
#define STORE_ALL(p) \
	"vmovdqu %%ymm0, 0*32(" p ")\n\tvmovdqu %%ymm1, 1*32(" p ")\n\t"     \
	"vmovdqu %%ymm2, 2*32(" p ")\n\tvmovdqu %%ymm3, 3*32(" p ")\n\t"     \
	"vmovdqu %%ymm4, 4*32(" p ")\n\tvmovdqu %%ymm5, 5*32(" p ")\n\t"     \
	"vmovdqu %%ymm6, 6*32(" p ")\n\tvmovdqu %%ymm7, 7*32(" p ")\n\t"     \
	"vmovdqu %%ymm8, 8*32(" p ")\n\tvmovdqu %%ymm9, 9*32(" p ")\n\t"     \
	"vmovdqu %%ymm10, 10*32(" p ")\n\tvmovdqu %%ymm11, 11*32(" p ")\n\t" \
	"vmovdqu %%ymm12, 12*32(" p ")\n\tvmovdqu %%ymm13, 13*32(" p ")\n\t" \
	"vmovdqu %%ymm14, 14*32(" p ")\n\tvmovdqu %%ymm15, 15*32(" p ")\n\t"
#define YMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/* The handler wrecks every YMM register, looks at the XSAVE image in its
 * frame, and changes the saved upper half of YMM5 there: rt_sigreturn
 * must load that. */
static void on_usr1(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	(void)si;
	ucontext_t *uc = ucv;
	__asm__ volatile("vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
			 "vmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm15\n\t"
			 "vpxor %%ymm9, %%ymm9, %%ymm9" ::: "xmm0", "xmm5", "xmm9", "xmm15");
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;
	uint32_t magic1, xstate_size, magic2;
	uint64_t xstate_bv;
	memcpy(&magic1, fp + 464, 4);
	memcpy(&xstate_size, fp + 480, 4);
	memcpy(&xstate_bv, fp + 512, 8);
	frame_xsave = magic1 == 0x46505853U && (uc->uc_flags & 1);
	if (frame_xsave) {
		memcpy(&magic2, fp + xstate_size, 4);
		frame_xsave = magic2 == 0x46505845U && (xstate_bv & 4);
		/* YMM3's upper half at 576 + 16*3 */
		frame_ymm_ok = !memcmp(fp + 576 + 48, pattern[3] + 16, 16) &&
			       !memcmp(fp + 160 + 48, pattern[3], 16);
		memset(fp + 576 + 16 * 5, 0x5A, 16);
	}
	handler_ran = 1;
}

static void signal_test(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	long pid = getpid();
	__asm__ volatile(LOAD_ALL("%[p]")
			 "mov $62, %%eax\n\t"          /* kill(pid, SIGUSR1) */
			 "mov %[pid], %%rdi\n\t"
			 "mov $10, %%esi\n\t"
			 "syscall\n\t"
			 STORE_ALL("%[a]")
			 : : [p] "r"(pattern), [a] "r"(after), [pid] "r"(pid)
			 : "rax", "rdi", "rsi", "rcx", "r11", "memory", YMM_CLOBBERS);
	int same = 1;
	for (int r = 0; r < 16; r++)
		if (r != 5 && memcmp(after[r], pattern[r], 32))
			same = 0;
	uint8_t want5[32];
	memcpy(want5, pattern[5], 16);
	memset(want5 + 16, 0x5A, 16);
	printf("signal: handler ran %d, registers kept %d\n", handler_ran, same);
	printf("signal frame: xsave image %d, ymm3 saved %d, edited ymm5 loaded %d\n",
	       frame_xsave, frame_ymm_ok, !memcmp(after[5], want5, 32));
}

/* Threads: each loads its own YMM values, yields, and checks them. */
static void *worker(void *arg)
{
	uint8_t mine[16][32] __attribute__((aligned(32)));
	uint8_t back[16][32] __attribute__((aligned(32)));
	unsigned id = (unsigned)(uintptr_t)arg;
	int bad = 0;
	for (int round = 0; round < 200; round++) {
		for (int r = 0; r < 16; r++)
			for (int b = 0; b < 32; b++)
				mine[r][b] = (uint8_t)(id * 131 + round * 7 + r * 32 + b);
		__asm__ volatile(LOAD_ALL("%[p]")
				 "mov $24, %%eax\n\t"  /* sched_yield */
				 "syscall\n\t"
				 "mov $24, %%eax\n\t"
				 "syscall\n\t"
				 STORE_ALL("%[a]")
				 : : [p] "r"(mine), [a] "r"(back)
				 : "rax", "rcx", "r11", "memory", YMM_CLOBBERS);
		if (memcmp(mine, back, sizeof mine))
			bad++;
	}
	return (void *)(uintptr_t)bad;
}

static void thread_test(void)
{
	pthread_t t[3];
	int bad = 0;
	for (unsigned k = 0; k < 3; k++)
		pthread_create(&t[k], NULL, worker, (void *)(uintptr_t)(k + 1));
	for (unsigned k = 0; k < 3; k++) {
		void *r;
		pthread_join(t[k], &r);
		bad += (int)(uintptr_t)r;
	}
	printf("threads: rounds with a changed register: %d\n", bad);
}

/* An alternate signal stack of AT_MINSIGSTKSZ bytes is enough for a
 * frame with the whole XSAVE image. */
static void altstack_test(void)
{
	unsigned long min = getauxval(AT_MINSIGSTKSZ);
	static uint8_t stack[1 << 16] __attribute__((aligned(64)));
	if (min == 0 || min > sizeof stack / 2) {
		printf("altstack: AT_MINSIGSTKSZ unusable\n");
		return;
	}
	unsigned long size = min < MINSIGSTKSZ ? MINSIGSTKSZ : min;
	stack_t ss = { .ss_sp = stack + sizeof stack - size, .ss_size = size };
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	handler_ran = 0;
	int ok = sigaltstack(&ss, NULL) == 0 && sigaction(SIGUSR1, &sa, NULL) == 0;
	raise(SIGUSR1);
	printf("altstack of AT_MINSIGSTKSZ: %d\n", ok && handler_ran);
}

int main(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 28)) || !(c & (1u << 27)) ||
	    !__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 5))) {
		printf("no AVX2\n");
		return 0;
	}
	for (int r = 0; r < 16; r++)
		for (int k = 0; k < 32; k++)
			pattern[r][k] = (uint8_t)(r * 37 + k * 11 + 1);
	signal_test();
	thread_test();
	altstack_test();
	return 0;
}
