/* SPDX-License-Identifier: MIT */
/*
 * seed.c - is this a <linux/batch.h> program?
 *
 * Such a program's batch_flush() references dbatch_seed_flush (weakly), so
 * the executable's dynamic symbol table lists it as undefined; a program
 * that never calls batch_flush() has no such reference (an unused static
 * inline function is not emitted) and is never batched implicitly.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>
#include "internal.h"

struct lookup {
	const char *name;
	int found;
};

static uint32_t gnu_hash_nsyms(const uint32_t *h)
{
	uint32_t nbuckets = h[0], symoffset = h[1], bloom = h[2];
	const uint32_t *buckets = h + 4 + bloom * (sizeof(ElfW(Addr)) / 4);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t last = 0;

	for (uint32_t i = 0; i < nbuckets; i++)
		if (buckets[i] > last)
			last = buckets[i];
	if (last < symoffset)
		return symoffset;
	while (!(chain[last - symoffset] & 1))
		last++;
	return last + 1;
}

static ElfW(Addr) dyn_ptr(ElfW(Addr) base, ElfW(Addr) v)
{
	/* ld.so relocates most d_ptr entries; tolerate either form */
	return v < base ? base + v : v;
}

static int scan(struct dl_phdr_info *info, size_t size, void *data)
{
	struct lookup *lk = data;
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	uint32_t nsyms = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	if (!dyn)
		return 1;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		ElfW(Addr) p = dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);

		switch (dyn->d_tag) {
		case DT_SYMTAB:
			symtab = (const void *)p;
			break;
		case DT_STRTAB:
			strtab = (const void *)p;
			break;
		case DT_HASH:
			nsyms = ((const uint32_t *)p)[1];
			break;
		case DT_GNU_HASH:
			if (!nsyms)
				nsyms = gnu_hash_nsyms((const void *)p);
			break;
		default:
			break;
		}
	}
	if (!symtab || !strtab)
		return 1;
	for (uint32_t i = 1; i < nsyms; i++)
		if (symtab[i].st_shndx == SHN_UNDEF &&
		    !strcmp(strtab + symtab[i].st_name, lk->name)) {
			lk->found = 1;
			break;
		}
	return 1;	/* the first object is the executable: stop */
}

int dbatch_program_uses_seed(void)
{
	struct lookup lk = { "dbatch_seed_flush", 0 };

	dl_iterate_phdr(scan, &lk);
	return lk.found;
}
