/*
 * Per-session libssh2 heap (see sshheap.h).  Each block carries a header
 * linking it into its heap's list, so freeing the heap can walk what is
 * left; the header is padded to max_align_t so blocks stay aligned.
 */
#include "remote/sshheap.h"
#include "base/alloc.h"

#include <stddef.h>
#include <stdlib.h>

typedef union block {
	struct {
		union block *prev, *next;
	} link;
	max_align_t align;
} block;

struct ry_sshheap {
	block head;   /* sentinel of a circular list */
	size_t live;
};

static void link_in(ry_sshheap *h, block *b)
{
	b->link.prev = &h->head;
	b->link.next = h->head.link.next;
	h->head.link.next->link.prev = b;
	h->head.link.next = b;
	h->live++;
}

static void unlink_out(ry_sshheap *h, block *b)
{
	b->link.prev->link.next = b->link.next;
	b->link.next->link.prev = b->link.prev;
	h->live--;
}

static LIBSSH2_ALLOC_FUNC(heap_alloc)
{
	ry_sshheap *h = *abstract;
	block *b = malloc(sizeof *b + count);
	if (!b)
		return NULL;
	link_in(h, b);
	return b + 1;
}

static LIBSSH2_FREE_FUNC(heap_free)
{
	ry_sshheap *h = *abstract;
	block *b;
	if (!ptr)
		return;
	b = (block *)ptr - 1;
	unlink_out(h, b);
	free(b);
}

static LIBSSH2_REALLOC_FUNC(heap_realloc)
{
	ry_sshheap *h = *abstract;
	block *b, *nb;
	if (!ptr)
		return heap_alloc(count, abstract);
	b = (block *)ptr - 1;
	unlink_out(h, b);
	nb = realloc(b, sizeof *b + count);
	if (!nb) {
		link_in(h, b);
		return NULL;
	}
	link_in(h, nb);
	return nb + 1;
}

ry_sshheap *ry_sshheap_new(void)
{
	ry_sshheap *h = ry_xcalloc(1, sizeof *h);
	h->head.link.prev = h->head.link.next = &h->head;
	return h;
}

LIBSSH2_SESSION *ry_sshheap_session(ry_sshheap *h)
{
	return libssh2_session_init_ex(heap_alloc, heap_free, heap_realloc, h);
}

size_t ry_sshheap_live(const ry_sshheap *h)
{
	return h ? h->live : 0;
}

void ry_sshheap_free(ry_sshheap *h)
{
	if (!h)
		return;
	while (h->head.link.next != &h->head) {
		block *b = h->head.link.next;
		unlink_out(h, b);
		free(b);
	}
	free(h);
}
