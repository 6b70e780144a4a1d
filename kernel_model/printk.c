/*
 * printk.c - kernel messages on the lstar debug console, port 0xE9
 * (mirrors kernel/printk/printk.c and arch/x86/kernel/early_printk.c, with
 * a tiny vsnprintf from lib/vsprintf.c).  Port 0xE9 needs no setup, so
 * printk works from the first instruction of start_kernel.
 */
#include "sched.h"
#include "kernel.h"
#include "processor.h"

#define CONSOLE_PORT 0xE9

struct outbuf { char *buf; size_t size, len; };

static void put(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct outbuf *o, unsigned long v, unsigned base,
		    int width, char pad, int neg)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

/* Supports %s %c %d %i %u %x %o %p %lx %ld %lu %lo %zu and a zero-pad
 * width. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng = 1, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			while (width-- > len)
				put(&o, ' ');
			while (*s)
				put(&o, *s++);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 'd': case 'i': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(&o, v < 0 ? -(unsigned long)v : (unsigned long)v,
				10, width, pad, v < 0);
			break;
		}
		case 'u':
			put_num(&o, lng ? va_arg(ap, unsigned long)
				       : va_arg(ap, unsigned), 10, width, pad, 0);
			break;
		case 'x':
			put_num(&o, lng ? va_arg(ap, unsigned long)
				       : va_arg(ap, unsigned), 16, width, pad, 0);
			break;
		case 'o':
			put_num(&o, lng ? va_arg(ap, unsigned long)
				       : va_arg(ap, unsigned), 8, width, pad, 0);
			break;
		case 'p':
			put(&o, '0'); put(&o, 'x');
			put_num(&o, (unsigned long)va_arg(ap, void *), 16, width, pad, 0);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void console_write(const char *s)
{
	while (*s)
		outb((u8)*s++, CONSOLE_PORT);
}

void printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf);
}

/* Something the kernel cannot survive: say so and stop the machine.  HLT
 * with interrupts off makes lstar print RIP and exit with status 125. */
void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write("Kernel panic - not syncing: ");
	console_write(buf);
	console_write("\n");
	halt_forever();
}
