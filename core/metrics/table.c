/*
 * Header-row tables: a line of column names, aligned with two or more
 * blanks, names the columns of the rows printed under it until another
 * header comes (fastai's `epoch  train_loss  valid_loss  accuracy  time`,
 * Ultralytics YOLO's `Epoch  GPU_mem  box_loss ...` and `Class  Images
 * Instances  Box(P  R  mAP50  mAP50-95)`).  A row is a line with as many
 * cells as the header has columns, at least half of them numbers; a column
 * named for a step (epoch, iter, step) gives the row's step ("1/3" is 1).
 * YOLO ends both with a progress bar after a ':' ("640:  12%|█ | 1/8"),
 * which is not part of the table.
 *
 * It reads one line at a time and keeps only the header it is given; which
 * line is tried as what, and where the points go, is metrics/ingest.c's.
 */
#include "metrics/ingest_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <ctype.h>
#include <string.h>

struct cells {
	size_t n;
	size_t a[RY_INGEST__TABLE_COLS + 1], b[RY_INGEST__TABLE_COLS + 1];
	bool aligned; /* every gap two blanks or more, or a tab */
};

/* One load a byte: header_start reads the first word of every line that
 * holds no pair. */
static const bool blanks[256] = { [' '] = true, ['\t'] = true };

static inline bool blank(char c)
{
	return blanks[(unsigned char)c];
}

/* Blanks, a percentage and a bar from s[i]: "  12%|". */
static bool bar_follows(const char *s, size_t i, size_t n)
{
	while (i < n && blank(s[i]))
		i++;
	while (i < n && (isdigit((unsigned char)s[i]) || s[i] == '.'))
		i++;
	return i + 1 < n && s[i] == '%' && s[i + 1] == '|';
}

/* Split s at blanks.  A cell ending in ':' with a progress bar after it
 * ends the table part of the line.  false: more cells than a table has,
 * or (header set) one blank between cells, which is prose. */
static bool split(const char *s, size_t n, struct cells *c, bool header)
{
	size_t i = 0;
	c->n = 0;
	c->aligned = true;
	while (i < n && blank(s[i]))
		i++;
	while (i < n) {
		size_t a = i, g;
		while (i < n && !blank(s[i]))
			i++;
		if (c->n == RY_INGEST__TABLE_COLS + 1)
			return false;
		c->a[c->n] = a;
		c->b[c->n] = i;
		c->n++;
		if (s[i - 1] == ':' && bar_follows(s, i, n)) {
			c->b[c->n - 1]--;
			break;
		}
		for (g = i; i < n && blank(s[i]); i++)
			;
		if (i < n && i - g < 2 && s[g] != '\t') {
			c->aligned = false;
			if (header)
				return false; /* prose: one blank between words */
		}
	}
	return true;
}

/* A column name: a letter first, then letters, digits and _ . / - ( ). */
static bool is_name(const char *s, size_t n)
{
	if (!n || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_./-()", s[i]))
			return false;
	return true;
}

/* The key of a header cell: "Box(P" is P of the group Box, "mAP50-95)"
 * closes the group.  A name the header already holds (a second group:
 * "Mask(P") gets its group's name in front: "Mask/P". */
static bool column_key(ry_ingest__table *t, size_t col, const char *s, size_t n, char *group, size_t *gl)
{
	const char *open = memchr(s, '(', n);
	size_t kl;
	if (open) {
		*gl = (size_t)(open - s) < RY_INGEST__TABLE_NAME / 2 ? (size_t)(open - s) : 0;
		memcpy(group, s, *gl);
		n -= (size_t)(open + 1 - s);
		s = open + 1;
	}
	bool closes = n && s[n - 1] == ')';
	n -= closes;
	if (!n || n >= RY_INGEST__TABLE_NAME / 2)
		return false;
	kl = n;
	memcpy(t->name[col], s, n);
	for (size_t k = 0; k < col; k++) {
		if (t->namelen[k] == n && !memcmp(t->name[k], s, n) && *gl) {
			memcpy(t->name[col], group, *gl);
			t->name[col][*gl] = '/';
			memcpy(t->name[col] + *gl + 1, s, n);
			kl = *gl + 1 + n;
			break;
		}
	}
	t->name[col][kl] = '\0';
	t->namelen[col] = kl;
	if (closes)
		*gl = 0;
	return true;
}

/* A header opens with a name and two blanks or a tab after it. */
static bool header_start_bytewise(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && blank(s[i]))
		i++;
	if (i == n || (unsigned char)((s[i] | 0x20) - 'a') >= 26)
		return false;
	while (i < n && !blank(s[i]))
		i++;
	return i + 1 < n && (s[i] == '\t' || blank(s[i + 1]));
}

/* Every line that holds no pair is asked, so the first 16 bytes are looked
 * at in one go when the first word ends inside them (the bytewise rule
 * otherwise). */
static bool header_start(const char *s, size_t n)
{
#if defined(__SSE2__)
	if (n >= 16) {
		const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
		unsigned bl = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'))));
		unsigned word = ~bl & 0xFFFFu, f, e, after;
		if (!word)
			return header_start_bytewise(s, n);
		f = (unsigned)__builtin_ctz(word);
		if ((unsigned char)((s[f] | 0x20) - 'a') >= 26)
			return false;
		after = bl & ~((1u << f) - 1);
		if (!after)
			return header_start_bytewise(s, n);
		e = (unsigned)__builtin_ctz(after);
		if (e + 1 >= 16)
			return header_start_bytewise(s, n);
		return s[e] == '\t' || ((bl >> (e + 1)) & 1);
	}
#endif
	return header_start_bytewise(s, n);
}

/* Not inlined into ry_ingest__table_header: its frame is large, and most
 * lines never get here. */
static __attribute__((noinline)) bool read_header(ry_ingest__table *t, const char *s, size_t n)
{
	struct cells c;
	ry_ingest__table h;
	char group[RY_INGEST__TABLE_NAME];
	size_t gl = 0;

	if (!split(s, n, &c, true) || c.n < 3 || c.n > RY_INGEST__TABLE_COLS || !c.aligned)
		return false;
	for (size_t i = 0; i < c.n; i++)
		if (!is_name(s + c.a[i], c.b[i] - c.a[i]))
			return false;
	h.ncols = c.n;
	for (size_t i = 0; i < c.n; i++) {
		if (!column_key(&h, i, s + c.a[i], c.b[i] - c.a[i], group, &gl))
			return false;
		h.rank[i] = ry_ingest__step_rank(h.name[i], h.namelen[i]);
		h.skip[i] = ry_ingest__key_not_metric(h.name[i], h.namelen[i]);
	}
	*t = h;
	return true;
}

bool ry_ingest__table_header(ry_ingest__table *t, const char *s, size_t n)
{
	return header_start(s, n) && read_header(t, s, n);
}

/* A cell's number: the whole cell, or a number and a unit ("2.31G"), or
 * the first of "N/M" (an epoch column's "1/3").  false: text ("all",
 * "00:12"). */
static bool cell_number(const char *s, size_t n, double *v, size_t *ul, bool *ratio)
{
	size_t len = ry_ingest__parse_number(s, n, v);
	*ul = 0;
	*ratio = false;
	if (!len || len == n)
		return len == n;
	if (s[len] == '/') {
		size_t k = len + 1;
		while (k < n && isdigit((unsigned char)s[k]))
			k++;
		*ratio = k == n && k > len + 1;
		return *ratio;
	}
	*ul = ry_ingest__unit_len(s + len, n - len);
	return *ul == n - len;
}

long ry_ingest__table_row(const ry_ingest__table *t, const char *s, size_t n, ry_scalar *out, size_t max,
                          bool *has_step, int64_t *step)
{
	struct cells c;
	size_t numeric = 0, found = 0;
	double v[RY_INGEST__TABLE_COLS];
	size_t ul[RY_INGEST__TABLE_COLS];
	bool num[RY_INGEST__TABLE_COLS], ratio[RY_INGEST__TABLE_COLS];

	*has_step = false;
	if (!t->ncols || !split(s, n, &c, false) || c.n != t->ncols)
		return -1;
	for (size_t i = 0; i < c.n; i++) {
		num[i] = cell_number(s + c.a[i], c.b[i] - c.a[i], &v[i], &ul[i], &ratio[i]);
		numeric += num[i];
	}
	if (numeric * 2 < c.n)
		return -1;
	for (size_t i = 0; i < c.n; i++) {
		if (!num[i])
			continue;
		if (t->rank[i]) {
			if (v[i] >= 0 && v[i] < 9e15 && v[i] == (double)(int64_t)v[i]) {
				*has_step = true;
				*step = (int64_t)v[i];
			}
			continue;
		}
		if (t->skip[i] || ratio[i])
			continue;
		if (found < max) {
			memset(&out[found], 0, sizeof out[found]);
			out[found].key = t->name[i];
			out[found].keylen = t->namelen[i];
			out[found].value = v[i];
			out[found].unit = s + c.b[i] - ul[i];
			out[found].unitlen = ul[i];
		}
		found++;
	}
	return (long)found;
}
