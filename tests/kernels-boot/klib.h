/* Tiny freestanding helpers for the boot test kernels. */
#ifndef KLIB_H
#define KLIB_H
#include <stdint.h>
#include <stddef.h>

/* Registers at _start (crt0.S): 16 GPRs in encoding order, RFLAGS, &_start. */
extern uint64_t entry_regs[18];

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint64_t rdmsr(uint32_t idx)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((uint64_t)hi << 32) | lo;
}
#define READ_CR(n) ({ uint64_t v_; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); v_; })
#define READ_SEG(s) ({ uint16_t v_; __asm__ volatile("mov %%" #s ", %0" : "=r"(v_)); v_; })

static inline __attribute__((noreturn)) void poweroff(uint32_t code)
{
	outl(0xF4, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static inline void puts_e9(const char *s)
{
	while (*s)
		outb(0xE9, (uint8_t)*s++);
}
static inline void puthex(uint64_t v)
{
	char b[19];
	b[0] = '0'; b[1] = 'x';
	for (int i = 0; i < 16; i++)
		b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	b[18] = 0;
	puts_e9(b);
}
static inline int kstrcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* gcc may emit calls to these even with -ffreestanding. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
#endif
