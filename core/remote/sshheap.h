/*
 * sshheap: a per-session heap for libssh2.
 *
 * libssh2 1.10 (Debian 12) leaks the curve25519 key pair it allocates
 * during key exchange when a session is freed half way through a
 * handshake, which is exactly what happens when a probe is cancelled or
 * times out.  Handing each session its own allocator that remembers every
 * live block lets ry_sshheap_free() release whatever libssh2 forgot once
 * the session is gone.  A heap belongs to one session and is used by one
 * thread at a time, as the session is.
 *
 * Ownership: ry_sshheap_new() returns a heap the caller frees with
 * ry_sshheap_free(), after libssh2_session_free() of the session using it.
 */
#ifndef RY_SSHHEAP_H
#define RY_SSHHEAP_H

#include <libssh2.h>

typedef struct ry_sshheap ry_sshheap;

ry_sshheap *ry_sshheap_new(void);

/* A session allocating from heap h (NULL if libssh2 cannot make one). */
LIBSSH2_SESSION *ry_sshheap_session(ry_sshheap *h);

/* Frees every block still live, then the heap.  NULL is a no-op. */
void ry_sshheap_free(ry_sshheap *h);

/* Blocks still live (for tests). */
size_t ry_sshheap_live(const ry_sshheap *h);

#endif
