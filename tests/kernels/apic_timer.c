/*
 * apic_timer.c - test kernels for the local APIC timer and interrupt
 * delivery, booted by `lstar run --kernel` (docs/platform.md "Local APIC
 * and timer"; SDM vol. 3A chapter "APIC" §10.5.4, §10.5.4.1, §10.12 as
 * numbered in the editions where it is chapter 10; vol. 2A HLT; vol. 2B
 * STI).  Built three times (tests/kernels/CMakeLists.txt):
 *
 *  APIC_MODE 0, apic_timer.elf: an IDT, x2APIC mode, a periodic timer of
 *    PERIOD counts at divide-by-1 (PERIOD nanoseconds of nominal time);
 *    counts NTICKS interrupts with `sti; hlt; cli`, each handler logging
 *    the TSC, and checks that the expiries are exactly PERIOD * 4 TSC
 *    ticks apart and that the whole took NTICKS periods (HLT jumps to each
 *    expiry).  Then a one-shot and a TSC-deadline wake-up, whose handler
 *    reads the expiry (plus its three pushes).  Prints "apic-timer: PASS"
 *    on port 0xE9 and powers off through port 0xF4 with 0, or prints
 *    "apic-timer: FAIL check N" and powers off with N.
 *  APIC_MODE 1, apic_idle.elf: `sti; hlt` with no timer armed: nothing
 *    can wake the CPU, lstar must stop with status 125.
 *  APIC_MODE 2, apic_long.elf: a one-shot of 2^32 - 1 counts at
 *    divide-by-128 (about 9 minutes of guest time) with `sti; hlt`: with
 *    --seed it passes at once and the seeded clock (LSTAR_HC_CLOCK) moved as
 *    far as the TSC; without, lstar waits in real time (SIGINT stops it,
 *    with RIP at the HLT in long_wait).
 */
#include <stdint.h>
#include "lstar/hostcall.h"
#include "lstar/msr.h"

#ifndef APIC_MODE
#define APIC_MODE 0
#endif

#define VEC 0x40
#define PERIOD 500000u            /* counts = nanoseconds at divide-by-1 */
#define NTICKS 400

#define X2_VERSION 0x803
#define X2_EOI 0x80B
#define X2_SVR 0x80F
#define X2_LVT_TIMER 0x832
#define X2_INIT_COUNT 0x838
#define X2_CUR_COUNT 0x839
#define X2_DCR 0x83E

/* Entry, and the two interrupt handlers.  The timer handler pushes what
 * it uses, so its RDTSC is its fourth instruction: 12 ticks after the
 * boundary at which the interrupt was taken. */
__asm__(
	".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	lea stack_top(%rip), %rsp\n"
	"	call kmain\n"
	"	mov $0xF4, %dx\n"
	"	out %eax, %dx\n"
	"1:	cli\n"
	"	hlt\n"
	"	jmp 1b\n"
	".text\n"
	".globl timer_isr\n"
	"timer_isr:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov ticks(%rip), %rcx\n"
	"	and $1023, %ecx\n"
	"	lea tsc_log(%rip), %rdx\n"
	"	mov %rax, (%rdx,%rcx,8)\n"
	"	incq ticks(%rip)\n"
	"	mov $0x80B, %ecx\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	pop %rdx\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	"	iretq\n"
	".globl other_isr\n"
	"other_isr:\n"
	"	mov $0xE9, %dx\n"
	"	mov $'!', %al\n"
	"	out %al, %dx\n"
	"	mov $0xF4, %dx\n"
	"	mov $99, %eax\n"
	"	out %eax, %dx\n"
	"2:	cli\n"
	"	hlt\n"
	"	jmp 2b\n");

void timer_isr(void);
void other_isr(void);

volatile uint64_t ticks;
uint64_t tsc_log[1024];
static uint8_t stack[16384] __attribute__((aligned(16), used));
__asm__(".globl stack_top\n.set stack_top, stack + 16384");

struct gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};
static struct gate idt[256] __attribute__((aligned(16)));

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint64_t rdmsr(uint32_t i)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(i));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t i, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(i), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
/* Wait for one interrupt: STI's shadow covers the HLT, so the interrupt
 * cannot slip in between; the handler returns to the CLI. */
static inline void wait_irq(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static void puts_e9(const char *s)
{
	while (*s)
		outb(0xE9, (uint8_t)*s++);
}
static void putdec(uint64_t v)
{
	char b[21];
	int n = 20;
	b[n] = 0;
	do {
		b[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_e9(b + n);
}

#define NAME (APIC_MODE == 0 ? "apic-timer" : APIC_MODE == 1 ? "apic-idle" : "apic-long")
static int fail(int n)
{
	puts_e9(NAME);
	puts_e9(": FAIL check ");
	putdec((uint64_t)n);
	puts_e9("\n");
	return n;
}
#define CHECK(n, cond) do { if (!(cond)) return fail(n); } while (0)

static void set_gate(unsigned v, void (*fn)(void))
{
	uint64_t a = (uint64_t)fn;
	idt[v] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8E, (uint16_t)(a >> 16),
				(uint32_t)(a >> 32), 0 };
}

static void setup(void)
{
	for (unsigned v = 0; v < 256; v++)
		set_gate(v, other_isr);
	set_gate(VEC, timer_isr);
	struct { uint16_t lim; uint64_t base; } __attribute__((packed)) idtr = {
		sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

static __attribute__((unused)) int apic_on(void)
{
	uint32_t a = 1, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	CHECK(1, c & (1u << 21));                    /* x2APIC */
	CHECK(2, c & (1u << 24));                    /* TSC-deadline */
	CHECK(3, (b >> 24) == 0);                    /* initial APIC ID */
	wrmsr(LSTAR_MSR_APIC_BASE, rdmsr(LSTAR_MSR_APIC_BASE) | (1u << 10));   /* EXTD */
	CHECK(4, (rdmsr(X2_VERSION) & 0xFF) >= 0x10);
	wrmsr(X2_SVR, 0x1FF);                        /* software enable, spurious 0xFF */
	wrmsr(X2_DCR, 0xB);                          /* divide by 1 */
	return 0;
}

#if APIC_MODE == 0
static int run(void)
{
	int r = apic_on();
	if (r)
		return r;
	/* periodic */
	wrmsr(X2_LVT_TIMER, (1u << 17) | VEC);
	uint64_t t0 = rdtsc();
	wrmsr(X2_INIT_COUNT, PERIOD);
	while (ticks < NTICKS)
		wait_irq();
	uint64_t t1 = rdtsc();
	wrmsr(X2_INIT_COUNT, 0);                     /* stops it */
	CHECK(10, ticks == NTICKS);
	for (unsigned k = 1; k < NTICKS; k++)
		CHECK(11, tsc_log[k] - tsc_log[k - 1] == 4ull * PERIOD);
	uint64_t span = 4ull * PERIOD * NTICKS;
	CHECK(12, t1 - t0 >= span && t1 - t0 < span + 4 * 200);
	CHECK(13, tsc_log[0] - t0 >= 4ull * PERIOD && tsc_log[0] - t0 < 4ull * PERIOD + 4 * 50);
	/* one-shot */
	wrmsr(X2_LVT_TIMER, VEC);
	uint64_t ta = rdtsc();
	wrmsr(X2_INIT_COUNT, 5000);
	CHECK(20, rdmsr(X2_CUR_COUNT) <= 5000);
	wait_irq();
	CHECK(21, ticks == NTICKS + 1);
	CHECK(22, tsc_log[NTICKS] - ta >= 20000 + 12 && tsc_log[NTICKS] - ta < 20000 + 12 + 4 * 30);
	CHECK(23, rdmsr(X2_CUR_COUNT) == 0);
	/* TSC deadline: the handler's RDTSC reads the deadline + 12 exactly */
	wrmsr(X2_LVT_TIMER, (2u << 17) | VEC);
	uint64_t dl = rdtsc() + 123457;
	wrmsr(LSTAR_MSR_TSC_DEADLINE, dl);
	CHECK(30, rdmsr(LSTAR_MSR_TSC_DEADLINE) == dl);
	wait_irq();
	CHECK(31, ticks == NTICKS + 2);
	CHECK(32, tsc_log[NTICKS + 1] == dl + 12);
	CHECK(33, rdmsr(LSTAR_MSR_TSC_DEADLINE) == 0);
	puts_e9("apic-timer: ");
	putdec(ticks);
	puts_e9(" interrupts, periodic span ");
	putdec(t1 - t0);
	puts_e9(" TSC ticks, PASS\n");
	return 0;
}
#elif APIC_MODE == 1
static __attribute__((noinline)) void idle_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

static int run(void)
{
	puts_e9("apic-idle: sti; hlt with nothing armed\n");
	idle_wait();
	return fail(1);
}
#else
static struct lstar_hc_req req __attribute__((aligned(64)));
static int64_t clock_ns(void)
{
	int64_t ts[2];
	req = (struct lstar_hc_req){ .op = LSTAR_HC_CLOCK, .a = { 1, (uint64_t)ts } };   /* CLOCK_MONOTONIC */
	uint64_t pa = (uint64_t)&req;
	outl(LSTAR_HC_PORT_ADDR_HI, (uint32_t)(pa >> 32));
	outl(LSTAR_HC_PORT_ADDR_LO, (uint32_t)pa);
	return req.ret ? -1 : ts[0] * 1000000000 + ts[1];
}

static __attribute__((noinline)) void long_wait(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static int run(void)
{
	int r = apic_on();
	if (r)
		return r;
	wrmsr(X2_DCR, 0xA);                          /* divide by 128 */
	wrmsr(X2_LVT_TIMER, VEC);
	int64_t c0 = clock_ns();
	uint64_t t0 = rdtsc();
	wrmsr(X2_INIT_COUNT, 0xFFFFFFFFu);
	puts_e9("apic-long: waiting\n");	/* Ctrl-C may come now (tests) */
	long_wait();
	uint64_t t1 = rdtsc();
	int64_t c1 = clock_ns();
	uint64_t span = 0xFFFFFFFFull * 128 * 4;
	CHECK(40, ticks == 1);
	CHECK(41, t1 - t0 >= span && t1 - t0 < span + 4 * 100);
	/* the clock moved as far as the TSC: four ticks a nanosecond */
	CHECK(42, c0 >= 0 && c1 - c0 >= (int64_t)(span / 4) && c1 - c0 < (int64_t)(span / 4) + 1000);
	puts_e9("apic-long: woke after ");
	putdec(t1 - t0);
	puts_e9(" TSC ticks, clock moved ");
	putdec((uint64_t)(c1 - c0));
	puts_e9(" ns, PASS\n");
	return 0;
}
#endif

int kmain(void)
{
	setup();
	return run();
}
