/*
 * The line scanner: one line of console text in, the metric pairs on it
 * and the step it names out (the rules are in ingest.h and
 * docs/tracking.md).  It is hand-written rather than a regex per line
 * because it sits on the path of every byte a training job prints: it makes
 * one pass over a line with a character-class table, parses the common
 * decimal forms without strtod, and a vector prefilter skips the lines that
 * cannot hold a pair.  It keeps no state between lines and knows nothing of
 * streams, redraws, duplicates or storage: metrics/ingest.c does those.
 */
#include "metrics/ingest.h"
#include "metrics/ingest_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_KEY RY_INGEST__MAX_KEY
/* ---- character classes ------------------------------------------------ */

enum {
	C_START = 1,  /* may start a key */
	C_KEY = 2,    /* may continue a key */
	C_WORD = 4,   /* letters, digits, '_': a key must not follow one */
	C_SPACE = 8,
	C_VEND = 16,  /* may follow a value */
	C_NUM = 32,   /* may start a number (nan, inf too) */
	C_PSEP = 64,  /* splits a key into parts: ' ' '_' '-' '.' '/' */
	C_ALPHA = 128,
};

static unsigned char cls[256];

static void build_count_masks(void);
static void build_prose_mask(void);

static void build_classes(void)
{
	for (int c = 0; c < 256; c++) {
		unsigned char f = 0;
		if (isalpha(c) || c == '_')
			f |= C_START | C_KEY | C_WORD;
		if (c >= '0' && c <= '9')
			f |= C_KEY | C_WORD;
		if (c == '.' || c == '/' || c == '-')
			f |= C_KEY;
		if (c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n')
			f |= C_SPACE | C_VEND;
		if (strchr(",;)]}|%\"'", c) && c)
			f |= C_VEND;
		if ((c >= '0' && c <= '9') || (strchr("+-.nNiI", c) && c))
			f |= C_NUM;
		if (strchr(" _-./", c) && c)
			f |= C_PSEP;
		if (isalpha(c))
			f |= C_ALPHA;
		cls[c] = f;
	}
	build_count_masks();
	build_prose_mask();
}

/* Built once for the process: ingests run on several threads (the TUI's
 * workers), and an unguarded "done" flag was a data race (issue 16). */
static void init_classes(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, build_classes);
}

/* ---- numbers ---------------------------------------------------------- */

static const double pow10_tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static bool word_ci(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	return n >= wl && strncasecmp(s, w, wl) == 0;
}

static inline bool is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* Out of line: its buffer would give every call a larger frame. */
static __attribute__((noinline)) double slow_number(const char *s, size_t n)
{
	char tmp[128];
	size_t len = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return strtod(tmp, NULL);
}

/* A mantissa of at most 2^53 with a power of ten up to 22 either way is an
 * exact double divided or multiplied once, so correctly rounded without
 * strtod; up to 19 digits fit in the mantissa whatever they are, which is
 * every value a training log prints.  The digits are summed as they are
 * found, one pass over them: past 19 digits the sum wraps (unsigned) and is
 * not used, strtod reads those. */
static inline __attribute__((always_inline)) size_t parse_number(const char *s, size_t n, double *out)
{
	size_t i = 0, int0, int1, frac0, frac1;
	bool neg = false;
	uint64_t mant = 0;
	int exp10;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i < n && (s[i] == 'n' || s[i] == 'N' || s[i] == 'i' || s[i] == 'I')) {
		if (word_ci(s + i, n - i, "nan")) {
			*out = NAN;
			return i + 3;
		}
		if (word_ci(s + i, n - i, "infinity")) {
			*out = neg ? -INFINITY : INFINITY;
			return i + 8;
		}
		if (word_ci(s + i, n - i, "inf")) {
			*out = neg ? -INFINITY : INFINITY;
			return i + 3;
		}
		return 0;
	}
	for (int0 = i; i < n && is_digit(s[i]); i++)
		mant = mant * 10 + (uint64_t)(s[i] - '0');
	int1 = frac0 = frac1 = i;
	if (i < n && s[i] == '.') {
		for (frac0 = ++i; i < n && is_digit(s[i]); i++)
			mant = mant * 10 + (uint64_t)(s[i] - '0');
		frac1 = i;
	}
	if (int1 == int0 && frac1 == frac0)
		return 0;
	exp10 = -(int)(frac1 - frac0 < 100000 ? frac1 - frac0 : 100000);
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		bool eneg = false;
		int e = 0;
		if (j < n && (s[j] == '-' || s[j] == '+'))
			eneg = s[j++] == '-';
		if (j < n && is_digit(s[j])) {
			for (; j < n && is_digit(s[j]); j++)
				if (e < 100000)
					e = e * 10 + (s[j] - '0');
			exp10 += eneg ? -e : e;
			i = j;
		}
	}
	if ((int1 - int0) + (frac1 - frac0) <= 19) {
		if (mant <= (1ull << 53) && exp10 >= -22 && exp10 <= 22) {
			double v = (double)mant;
			v = exp10 < 0 ? v / pow10_tab[-exp10] : v * pow10_tab[exp10];
			*out = neg ? -v : v;
			return i;
		}
	}
	*out = slow_number(s, i);
	return i;
}

size_t ry_ingest__parse_number(const char *s, size_t n, double *out)
{
	return parse_number(s, n, out);
}

/* ---- the scanner ------------------------------------------------------ */

/* Does k (n bytes) spell the lower-case word w, ignoring ASCII case? */
static bool word_is(const char *k, const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c | 0x20);
		if (c != w[i])
			return false;
	}
	return true;
}

/* word_is for a word w of letters only, four bytes at a time: OR-ing 0x20
 * into a byte folds A-Z onto a-z, and onto a lower-case letter nothing else
 * folds, so it matches the bytes word_is matches.  step_rank and the
 * prefilter's step_anchor compare a step word for every word with a value
 * after it: a byte loop with a fold was a tenth of the scanner's time. */
static inline bool letters_are(const char *k, const char *w, size_t n)
{
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t a, b;
		memcpy(&a, k + i, 4);
		memcpy(&b, w + i, 4);
		if ((a | 0x20202020u) != b)
			return false;
	}
	for (; i < n; i++)
		if ((char)(k[i] | 0x20) != w[i])
			return false;
	return true;
}

/* Rank of a step word: 3 step, 2 iter, 1 epoch, 0 not one.  Called for every
 * word of every line, so it rejects on length and first letter before
 * comparing anything. */
static inline int step_rank(const char *k, size_t n)
{
	char c = (char)(k[0] | 0x20);
	switch (n) {
	case 4:
		return c == 's' && letters_are(k, "step", 4) ? 3 : c == 'i' && letters_are(k, "iter", 4) ? 2 : 0;
	case 5:
		return c == 'e' && letters_are(k, "epoch", 5) ? 1 : 0;
	case 9:
		return c == 'i' && letters_are(k, "iteration", 9) ? 2 : 0;
	case 11:
		return c == 'g' && word_is(k, "global_step", 11) ? 3 : 0;
	default:
		return 0;
	}
}

static size_t skip_spaces(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* A step word's value: an integer, optionally "/total" (Keras "2/10"). */
static size_t parse_step(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int64_t v = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9' && i < 18)
		v = v * 10 + (s[i++] - '0');
	if (i == 0 || (i < n && s[i] >= '0' && s[i] <= '9'))
		return 0;
	if (i < n && s[i] == '/') {
		size_t j = i + 1;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == i + 1)
			return 0;
		i = j;
	}
	if (i < n && ((!(cls[(unsigned char)s[i]] & C_VEND) && s[i] != ':') || s[i] == '%'))
		return 0; /* "Epoch:  25%|": how far the bar is, not the epoch */
	*out = v;
	return i;
}

/* ---- the prefilter ---------------------------------------------------- */

/* Most of what a job prints holds no metric, and the scanner below looks at
 * every word of a line.  Every pair the scanner accepts has an anchor: a ':'
 * or '=' with a number after it and a key before it, or a step word followed
 * by blanks and a digit ("epoch 3").  Finding the anchors is a vector compare
 * over 16 bytes at a time; checking one is a few table lookups.  A line with
 * no plausible anchor is skipped without scanning.  The checks are looser
 * than the scanner (a line they pass may still hold nothing), never
 * stricter: the scanner stays the one definition of what is captured. */

/* s[p] is ':' or '='. */
static inline bool sep_anchor(const char *s, size_t n, size_t p)
{
	size_t j = skip_spaces(s, p + 1, n);
	if (j >= n || !(cls[(unsigned char)s[j]] & C_NUM))
		return false;
	while (p > 0 && (s[p - 1] == ' ' || s[p - 1] == '\t'))
		p--;
	if (p > 0 && (s[p - 1] == '\'' || s[p - 1] == '"'))
		p--;
	/* a key is a run of key characters with somewhere a letter or '_' */
	for (; p > 0 && (cls[(unsigned char)s[p - 1]] & C_KEY); p--)
		if (cls[(unsigned char)s[p - 1]] & C_START)
			return true;
	return false;
}

/* s[p] is the last letter of a word, s[p + 1] a blank or a quote (a quoted
 * step word needs no blank: "'step'3").  The last letter says which step
 * word it can be ("global_step" ends in "step"). */
static inline bool step_anchor(const char *s, size_t n, size_t p)
{
	size_t j = skip_spaces(s, p + 1 + (s[p + 1] == '\'' || s[p + 1] == '"'), n);
	const char *w;
	size_t len;
	if (j >= n || s[j] < '0' || s[j] > '9')
		return false;
	switch (s[p] | 0x20) {
	case 'p':
		w = "step", len = 4;
		break;
	case 'h':
		w = "epoch", len = 5;
		break;
	case 'r':
		w = "iter", len = 4;
		break;
	default:
		w = "iteration", len = 9;
		break;
	}
	return len <= p + 1 && letters_are(s + p + 1 - len, w, len);
}

static inline bool anchors_ok(const char *s, size_t n, size_t base, unsigned m)
{
	while (m) {
		size_t p = base + (size_t)__builtin_ctz(m);
		m &= m - 1;
		if (s[p] == ':' || s[p] == '=' ? sep_anchor(s, n, p) : step_anchor(s, n, p))
			return true;
	}
	return false;
}

static bool blank_or_quote(char c)
{
	return c == ' ' || c == '\t' || c == '\'' || c == '"';
}

/* The anchors of s[0..n), byte by byte: short lines and machines without
 * SSE2. */
static bool may_hold_pairs_bytewise(const char *s, size_t n)
{
	for (size_t p = 0; p + 1 < n; p++) {
		char c = (char)(s[p] | 0x20);
		if (s[p] == ':' || s[p] == '=') {
			if (sep_anchor(s, n, p))
				return true;
		} else if ((c == 'p' || c == 'h' || c == 'r' || c == 'n') && blank_or_quote(s[p + 1])) {
			if (step_anchor(s, n, p))
				return true;
		}
	}
	return false;
}

#if defined(__SSE2__)
/* Bit k set: s[k] (k < 16) may anchor a pair.  Reads s[0..18). */
static inline unsigned anchor_mask16(const char *s)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
	const __m128i next = _mm_loadu_si128((const __m128i *)(const void *)(s + 1));
	const __m128i next2 = _mm_loadu_si128((const __m128i *)(const void *)(s + 2));
	const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
	const __m128i d2 = _mm_sub_epi8(next2, _mm_set1_epi8(' '));
	/* a separator right before '=' anchors nothing (no number can follow
	 * it): dropping those bits skips Keras's "[=====...]" bar, where every
	 * byte would be checked as a separator one by one */
	__m128i sep = _mm_andnot_si128(_mm_cmpeq_epi8(next, _mm_set1_epi8('=')),
	                               _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')),
	                                            _mm_cmpeq_epi8(x, _mm_set1_epi8('='))));
	/* step words end in p (step), h (epoch), r (iter) or n (iteration),
	 * then a blank or a quote, then a blank or a digit */
	/* p and r are 0x70 and 0x72: with bit 1 set, they and nothing else
	 * are 'r' */
	__m128i last = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(lower, _mm_set1_epi8(2)), _mm_set1_epi8('r')),
	                            _mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('h')),
	                                         _mm_cmpeq_epi8(lower, _mm_set1_epi8('n'))));
	/* ' ' '"' '\'' are 0x20 0x22 0x27: with the low three bits set, they and
	 * "!#$%&" are 0x27, a test looser by five rare bytes, never stricter */
	__m128i blank = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(next, _mm_set1_epi8(7)), _mm_set1_epi8(0x27)),
	                             _mm_cmpeq_epi8(next, _mm_set1_epi8('\t')));
	/* a blank or a digit: ' '..'9' or a tab, looser by the punctuation
	 * between ' ' and '0' (step_anchor wants the digit) */
	__m128i then = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(d2, _mm_set1_epi8('9' - ' ')), d2),
	                            _mm_cmpeq_epi8(next2, _mm_set1_epi8('\t')));
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(sep, _mm_and_si128(last, _mm_and_si128(blank, then))));
}

static bool may_hold_pairs(const char *s, size_t n)
{
	size_t i = 0;
	if (n < 18)
		return may_hold_pairs_bytewise(s, n);
	for (; i + 18 <= n; i += 16)
		if (anchors_ok(s, n, i, anchor_mask16(s + i)))
			return true;
	/* The last block overlaps the one before (its bits below i are done)
	 * and ends two bytes short of the line, the bytes its compares look
	 * ahead to.  Of those two only the first can anchor, as a separator
	 * with the number's one digit after it. */
	if (i + 2 < n) {
		size_t b = n - 18;
		if (anchors_ok(s, n, b, anchor_mask16(s + b) & ~((1u << (i - b)) - 1)))
			return true;
	}
	return (s[n - 2] == ':' || s[n - 2] == '=') && sep_anchor(s, n, n - 2);
}
#else
#define may_hold_pairs may_hold_pairs_bytewise
#endif

static bool leading_step_at(const char *s, size_t n, int64_t *step);

static inline bool leading_step(const char *s, size_t n, int64_t *step)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || (s[i] != '[' && !is_digit(s[i])))
		return false; /* most lines: a word first */
	return leading_step_at(s, n, step);
}

static size_t scan_line(const char *s, size_t n, ry_scalar *out, size_t max, bool *has_step, int64_t *step,
                        bool judge);

static size_t scan_filtered(const char *s, size_t n, ry_scalar *out, size_t max, bool *has_step, int64_t *step,
                            bool judge)
{
	*has_step = false;
	if (!may_hold_pairs(s, n)) {
		*has_step = leading_step(s, n, step); /* "[500]" with nothing after it */
		return 0;
	}
	return scan_line(s, n, out, max, has_step, step, judge);
}

size_t ry_ingest_scan(const char *s, size_t n, ry_scalar *out, size_t max,
                      bool *has_step, int64_t *step)
{
	init_classes();
	return scan_filtered(s, n, out, max, has_step, step, true);
}

void ry_ingest__scan_init(void)
{
	init_classes();
}

size_t ry_ingest__scan_unjudged(const char *s, size_t n, ry_scalar *out, size_t max, bool *has_step, int64_t *step)
{
	init_classes(); /* its caller has (ry_ingest_new); a new caller need not know to */
	return scan_filtered(s, n, out, max, has_step, step, false);
}

/* ---- what is not a metric ------------------------------------------- */

/* Does part p (n bytes) of a key spell one of the words in list, ignoring
 * case?  list is NUL-separated, ending in an empty word. */
static bool part_in(const char *p, size_t n, const char *list)
{
	for (const char *w = list; *w; w += strlen(w) + 1)
		if (strlen(w) == n && word_is(p, w, n))
			return true;
	return false;
}

/* Bit (first letter) of count_first[length], and bit (last letter) of
 * count_last[length], are set when some word of count_words has that
 * length and letter: most keys are told apart with two lookups, on the
 * path of every pair ("rate" has the length and first letter of "rank"). */
static uint32_t count_first[16], count_last[16];

/* Counts, sizes and ids name what a job is made of, not how it is doing
 * ("Num examples = 12000", "vocab_size = 65", "Instances", "LOCAL_RANK"),
 * and ETA, elapsed and remaining times are progress: a key whose first or
 * last part (split at ' ', '_', '-', '.', '/') is one of these words is not
 * a metric. */
static const char count_words[] = "num\0number\0size\0count\0samples\0examples\0images\0instances\0"
	"steps\0epochs\0iters\0iterations\0workers\0seed\0params\0parameters\0tensors\0features\0"
	"batches\0shape\0rank\0pid\0id\0gpus\0cuda\0device\0devices\0version\0capability\0bestiteration\0"
	"best_iteration\0"
	"eta\0elapsed\0remaining\0";

static struct {
	const char *w;
	size_t n;
} count_tab[64];

static void build_count_masks(void)
{
	size_t k = 0;
	for (const char *w = count_words; *w && k < 64; w += strlen(w) + 1, k++) {
		count_tab[k].w = w;
		count_tab[k].n = strlen(w);
		if (count_tab[k].n < 16) {
			count_first[count_tab[k].n] |= 1u << ((w[0] | 0x20) & 31);
			count_last[count_tab[k].n] |= 1u << ((w[count_tab[k].n - 1] | 0x20) & 31);
		}
	}
}

/* File names ("solver.cpp:218]", "model_lib_v2.py:705]") end in these. */
static const char file_exts[] = "py\0c\0cc\0cpp\0h\0hpp\0go\0rs\0java\0js\0ts\0";

static inline bool maybe_count(const char *p, size_t n)
{
	if (!n || n >= 16 || !(count_first[n] >> ((p[0] | 0x20) & 31) & 1) ||
	    !(count_last[n] >> ((p[n - 1] | 0x20) & 31) & 1))
		return false;
	for (size_t k = 0; k < 64 && count_tab[k].w; k++)
		if (count_tab[k].n == n && word_is(p, count_tab[k].w, n))
			return true;
	return false;
}

/* Called for every pair: the first part is looked at before the last is
 * looked for, and a key of one part has no last part to check. */
static __attribute__((noinline)) bool key_not_metric(const char *k, size_t n, const char *unit, size_t ul)
{
	size_t a = 0, b = n;
	while (a < n && !(cls[(unsigned char)k[a]] & C_PSEP))
		a++;
	if (maybe_count(k, a))
		return true;
	if (a == n) {
		b = 0;
	} else {
		while (!(cls[(unsigned char)k[b - 1]] & C_PSEP))
			b--;
		if (maybe_count(k + b, n - b))
			return true;
		if (k[b - 1] == '.' && n - b <= 4 && part_in(k + b, n - b, file_exts))
			return true;
	}
	/* "total: 57.4ms" (CatBoost): the time so far */
	if (ul && part_in(k + b, n - b, "total\0") && part_in(unit, ul, "ms\0s\0us\0m\0h\0min\0"))
		return true;
	return false;
}

/* Units a number may carry glued to it ("1099.34ms", "0.766s", "2.31G"):
 * the key gets "_unit".  Anything else glued on ("0x1f", "68.4it/s") makes
 * the number no value. */
static const char units[] = "ms\0s\0us\0ns\0min\0h\0G\0M\0K\0GB\0MB\0KB\0GiB\0MiB\0KiB\0B\0";

static size_t unit_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 4 && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
		i++;
	if (!i || (i < n && !(cls[(unsigned char)s[i]] & C_VEND)))
		return 0;
	for (const char *w = units; *w; w += strlen(w) + 1)
		if (strlen(w) == i && !memcmp(s, w, i))
			return i;
	return 0;
}

/* ---- the scanner proper ---------------------------------------------- */

/* A key word: key characters, and an apostrophe between a word character
 * and a letter ("valid_0's"). */
static size_t key_word_end(const char *s, size_t i, size_t n)
{
	for (;;) {
		while (i < n && (cls[(unsigned char)s[i]] & C_KEY))
			i++;
		if (!(i + 1 < n && s[i] == '\'' && (cls[(unsigned char)s[i - 1]] & C_WORD) &&
		      (cls[(unsigned char)s[i + 1]] & C_ALPHA)))
			return i;
		i++;
	}
}

/* The first byte from s[i] that may start a key: an ASCII letter, '_', or
 * a byte past 0x7f (which cls judges, by locale); it skips no other byte.
 * Bars and counters ("|##########| 938/938 [00:12<00:00,", Keras's
 * "[=====]") are long runs without one, looked at 16 bytes at a time
 * rather than byte by byte; the last few bytes are left to the caller. */
static inline size_t skip_gap(const char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
	for (; i + 16 <= n; i += 16) {
		const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		const __m128i t = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
		const __m128i letter = _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(25)), t);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, _mm_cmpeq_epi8(x, _mm_set1_epi8('_')))) |
		             (unsigned)_mm_movemask_epi8(x);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#else
	(void)s;
	(void)n;
#endif
	return i;
}

/* Where the key phrase ending with the word at k0 starts: up to two more
 * words before it, each joined by one space and starting with a letter,
 * none before floor ("train loss", "valid_0's auc", "Average loss"). */
static size_t phrase_start(const char *s, size_t k0, size_t floor)
{
	for (int w = 0; w < 2; w++) {
		if (k0 < floor + 2 || s[k0 - 1] != ' ' || !(cls[(unsigned char)s[k0 - 2]] & C_KEY))
			break;
		size_t p = k0 - 1;
		while (p > floor && ((cls[(unsigned char)s[p - 1]] & C_KEY) || s[p - 1] == '\''))
			p--;
		if (!(cls[(unsigned char)s[p]] & C_START) || (p > 0 && (cls[(unsigned char)s[p - 1]] & C_WORD)))
			break;
		k0 = p;
	}
	return k0;
}

/* A step the line opens with: "[500]\t" (XGBoost, LightGBM), "12:\t"
 * (CatBoost). */
static bool leading_step_at(const char *s, size_t n, int64_t *step)
{
	size_t i = skip_spaces(s, 0, n), j;
	bool br = i < n && s[i] == '[';
	int64_t v = 0;
	j = i + br;
	size_t d0 = j;
	while (j < n && s[j] >= '0' && s[j] <= '9' && j - d0 < 18)
		v = v * 10 + (s[j++] - '0');
	if (j == d0 || j >= n)
		return false;
	if (br ? s[j] != ']' : (s[j] != ':' || j + 1 >= n || (s[j + 1] != '\t' && s[j + 1] != ' ')))
		return false;
	*step = v;
	return true;
}

/* s[colon] is the ':' after a key that has no number after it, s[j] the
 * first byte after the blanks that follow.  A label names the pairs after
 * it when a tab follows it and a key comes next: sentence-transformers'
 * evaluators print "Cosine-Similarity :\tPearson: 0.7956\tSpearman: 0.7569".
 * Without the tab ("INFO: loss: 0.5") the word is a log prefix. */
static bool is_label(const char *s, size_t colon, size_t j, size_t n)
{
	return j < n && (cls[(unsigned char)s[j]] & C_START) && memchr(s + colon + 1, '\t', j - colon - 1);
}

/* s[slash] is the '/' after a number.  "9846/10000 (98%)" (PyTorch's
 * examples): the share in parentheses is the value as printed; returns the
 * bytes from the '/' to the ')' and sets *v.  A bare "N/M" is a count
 * (progress, correct of total): 0. */
static size_t ratio_share(const char *s, size_t slash, size_t n, double *v)
{
	size_t p = slash + 1, q;
	while (p < n && is_digit(s[p]))
		p++;
	if (p == slash + 1 || p + 1 >= n || s[p] != ' ' || s[p + 1] != '(')
		return 0;
	q = ry_ingest__parse_number(s + p + 2, n - p - 2, v);
	if (!q)
		return 0;
	q += p + 2;
	if (q < n && s[q] == '%')
		q++;
	if (q >= n || s[q] != ')')
		return 0;
	return q + 1 - slash;
}

static inline bool is_prose_word(const char *w, size_t n);

/* The word after the value s[j..e), s[e] a blank: a value counts things
 * when it is an integer and the word is no key (nothing of ':' or '=' after
 * it: "0 TPU cores", "10000 samples"), and is part of a sentence when the
 * word is a prose word ("tol=0.0001 for 10 epochs").  Most values are
 * followed by the next pair's key, which ends the look at once. */
static bool word_after_ends_value(const char *s, size_t j, size_t e, size_t n)
{
	size_t w = e + 1, x;
	while (w < n && (cls[(unsigned char)s[w]] & C_KEY))
		w++;
	if (w == e + 1 || !(cls[(unsigned char)s[e + 1]] & C_ALPHA))
		return false;
	x = skip_spaces(s, w, n);
	if (x < n && (s[x] == ':' || s[x] == '='))
		return false; /* the next key */
	if (w < n && s[w] == ' ' && is_prose_word(s + e + 1, w - e - 1))
		return true;
	for (size_t k = j; k < e; k++)
		if (!is_digit(s[k]) && s[k] != '-' && s[k] != '+')
			return false;
	return true;
}

/* What follows the number s[j..e) makes it no value: a progress bar's
 * "100%|███", a count with thousands separators "12,000", an integer
 * counting things "using: 0 TPU cores", a sentence "tol=0.0001 for 10
 * epochs".  One look at the byte after the number for most pairs. */
static inline bool followed_by_no_value(const char *s, size_t j, size_t e, size_t n)
{
	if (e + 1 >= n)
		return false;
	switch (s[e]) {
	case '%':
		return s[e + 1] == '|';
	case ',':
		return e + 3 < n && is_digit(s[e + 1]) && is_digit(s[e + 2]) && is_digit(s[e + 3]) &&
		       (e + 4 >= n || !is_digit(s[e + 4]));
	case ' ':
		return word_after_ends_value(s, j, e, n);
	default:
		return false;
	}
}

/* Words that make a key phrase a sentence ("in the train set: 10000",
 * "Memory required for data: 5169920"), or a value part of one ("more than
 * tol=0.0001 for 10 epochs"): such a pair is prose. */
static const char prose_words[] = "the\0a\0an\0of\0for\0in\0on\0at\0to\0with\0from\0by\0is\0are\0was\0";

/* Bit (first letter) of prose_first[length]: as count_first, so that most
 * words after a value are told apart with one lookup. */
static uint32_t prose_first[5];

static void build_prose_mask(void)
{
	for (const char *w = prose_words; *w; w += strlen(w) + 1)
		prose_first[strlen(w)] |= 1u << ((w[0] | 0x20) & 31);
}

static inline bool is_prose_word(const char *w, size_t n)
{
	return n && n <= 4 && (prose_first[n] >> ((w[0] | 0x20) & 31) & 1) && part_in(w, n, prose_words);
}




/* k: a key phrase of two words or more. */
static bool is_prose(const char *k, size_t n)
{
	for (size_t a = 0; a < n;) {
		size_t b = a;
		while (b < n && k[b] != ' ')
			b++;
		if (is_prose_word(k + a, b - a))
			return true;
		a = b + 1;
	}
	return false;
}

size_t ry_ingest__scan_unfiltered(const char *s, size_t n, ry_scalar *out, size_t max,
                                  bool *has_step, int64_t *step)
{
	init_classes();
	return scan_line(s, n, out, max, has_step, step, true);
}

/* judge: leave out the pairs whose key says they are no metric; without
 * it the caller judges each key once (ry_ingest__pair_is_metric). */
static size_t scan_line(const char *s, size_t n, ry_scalar *out, size_t max, bool *has_step, int64_t *step,
                        bool judge)
{
	size_t i = 0, found = 0, floor = 0, spaced = 0, config = 0, group0 = 0, group1 = 0;
	int best_rank = 0;
	bool word_step = false;

	*has_step = false;
	if (leading_step(s, n, step)) {
		*has_step = true;
		best_rank = 2;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!(cls[c] & C_START) || (i > 0 && (cls[(unsigned char)s[i - 1]] & C_WORD))) {
			/* two bytes that start no key: most likely a bar's run */
			if (++i < n && !(cls[(unsigned char)s[i]] & C_START))
				i = skip_gap(s, i + 1, n);
			continue;
		}
		size_t k0 = i, k1, j;
		i = key_word_end(s, i, n);
		k1 = i;
		while (k1 > k0 && (s[k1 - 1] == '.' || s[k1 - 1] == '/' || s[k1 - 1] == '-'))
			k1--;
		i = k1;
		j = k1;
		if (k0 > 0 && (s[k0 - 1] == '\'' || s[k0 - 1] == '"') && j < n && s[j] == s[k0 - 1])
			j++;
		j = skip_spaces(s, j, n);
		bool sep = j < n && (s[j] == ':' || s[j] == '=');
		bool eq = sep && s[j] == '=';
		size_t sep_at = j;
		int rank;
		/* most words: prose, no value after them (the rank is looked up
		 * only for a word that may have one) */
		if (!sep && (j == k1 || j >= n || !(cls[(unsigned char)s[j]] & C_NUM)))
			continue;
		rank = step_rank(s + k0, k1 - k0);
		if (sep)
			j = skip_spaces(s, j + 1, n);
		else if (!rank && j != k1 + 1)
			continue; /* "word  word": a spaced value needs one space */
		if (rank) {
			int64_t sv;
			size_t len = parse_step(s + j, n - j, &sv);
			if (len) {
				if (rank > best_rank) {
					best_rank = rank;
					*has_step = true;
					*step = sv;
				}
				word_step = true;
				i = floor = j + len;
				continue;
			}
			if (!sep && j != k1 + 1)
				continue;
			/* "epoch: 0.5" (fractional): an ordinary metric below. */
		}
		double v;
		size_t len = parse_number(s + j, n - j, &v), ul = 0; /* inlined: a value per pair */
		if (len && j + len < n && !(cls[(unsigned char)s[j + len]] & C_VEND)) {
			size_t r;
			/* "9846/10000 (98%)": the share is the value; "16/16" alone counts */
			if (s[j + len] == '/' && (r = ratio_share(s, j + len, n, &v)))
				len += r;
			else if (!(ul = unit_len(s + j + len, n - j - len)))
				continue;
		}
		if (!len) {
			/* "task=detect": a setting; a line of them is a config dump */
			if (eq && j < n && (isalpha((unsigned char)s[j]) || s[j] == '\'' || s[j] == '"' || s[j] == '/'))
				config++;
			else if (!eq && sep && !rank && is_label(s, sep_at, j, n)) {
				group0 = phrase_start(s, k0, floor);
				group1 = k1;
				i = floor = j;
			}
			continue;
		}
		/* "device:GPU:0" names a device */
		if (!ul && (followed_by_no_value(s, j, j + len, n) || (k0 > 0 && s[k0 - 1] == ':' && j == sep_at + 1))) {
			i = floor = j + len;
			continue;
		}
		/* "loss=0.5" binds tight: "progress loss=0.5" is loss */
		size_t w0 = k0;
		if (!(eq && s[k1] == '='))
			k0 = phrase_start(s, k0, floor);
		if (k1 - k0 <= MAX_KEY && !(k1 - k0 == 5 && memcmp(s + k0, "v_num", 5) == 0) &&
		    (!judge || (!key_not_metric(s + k0, k1 - k0, s + j + len, ul) &&
		                (k0 == w0 || !is_prose(s + k0, k1 - k0))))) {
			if (found < max) {
				out[found].key = s + k0;
				out[found].keylen = k1 - k0;
				out[found].value = v;
				out[found].unit = s + j + len;
				out[found].unitlen = ul;
				out[found].spaced = !sep;
				out[found].group = s + group0;
				out[found].grouplen = group1 - group0;
			}
			found++;
			spaced += !sep;
		}
		i = floor = j + len + ul;
	}
	if (config >= 2)
		return 0;
	/* "loss 4.2" without ':' or '=' is a pair only on a line a step word
	 * opens ("iter 10: loss 4.2, time 35ms"): elsewhere it is prose. */
	if (spaced && !word_step) {
		size_t w = 0, kept = found < max ? found : max;
		for (size_t r = 0; r < kept; r++)
			if (!out[r].spaced)
				out[w++] = out[r];
		found -= spaced;
	}
	return found;
}

/* ---- lent to the ingest and the table reader -------------------------- */

bool ry_ingest__pair_is_metric(const ry_scalar *sc)
{
	return !key_not_metric(sc->key, sc->keylen, sc->unit, sc->unitlen) &&
	       !(memchr(sc->key, ' ', sc->keylen) && is_prose(sc->key, sc->keylen));
}

int ry_ingest__step_rank(const char *word, size_t n)
{
	return n ? step_rank(word, n) : 0;
}

bool ry_ingest__key_not_metric(const char *key, size_t n)
{
	init_classes();
	return key_not_metric(key, n, NULL, 0);
}

size_t ry_ingest__unit_len(const char *s, size_t n)
{
	init_classes();
	return unit_len(s, n);
}
