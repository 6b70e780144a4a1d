/*
 * embed.h - the default kernel ELF, linked into liblstar (the bytes come
 * from kernel_model/CMakeLists.txt's generated kernel_embed.S, which
 * .incbin's build/kernel_model/lstar-kernel.elf).
 */
#ifndef LSTAR_KERNEL_EMBED_H
#define LSTAR_KERNEL_EMBED_H

extern const unsigned char lstar_default_kernel[], lstar_default_kernel_end[];

#endif
