/*
 * The passphrase broker (see askpass.h).  Questions are records on the
 * askers' own stacks, queued in arrival order under one mutex; the main
 * loop shows the head and answers by writing into the askers' buffers
 * while they are still blocked here, so no passphrase is ever held by the
 * broker itself.  Askers wait on a condition variable in slices of 100 ms
 * to notice their cancel flag.  It draws nothing and knows nothing about
 * SSH beyond the callback's shape.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "work/askpass.h"
#include "runyard.h"

enum { Q_WAITING, Q_ANSWERED, Q_REFUSED };

struct question {
	struct question *next;
	unsigned long id;
	const char *keyfile;  /* the asker's, valid while queued */
	char *buf;            /* the asker's, written only while queued */
	size_t size;
	int state;            /* under the broker's mutex */
};

struct tui_askpass {
	pthread_mutex_t mu;
	pthread_cond_t cv;    /* a question was answered, or shutdown */
	bool interactive;
	bool closed;
	unsigned long last_id;
	struct question *head;
	char **refused;       /* key files refused with Esc */
	size_t nrefused;
};

struct tui_askpass *tui_askpass_new(bool interactive)
{
	struct tui_askpass *a = ry_xcalloc(1, sizeof *a);
	pthread_condattr_t ca;
	pthread_mutex_init(&a->mu, NULL);
	/* Timed waits on the monotonic clock: a clock change must not turn a
	 * 100 ms slice into an hour. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cv, &ca);
	pthread_condattr_destroy(&ca);
	a->interactive = interactive;
	return a;
}

void tui_askpass_shutdown(struct tui_askpass *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->closed = true;
	for (struct question *q = a->head; q; q = q->next)
		q->state = Q_REFUSED;
	a->head = NULL;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

void tui_askpass_free(struct tui_askpass *a)
{
	if (!a)
		return;
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	ry_strings_free(a->refused, a->nrefused);
	free(a);
}

static bool refused_locked(const struct tui_askpass *a, const char *keyfile)
{
	for (size_t i = 0; i < a->nrefused; i++)
		if (!strcmp(a->refused[i], keyfile))
			return true;
	return false;
}

bool tui_askpass_refused(struct tui_askpass *a, const char *keyfile)
{
	bool r;
	if (!a)
		return false;
	pthread_mutex_lock(&a->mu);
	r = refused_locked(a, keyfile);
	pthread_mutex_unlock(&a->mu);
	return r;
}

static void unlink_locked(struct tui_askpass *a, struct question *q)
{
	for (struct question **p = &a->head; *p; p = &(*p)->next) {
		if (*p == q) {
			*p = q->next;
			return;
		}
	}
}

static bool cancelled(const atomic_int *c)
{
	return c && atomic_load(c) != 0;
}

int tui_askpass_fn(const char *keyfile, char *buf, size_t size, void *payload)
{
	struct tui_askpass_client *cl = payload;
	struct tui_askpass *a = cl ? cl->broker : NULL;
	struct question q = { NULL, 0, keyfile, buf, size, Q_WAITING };
	struct question **tail;

	if (!a || size == 0)
		return 1;
	pthread_mutex_lock(&a->mu);
	if (!a->interactive || a->closed || refused_locked(a, keyfile) || cancelled(cl->cancel)) {
		pthread_mutex_unlock(&a->mu);
		return 1;
	}
	q.id = ++a->last_id;
	for (tail = &a->head; *tail; tail = &(*tail)->next)
		;
	*tail = &q;
	atomic_fetch_add(&cl->asked, 1);
	while (q.state == Q_WAITING) {
		struct timespec until;
		if (a->closed || cancelled(cl->cancel)) {
			/* Give up; the main loop sees the question gone and closes
			 * its prompt. */
			unlink_locked(a, &q);
			q.state = Q_REFUSED;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&a->cv, &a->mu, &until);
	}
	pthread_mutex_unlock(&a->mu);
	return q.state == Q_ANSWERED ? 0 : 1;
}

unsigned long tui_askpass_pending(struct tui_askpass *a, char *keyfile, size_t n)
{
	unsigned long id = 0;
	if (!a)
		return 0;
	pthread_mutex_lock(&a->mu);
	if (a->head) {
		id = a->head->id;
		if (n) {
			size_t len = strlen(a->head->keyfile);
			if (len >= n)
				len = n - 1;
			memcpy(keyfile, a->head->keyfile, len);
			keyfile[len] = '\0';
		}
	}
	pthread_mutex_unlock(&a->mu);
	return id;
}

void tui_askpass_answer(struct tui_askpass *a, unsigned long id, const char *pass)
{
	struct question *q, *next;
	const char *key;
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	for (q = a->head; q && q->id != id; q = q->next)
		;
	if (!q) {
		pthread_mutex_unlock(&a->mu);
		return;
	}
	/* Answered askers cannot return (and take their strings with them)
	 * before we unlock. */
	key = q->keyfile;
	if (!pass && !refused_locked(a, key)) {
		a->refused = ry_xrealloc(a->refused, (a->nrefused + 1) * sizeof *a->refused);
		a->refused[a->nrefused++] = ry_xstrdup(key);
	}
	for (q = a->head; q; q = next) {
		next = q->next;
		if (strcmp(q->keyfile, key))
			continue;
		if (pass) {
			size_t len = strlen(pass);
			if (len >= q->size)
				len = q->size - 1;
			memcpy(q->buf, pass, len);
			q->buf[len] = '\0';
			q->state = Q_ANSWERED;
		} else {
			q->state = Q_REFUSED;
		}
		unlink_locked(a, q);
	}
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}
