/*
 * Metric ingest: turns a run's log text and JSON lines into metric points
 * and hands them to a metrics writer in batches (the rules are in ingest.h).
 *
 * The built-in scanner is hand-written rather than a regex per line because
 * it sits on the path of every byte a training job prints: it makes one pass
 * over a line with a character-class table and parses the common decimal
 * forms without strtod.  It does not know where bytes come from (pipes,
 * files, SSH) nor when to flush; the caller decides both.
 */
#include "metrics/ingest.h"
#include "metrics/ingest_internal.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/term.h"
#include "base/error.h"
#include "metrics/metrics.h"
#include "runs/run.h"
#include "base/util.h"

#include <cjson/cJSON.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEY 200
#define MAX_SCALARS 64

/* ---- character classes ------------------------------------------------ */

enum {
	C_START = 1,  /* may start a key */
	C_KEY = 2,    /* may continue a key */
	C_WORD = 4,   /* letters, digits, '_': a key must not follow one */
	C_SPACE = 8,
	C_VEND = 16,  /* may follow a value */
	C_NUM = 32,   /* may start a number (nan, inf too) */
};

static unsigned char cls[256];

static void build_count_mask(void);

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
		cls[c] = f;
	}
	build_count_mask();
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

/* Parse a number at s[0..n); returns its length (0: none).  Decimal numbers
 * with at most 15 significant digits and a small exponent are exact doubles
 * divided or multiplied once, so correctly rounded without strtod. */
static size_t parse_number(const char *s, size_t n, double *out)
{
	size_t i = 0, digits = 0, sig = 0;
	bool neg = false, exact = true;
	uint64_t mant = 0;
	int exp10 = 0;

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
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (mant == 0 && s[i] == '0')
			continue;
		if (sig < 19) {
			mant = mant * 10 + (uint64_t)(s[i] - '0');
			sig++;
		} else {
			exp10++;
			exact = false;
		}
	}
	if (i < n && s[i] == '.') {
		size_t j = i + 1;
		for (; j < n && s[j] >= '0' && s[j] <= '9'; j++, digits++) {
			if (mant == 0 && s[j] == '0') {
				exp10--;
				continue;
			}
			if (sig < 19) {
				mant = mant * 10 + (uint64_t)(s[j] - '0');
				sig++;
				exp10--;
			} else {
				exact = false;
			}
		}
		i = j;
	}
	if (digits == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		bool eneg = false;
		int e = 0;
		if (j < n && (s[j] == '-' || s[j] == '+'))
			eneg = s[j++] == '-';
		if (j < n && s[j] >= '0' && s[j] <= '9') {
			for (; j < n && s[j] >= '0' && s[j] <= '9'; j++)
				if (e < 100000)
					e = e * 10 + (s[j] - '0');
			exp10 += eneg ? -e : e;
			i = j;
		}
	}
	if (exact && sig <= 15 && exp10 >= -22 && exp10 <= 22) {
		double v = (double)mant;
		v = exp10 < 0 ? v / pow10_tab[-exp10] : v * pow10_tab[exp10];
		*out = neg ? -v : v;
		return i;
	}
	{
		char tmp[128];
		size_t len = i < sizeof tmp - 1 ? i : sizeof tmp - 1;
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		*out = strtod(tmp, NULL);
	}
	return i;
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

/* Rank of a step word: 3 step, 2 iter, 1 epoch, 0 not one.  Called for every
 * word of every line, so it rejects on length and first letter before
 * comparing anything. */
static int step_rank(const char *k, size_t n)
{
	char c = (char)(k[0] | 0x20);
	switch (n) {
	case 4:
		return c == 's' && word_is(k, "step", 4) ? 3 : c == 'i' && word_is(k, "iter", 4) ? 2 : 0;
	case 5:
		return c == 'e' && word_is(k, "epoch", 5) ? 1 : 0;
	case 9:
		return c == 'i' && word_is(k, "iteration", 9) ? 2 : 0;
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
	if (i < n && !(cls[(unsigned char)s[i]] & C_VEND) && s[i] != ':')
		return 0;
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
	return len <= p + 1 && word_is(s + p + 1 - len, w, len);
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
	const __m128i d2 = _mm_sub_epi8(next2, _mm_set1_epi8('0'));
	__m128i sep = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')), _mm_cmpeq_epi8(x, _mm_set1_epi8('=')));
	/* step words end in p (step), h (epoch), r (iter) or n (iteration),
	 * then a blank or a quote, then a blank or a digit */
	__m128i last = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('p')),
	                                         _mm_cmpeq_epi8(lower, _mm_set1_epi8('h'))),
	                            _mm_or_si128(_mm_cmpeq_epi8(lower, _mm_set1_epi8('r')),
	                                         _mm_cmpeq_epi8(lower, _mm_set1_epi8('n'))));
	__m128i blank = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(next, _mm_set1_epi8(' ')),
	                                          _mm_cmpeq_epi8(next, _mm_set1_epi8('\t'))),
	                             _mm_or_si128(_mm_cmpeq_epi8(next, _mm_set1_epi8('\'')),
	                                          _mm_cmpeq_epi8(next, _mm_set1_epi8('"'))));
	__m128i then = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(d2, _mm_set1_epi8(9)), d2),
	                            _mm_or_si128(_mm_cmpeq_epi8(next2, _mm_set1_epi8(' ')),
	                                         _mm_cmpeq_epi8(next2, _mm_set1_epi8('\t'))));
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

static bool leading_step(const char *s, size_t n, int64_t *step);

size_t ry_ingest_scan(const char *s, size_t n, ry_scalar *out, size_t max,
                      bool *has_step, int64_t *step)
{
	init_classes();
	*has_step = false;
	if (!may_hold_pairs(s, n)) {
		*has_step = leading_step(s, n, step); /* "[500]" with nothing after it */
		return 0;
	}
	return ry_ingest__scan_unfiltered(s, n, out, max, has_step, step);
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

/* Bit (first letter) of entry [length] is set when some word of
 * count_words has that length and first letter: most keys are told apart
 * with one lookup, on the path of every pair. */
static uint32_t count_mask[16];

/* Counts, sizes and ids name what a job is made of, not how it is doing
 * ("Num examples = 12000", "vocab_size = 65", "Instances", "LOCAL_RANK"),
 * and ETA, elapsed and remaining times are progress: a key whose first or
 * last part (split at ' ', '_', '-', '.', '/') is one of these words is not
 * a metric. */
static const char count_words[] = "num\0number\0size\0count\0samples\0examples\0images\0instances\0"
	"steps\0epochs\0iters\0iterations\0workers\0seed\0params\0parameters\0tensors\0features\0"
	"batches\0shape\0rank\0pid\0id\0gpus\0devices\0version\0bestiteration\0best_iteration\0"
	"eta\0elapsed\0remaining\0";

static struct {
	const char *w;
	size_t n;
} count_tab[64];

static void build_count_mask(void)
{
	size_t k = 0;
	for (const char *w = count_words; *w && k < 64; w += strlen(w) + 1, k++) {
		count_tab[k].w = w;
		count_tab[k].n = strlen(w);
		if (strlen(w) < 16)
			count_mask[strlen(w)] |= 1u << ((w[0] | 0x20) & 31);
	}
}

static bool is_part_sep(char c)
{
	return c == ' ' || c == '_' || c == '-' || c == '.' || c == '/';
}

/* File names ("solver.cpp:218]", "model_lib_v2.py:705]") end in these. */
static const char file_exts[] = "py\0c\0cc\0cpp\0h\0hpp\0go\0rs\0java\0js\0ts\0";

static bool maybe_count(const char *p, size_t n)
{
	if (!n || n >= 16 || !(count_mask[n] >> ((p[0] | 0x20) & 31) & 1))
		return false;
	for (size_t k = 0; k < 64 && count_tab[k].w; k++)
		if (count_tab[k].n == n && word_is(p, count_tab[k].w, n))
			return true;
	return false;
}

static bool key_not_metric(const char *k, size_t n, const char *unit, size_t ul)
{
	size_t a = 0, b = n;
	while (a < n && !is_part_sep(k[a]))
		a++;
	while (b > 0 && !is_part_sep(k[b - 1]))
		b--;
	if (maybe_count(k, a) || (b > 0 && maybe_count(k + b, n - b)))
		return true;
	if (b > 0 && k[b - 1] == '.' && n - b <= 4 && part_in(k + b, n - b, file_exts))
		return true;
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
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (cls[c] & C_KEY)
			i++;
		else if (c == '\'' && i + 1 < n && (cls[(unsigned char)s[i - 1]] & C_WORD) &&
		         isalpha((unsigned char)s[i + 1]))
			i++;
		else
			break;
	}
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
static bool leading_step(const char *s, size_t n, int64_t *step)
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

size_t ry_ingest__scan_unfiltered(const char *s, size_t n, ry_scalar *out, size_t max,
                                  bool *has_step, int64_t *step)
{
	size_t i = 0, found = 0, floor = 0, spaced = 0, config = 0;
	int best_rank = 0;
	bool word_step = false;

	init_classes();
	*has_step = false;
	if (leading_step(s, n, step)) {
		*has_step = true;
		best_rank = 2;
	}
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!(cls[c] & C_START) || (i > 0 && (cls[(unsigned char)s[i - 1]] & C_WORD))) {
			i++;
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
		int rank = step_rank(s + k0, k1 - k0);
		bool sep = j < n && (s[j] == ':' || s[j] == '=');
		bool eq = sep && s[j] == '=';
		if (sep)
			j = skip_spaces(s, j + 1, n);
		else if (j == k1 || (!rank && j != k1 + 1))
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
		size_t len = parse_number(s + j, n - j, &v), ul = 0;
		if (len && j + len < n && !(cls[(unsigned char)s[j + len]] & C_VEND)) {
			ul = unit_len(s + j + len, n - j - len);
			if (!ul)
				continue;
		}
		if (!len) {
			/* "task=detect": a setting; a line of them is a config dump */
			if (eq && j < n && (isalpha((unsigned char)s[j]) || s[j] == '\'' || s[j] == '"' || s[j] == '/'))
				config++;
			continue;
		}
		/* "12,000": a count with thousands separators */
		if (!ul && j + len + 3 < n && s[j + len] == ',' && isdigit((unsigned char)s[j + len + 1]) &&
		    isdigit((unsigned char)s[j + len + 2]) && isdigit((unsigned char)s[j + len + 3]) &&
		    (j + len + 4 >= n || !isdigit((unsigned char)s[j + len + 4]))) {
			i = floor = j + len;
			continue;
		}
		/* "loss=0.5" binds tight: "progress loss=0.5" is loss */
		if (!(eq && s[k1] == '='))
			k0 = phrase_start(s, k0, floor);
		if (k1 - k0 <= MAX_KEY && !(k1 - k0 == 5 && memcmp(s + k0, "v_num", 5) == 0) &&
		    !key_not_metric(s + k0, k1 - k0, s + j + len, ul)) {
			if (found < max) {
				out[found].key = s + k0;
				out[found].keylen = k1 - k0;
				out[found].value = v;
				out[found].unit = s + j + len;
				out[found].unitlen = ul;
				out[found].spaced = !sep;
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

/* ---- user patterns ---------------------------------------------------- */

struct named_group {
	int group;
	char *name;
};

struct pattern {
	char *label;
	regex_t re;
	size_t ngroups;
	int key_g, value_g, step_g; /* 0: none */
	struct named_group *named;  /* other names: metric = that name */
	size_t nnamed;
};

static void pattern_free(struct pattern *p)
{
	regfree(&p->re);
	for (size_t i = 0; i < p->nnamed; i++)
		free(p->named[i].name);
	free(p->named);
	free(p->label);
}

/* Turn (?<name>...) into (...), remembering which group had which name. */
static int translate_regex(struct pattern *p, const char *src, ry_buf *out)
{
	bool in_bracket = false;
	int group = 0;
	size_t cap = 0;
	for (const char *s = src; *s; s++) {
		if (in_bracket) {
			ry_buf_putc(out, *s);
			if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
				char close = s[1];
				const char *e = s + 2;
				while (*e && !(e[0] == close && e[1] == ']'))
					e++;
				if (*e) {
					ry_buf_put(out, s + 1, (size_t)(e + 1 - s));
					s = e + 1;
				}
			} else if (*s == ']') {
				in_bracket = false;
			}
			continue;
		}
		if (*s == '\\' && s[1]) {
			ry_buf_put(out, s, 2);
			s++;
			continue;
		}
		if (*s == '[') {
			ry_buf_putc(out, '[');
			in_bracket = true;
			if (s[1] == '^')
				ry_buf_putc(out, *++s);
			if (s[1] == ']')
				ry_buf_putc(out, *++s);
			continue;
		}
		if (*s == '(') {
			group++;
			ry_buf_putc(out, '(');
			if (s[1] == '?') {
				const char *n0 = s + 3, *n1 = n0;
				if (s[2] != '<')
					return ry_error_set(RY_EINVAL, "pattern '%s': '(?%c' is not POSIX regex syntax; "
					                    "use plain groups or (?<name>...)", p->label, s[2] ? s[2] : ' ');
				while (*n1 && (isalnum((unsigned char)*n1) || strchr("_./-", *n1)))
					n1++;
				if (*n1 != '>' || n1 == n0)
					return ry_error_set(RY_EINVAL, "pattern '%s': bad group name after '(?<'; "
					                    "write (?<name>...) with a name of letters, digits or _",
					                    p->label);
				size_t nl = (size_t)(n1 - n0);
				if (nl == 3 && !strncmp(n0, "key", 3))
					p->key_g = group;
				else if (nl == 5 && !strncmp(n0, "value", 5))
					p->value_g = group;
				else if (nl == 4 && !strncmp(n0, "step", 4))
					p->step_g = group;
				else {
					p->named = ry_xgrow(p->named, &cap, p->nnamed + 1, sizeof *p->named);
					p->named[p->nnamed].group = group;
					p->named[p->nnamed].name = ry_xstrndup(n0, nl);
					p->nnamed++;
				}
				s = n1;
			}
			continue;
		}
		ry_buf_putc(out, *s);
	}
	return 0;
}

static int pattern_compile(struct pattern *p, const char *label, const char *regex)
{
	ry_buf re = RY_BUF_INIT;
	int rc;
	memset(p, 0, sizeof *p);
	p->label = ry_xstrdup(label);
	if ((rc = translate_regex(p, regex, &re))) {
		ry_buf_free(&re);
		free(p->label);
		for (size_t i = 0; i < p->nnamed; i++)
			free(p->named[i].name);
		free(p->named);
		return rc;
	}
	int erc = regcomp(&p->re, ry_buf_cstr(&re), REG_EXTENDED);
	ry_buf_free(&re);
	if (erc) {
		char msg[256];
		regerror(erc, &p->re, msg, sizeof msg);
		rc = ry_error_set(RY_EINVAL, "pattern '%s': %s; fix the regex (POSIX extended syntax)", label, msg);
		free(p->label);
		for (size_t i = 0; i < p->nnamed; i++)
			free(p->named[i].name);
		free(p->named);
		return rc;
	}
	p->ngroups = p->re.re_nsub;
	if (!p->key_g && !p->value_g && !p->nnamed) {
		if (p->ngroups < 1) {
			pattern_free(p);
			return ry_error_set(RY_EINVAL, "pattern '%s' has no group for the value; "
			                    "put the number in parentheses, e.g. loss = Loss is ([0-9.eE+-]+)", label);
		}
		p->value_g = 1;
	}
	if (p->key_g && !p->value_g) {
		pattern_free(p);
		return ry_error_set(RY_EINVAL, "pattern '%s' names a (?<key>...) group but no (?<value>...) group",
		                    label);
	}
	return 0;
}

/* Parse "NAME = REGEX" lines into patterns; *builtin_off for "builtin = off". */
static int patterns_parse(const char *text, struct pattern **out, size_t *n, bool *builtin_off)
{
	size_t cap = 0;
	int rc = 0;
	*out = NULL;
	*n = 0;
	*builtin_off = false;
	if (!text)
		return 0;
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *l = ry_xstrndup(line, len), *eq, *name, *re, *e;
		line += len + (nl ? 1 : 0);
		name = l;
		while (isspace((unsigned char)*name))
			name++;
		if (!*name || *name == '#') {
			free(l);
			continue;
		}
		if (!(eq = strchr(name, '='))) {
			rc = ry_error_set(RY_EINVAL, "pattern line '%s' has no '='; write NAME = REGEX", name);
			free(l);
			break;
		}
		re = eq + 1;
		for (e = eq; e > name && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		while (isspace((unsigned char)*re))
			re++;
		for (e = re + strlen(re); e > re && isspace((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		if (!*name || !*re) {
			rc = ry_error_set(RY_EINVAL, "pattern line needs a name and a regex: NAME = REGEX");
			free(l);
			break;
		}
		if (!strcmp(name, "builtin")) {
			*builtin_off = !strcmp(re, "off") || !strcmp(re, "false") || !strcmp(re, "no");
			free(l);
			continue;
		}
		*out = ry_xgrow(*out, &cap, *n + 1, sizeof **out);
		if ((rc = pattern_compile(&(*out)[*n], name, re))) {
			free(l);
			break;
		}
		(*n)++;
		free(l);
	}
	if (rc) {
		for (size_t i = 0; i < *n; i++)
			pattern_free(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int ry_ingest_check_patterns(const char *patterns)
{
	struct pattern *p;
	size_t n;
	bool off;
	int rc = patterns_parse(patterns, &p, &n, &off);
	for (size_t i = 0; i < n; i++)
		pattern_free(&p[i]);
	free(p);
	return rc;
}

/* ---- per-key state ---------------------------------------------------- */

struct keyent {
	char *key;      /* NULL: empty slot */
	uint32_t hash;
	int64_t last;   /* last step given to this key; -1 none */
	double lastval; /* its value: the same point printed again is dropped */
	bool json;      /* arrived through JSONL: log capture leaves it alone */
};

struct keymap {
	struct keyent *v;
	size_t cap, n; /* cap is a power of two */
};

static uint32_t hash_key(const char *k, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static struct keyent *keymap_get(struct keymap *m, const char *k, size_t n)
{
	uint32_t h = hash_key(k, n);
	if (m->n * 2 >= m->cap) {
		struct keymap g = { ry_xcalloc(m->cap ? m->cap * 2 : 64, sizeof(struct keyent)),
		                    m->cap ? m->cap * 2 : 64, m->n };
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].key)
				continue;
			size_t j = m->v[i].hash & (g.cap - 1);
			while (g.v[j].key)
				j = (j + 1) & (g.cap - 1);
			g.v[j] = m->v[i];
		}
		free(m->v);
		*m = g;
	}
	size_t j = h & (m->cap - 1);
	while (m->v[j].key) {
		if (m->v[j].hash == h && !strncmp(m->v[j].key, k, n) && m->v[j].key[n] == '\0')
			return &m->v[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->v[j].key = ry_xstrndup(k, n);
	m->v[j].hash = h;
	m->v[j].last = -1;
	m->v[j].lastval = NAN;
	m->v[j].json = false;
	m->n++;
	return &m->v[j];
}

static void keymap_free(struct keymap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
}

/* ---- the ingest object ------------------------------------------------ */

struct pending_param {
	char *key, *value;
};

struct ry_ingest {
	ry_store *st;
	int64_t run_id;
	ry_metrics_writer *w;
	ry_ingest_point_fn on_point;
	ry_ingest_param_fn on_param;
	void *payload;
	bool builtin;             /* built-in scanner on */
	struct pattern *pats;
	size_t npats;
	ry_buf logbuf, jbuf;      /* partial lines */
	ry_buf plain;             /* a line with escape sequences removed */
	ry_buf render, pendseg;   /* a line with backspaces applied; a redraw held back */
	bool log_skip, j_skip;    /* inside an over-long line: drop to newline */
	bool log_plain;           /* the current log feed holds no \r and no ESC */
	struct keymap keys;
	bool has_ctx;             /* a step seen on an earlier log line */
	int64_t ctx;
	double now;               /* timestamp for log points of this feed */
	int64_t points, malformed, malformed_stored;
	struct pending_param *params;
	size_t nparams, capparams;
	int err;                  /* first writer error, reported by flush */
	bool keep;                /* resumable: store offsets and state */
	bool scalars;             /* the capture settings as given, for the state */
	char *patterns;
	int64_t log_fed, met_fed; /* file offsets just past the bytes fed */
	int64_t log_stored, met_stored;
	char *state_stored;       /* runs.ingest_state as last stored */
};

int ry_ingest_new(ry_ingest **out, ry_store *st, int64_t run_id, const ry_ingest_options *o)
{
	ry_ingest_options def = RY_INGEST_OPTIONS_INIT;
	ry_ingest *in;
	bool off = false;
	int rc;

	*out = NULL;
	if (!o)
		o = &def;
	init_classes();
	in = ry_xcalloc(1, sizeof *in);
	in->st = st;
	in->run_id = run_id;
	in->on_point = o->on_point;
	in->on_param = o->on_param;
	in->payload = o->payload;
	in->keep = o->keep_offsets && !o->on_point;
	in->scalars = o->scalars;
	in->patterns = o->patterns ? ry_xstrdup(o->patterns) : NULL;
	if (o->scalars && (rc = patterns_parse(o->patterns, &in->pats, &in->npats, &off))) {
		free(in->patterns);
		free(in);
		return rc;
	}
	in->builtin = o->scalars && !off;
	if (!in->on_point) {
		if (!st) {
			ry_ingest_free(in);
			return ry_error_set(RY_ERROR, "internal: ingest needs a workspace or a point callback");
		}
		if ((rc = ry_metrics_writer_new(&in->w, st))) {
			ry_ingest_free(in);
			return rc;
		}
	}
	*out = in;
	return 0;
}

void ry_ingest_free(ry_ingest *in)
{
	if (!in)
		return;
	ry_metrics_writer_free(in->w);
	for (size_t i = 0; i < in->npats; i++)
		pattern_free(&in->pats[i]);
	free(in->pats);
	ry_buf_free(&in->logbuf);
	ry_buf_free(&in->jbuf);
	ry_buf_free(&in->plain);
	ry_buf_free(&in->render);
	ry_buf_free(&in->pendseg);
	keymap_free(&in->keys);
	for (size_t i = 0; i < in->nparams; i++) {
		free(in->params[i].key);
		free(in->params[i].value);
	}
	free(in->params);
	free(in->patterns);
	free(in->state_stored);
	free(in);
}

int64_t ry_ingest_points(const ry_ingest *in)
{
	return in->points;
}

int64_t ry_ingest_malformed(const ry_ingest *in)
{
	return in->malformed;
}

static void emit(ry_ingest *in, const char *key, int64_t step, double ts, double value)
{
	in->points++;
	if (in->on_point) {
		in->on_point(in->payload, key, step, ts, value);
		return;
	}
	int rc = ry_metrics_append(in->w, in->run_id, key, step, ts, value);
	if (rc && !in->err)
		in->err = rc;
}

/* A point from log text: choose its step, skip keys owned by JSONL, add
 * the unit to the key ("time_ms"), and drop the same point printed again
 * (a logger with two handlers, a summary line repeating a progress line). */
static void log_point_u(ry_ingest *in, const char *k, size_t kl, const char *unit, size_t ul, bool has_step,
                        int64_t step, double v)
{
	char key[MAX_KEY + 8];
	if (ul && kl + 1 + ul <= MAX_KEY) {
		memcpy(key, k, kl);
		key[kl] = '_';
		memcpy(key + kl + 1, unit, ul);
		kl += 1 + ul;
		k = key;
	}
	struct keyent *e = keymap_get(&in->keys, k, kl);
	if (e->json)
		return;
	if (!has_step) {
		if (in->has_ctx && e->last == in->ctx && e->lastval == v)
			return;
		step = in->has_ctx && e->last < in->ctx ? in->ctx : e->last + 1;
	} else if (e->last == step && e->lastval == v) {
		return;
	}
	e->last = step;
	e->lastval = v;
	if (k != key) {
		memcpy(key, k, kl);
		key[kl] = '\0';
	} else {
		key[kl] = '\0';
	}
	emit(in, key, step, in->now, v);
}

static void log_point(ry_ingest *in, const char *k, size_t kl, bool has_step, int64_t step, double v)
{
	log_point_u(in, k, kl, NULL, 0, has_step, step, v);
}

static void run_patterns(ry_ingest *in, const char *s, size_t n, bool has_step, int64_t step)
{
	regmatch_t m[10];
	for (size_t p = 0; p < in->npats; p++) {
		struct pattern *pt = &in->pats[p];
		size_t off = 0;
		while (off <= n) {
			m[0].rm_so = (regoff_t)off;
			m[0].rm_eo = (regoff_t)n;
			if (regexec(&pt->re, s, 10, m, REG_STARTEND | (off ? REG_NOTBOL : 0)) != 0)
				break;
			bool hs = has_step;
			int64_t st = step;
			double v;
			if (pt->step_g && pt->step_g < 10 && m[pt->step_g].rm_so >= 0) {
				size_t a = (size_t)m[pt->step_g].rm_so, b = (size_t)m[pt->step_g].rm_eo;
				double sv;
				if (b > a && parse_number(s + a, b - a, &sv) == b - a && isfinite(sv)) {
					hs = true;
					st = (int64_t)sv;
				}
			}
			if (pt->value_g && pt->value_g < 10 && m[pt->value_g].rm_so >= 0) {
				size_t a = (size_t)m[pt->value_g].rm_so, b = (size_t)m[pt->value_g].rm_eo;
				if (b > a && parse_number(s + a, b - a, &v) == b - a) {
					if (pt->key_g && pt->key_g < 10 && m[pt->key_g].rm_so >= 0) {
						size_t ka = (size_t)m[pt->key_g].rm_so, kb = (size_t)m[pt->key_g].rm_eo;
						if (kb > ka && kb - ka <= MAX_KEY)
							log_point(in, s + ka, kb - ka, hs, st, v);
					} else if (!pt->key_g && strlen(pt->label) <= MAX_KEY) {
						log_point(in, pt->label, strlen(pt->label), hs, st, v);
					}
				}
			}
			for (size_t g = 0; g < pt->nnamed; g++) {
				int gi = pt->named[g].group;
				if (gi >= 10 || m[gi].rm_so < 0)
					continue;
				size_t a = (size_t)m[gi].rm_so, b = (size_t)m[gi].rm_eo;
				if (b > a && parse_number(s + a, b - a, &v) == b - a && strlen(pt->named[g].name) <= MAX_KEY)
					log_point(in, pt->named[g].name, strlen(pt->named[g].name), hs, st, v);
			}
			if ((size_t)m[0].rm_eo <= off)
				break;
			off = (size_t)m[0].rm_eo;
		}
	}
}

/* Drop terminal escape sequences (colours from rich, tqdm, loguru): CSI
 * "ESC [ ... final" and OSC "ESC ] ... BEL or ESC \\". */
static void strip_escapes(ry_buf *out, const char *s, size_t n)
{
	ry_buf_clear(out);
	ry_buf_grow(out, n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != 0x1b) {
			out->ptr[out->len++] = s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == '[') {
			for (i += 2; i < n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e); i++)
				;
		} else if (i + 1 < n && s[i + 1] == ']') {
			for (i += 2; i < n && s[i] != 0x07 && !(s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\'); i++)
				;
			if (i < n && s[i] == 0x1b)
				i++;
		} else {
			i++; /* a two-byte escape */
		}
	}
	out->ptr[out->len] = '\0';
}

/* The points of one line of plain text (escapes removed, no \r). */
static void line_points(ry_ingest *in, const char *s, size_t n)
{
	ry_scalar sc[MAX_SCALARS];
	bool has_step = false;
	int64_t step = 0;
	size_t found = 0;

	if (in->builtin) {
		found = ry_ingest_scan(s, n, sc, MAX_SCALARS, &has_step, &step);
		if (found > MAX_SCALARS)
			found = MAX_SCALARS;
	} else if (in->npats) {
		ry_ingest_scan(s, n, sc, 0, &has_step, &step); /* the step, for the regexes */
	}
	for (size_t i = 0; i < found; i++)
		log_point_u(in, sc[i].key, sc[i].keylen, sc[i].unit, sc[i].unitlen, has_step, step, sc[i].value);
	if (in->npats)
		run_patterns(in, s, n, has_step, step);
	if (has_step) {
		in->has_ctx = true;
		in->ctx = step;
	}
}

/* A tqdm bar's counter "| 500/4500 [": the position of a bar that shows no
 * step of its own (Hugging Face's training bar), which the step-less lines
 * printed under it (the Trainer's log dicts) take as their step. */
static bool bar_counter(const char *s, size_t n, int64_t *pos)
{
	const char *p = s, *end = s + n;
	while ((p = memchr(p, '|', (size_t)(end - p)))) {
		const char *q = ++p;
		int64_t v = 0;
		if (q < end && *q == ' ')
			q++;
		const char *d = q;
		while (q < end && *q >= '0' && *q <= '9' && q - d < 18)
			v = v * 10 + (*q++ - '0');
		if (q == d || q >= end || *q != '/')
			continue;
		for (q++; q < end && *q >= '0' && *q <= '9'; q++)
			;
		if (q + 1 < end && q[0] == ' ' && q[1] == '[') {
			*pos = v;
			return true;
		}
	}
	return false;
}

/* Backspaces (Keras's progress bar) as a terminal applies them: each
 * overwrites from one byte further left; \r from the start. */
static void overlay(ry_buf *out, const char *s, size_t n)
{
	ry_term_overlay(out, s, n);
}

/* A line redrawn with \r: every redraw is a segment, and what counts is the
 * last state of each step shown (a bar that prints "Epoch 0" until epoch 1
 * starts on the same line gives epoch 0's final values), or the last
 * segment.  Nested bars (drawn on another row: they end in ESC [ A) are not
 * this line's. */
static void redraws(ry_ingest *in, const char *s, size_t n)
{
	ry_scalar sc[1];
	bool pend = false, pend_step = false;
	int64_t pstep = 0;
	ry_buf_clear(&in->pendseg);
	while (n) {
		const char *cr = memchr(s, '\r', n);
		size_t m = cr ? (size_t)(cr - s) : n;
		const char *t = s;
		size_t tn = m;
		bool nested = m >= 3 && memmem(s, m, "\x1b[A", 3);
		s += m + (cr != NULL);
		n -= m + (cr != NULL);
		if (!tn || nested)
			continue;
		if (memchr(t, 0x1b, tn)) {
			strip_escapes(&in->plain, t, tn);
			t = in->plain.ptr;
			tn = in->plain.len;
		}
		bool hs = false;
		int64_t st = 0, pos;
		size_t found = ry_ingest_scan(t, tn, sc, 0, &hs, &st);
		if (!found && !hs) {
			if (bar_counter(t, tn, &pos)) {
				in->has_ctx = true;
				in->ctx = pos;
			}
			if (!memchr(t, ':', tn) && !memchr(t, '=', tn))
				continue;
		}
		if (pend && pend_step && hs && st != pstep)
			line_points(in, in->pendseg.ptr, in->pendseg.len);
		ry_buf_clear(&in->pendseg);
		ry_buf_put(&in->pendseg, t, tn);
		pend = true;
		pend_step = hs;
		pstep = st;
	}
	if (pend)
		line_points(in, in->pendseg.ptr, in->pendseg.len);
}

static void log_line(ry_ingest *in, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (in->log_plain && s != in->logbuf.ptr) {
		/* no \r, \b or escape anywhere in this feed: nothing to look for */
		line_points(in, s, n);
		return;
	}
	if (memchr(s, '\b', n)) {
		overlay(&in->render, s, n);
		s = in->render.ptr;
		n = in->render.len;
	}
	if (memchr(s, '\r', n)) {
		redraws(in, s, n);
		return;
	}
	if (memchr(s, 0x1b, n)) {
		strip_escapes(&in->plain, s, n);
		s = in->plain.ptr;
		n = in->plain.len;
	}
	line_points(in, s, n);
}

/* Split `data` into lines, calling fn for each complete one; keeps the
 * partial tail in buf.  Over-long lines are dropped (count_malformed). */
static void split_lines(ry_ingest *in, ry_buf *buf, bool *skip, const char *data, size_t len,
                        void (*fn)(ry_ingest *, const char *, size_t), bool jsonl)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if (*skip)
				return;
			ry_buf_put(buf, p, (size_t)(end - p));
			if (buf->len > RY_INGEST_MAX_LINE) {
				/* A progress bar redrawn with \r for a long time: keep the last redraw. */
				const char *cr = jsonl ? NULL : memrchr(buf->ptr, '\r', buf->len);
				if (cr && (size_t)(buf->ptr + buf->len - cr) < RY_INGEST_MAX_LINE) {
					size_t keep = (size_t)(buf->ptr + buf->len - cr);
					memmove(buf->ptr, cr, keep);
					buf->len = keep;
					buf->ptr[keep] = '\0';
				} else {
					ry_buf_clear(buf);
					*skip = true;
					if (jsonl)
						in->malformed++;
				}
			}
			return;
		}
		size_t n = (size_t)(nl - p);
		if (*skip) {
			*skip = false;
		} else if (buf->len) {
			if (buf->len + n > RY_INGEST_MAX_LINE && jsonl) {
				in->malformed++;
			} else {
				ry_buf_put(buf, p, n);
				fn(in, buf->ptr, buf->len);
			}
			ry_buf_clear(buf);
		} else if (n <= RY_INGEST_MAX_LINE) {
			fn(in, p, n);
		} else if (jsonl) {
			in->malformed++;
		}
		p = nl + 1;
	}
}

int ry_ingest_log(ry_ingest *in, const char *data, size_t len)
{
	in->log_fed += (int64_t)len;
	if (!in->builtin && !in->npats)
		return 0;
	in->now = ry_now();
	/* Two passes of memchr over the whole feed cost less than two calls per
	 * line, and most output has neither byte. */
	in->log_plain = !memchr(data, '\r', len) && !memchr(data, 0x1b, len) && !memchr(data, '\b', len);
	split_lines(in, &in->logbuf, &in->log_skip, data, len, log_line, false);
	return 0;
}

/* ---- JSON lines ------------------------------------------------------- */

#define NAN_MARK "__runyard_nan__"

/* Python's json writes NaN, Infinity and -Infinity, which are not JSON.
 * Rewrite them outside strings: inf as an out-of-range number (strtod gives
 * inf), NaN as a marker string.  Returns false if there was nothing to do. */
static bool rewrite_nonfinite(const char *s, size_t n, ry_buf *out)
{
	bool in_str = false, changed = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			ry_buf_putc(out, c);
			if (c == '\\' && i + 1 < n)
				ry_buf_putc(out, s[++i]);
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == 'N' && i + 3 <= n && !memcmp(s + i, "NaN", 3)) {
			ry_buf_puts(out, "\"" NAN_MARK "\"");
			i += 2;
			changed = true;
			continue;
		} else if (c == 'I' && i + 8 <= n && !memcmp(s + i, "Infinity", 8)) {
			ry_buf_puts(out, "1e999");
			i += 7;
			changed = true;
			continue;
		}
		ry_buf_putc(out, c);
	}
	return changed;
}

static bool json_number(const cJSON *v, double *out)
{
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return true;
	}
	if (cJSON_IsString(v) && !strcmp(v->valuestring, NAN_MARK)) {
		*out = NAN;
		return true;
	}
	return false;
}

/* Is k fit to store as a metric or param name as it is?  Not empty, at most
 * MAX_KEY bytes, valid UTF-8, no control character (C0, DEL, C1): anything
 * else would have to be truncated or altered to reach the store and the
 * screen, so the caller refuses the value and counts the line instead. */
static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > MAX_KEY || !ry_utf8_valid(k, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)k[i + 1] >= 0x80 &&
		                              (unsigned char)k[i + 1] <= 0x9f))
			return false;
	}
	return true;
}

bool ry_ingest_key_ok(const char *key)
{
	return key_ok(key);
}

/* cJSON decodes "\u0000" inside a string to a NUL byte, so a key
 * "lo\u0000ss" would come out as "lo" (and "step\u0000x" as "step").  In
 * the keys of s (strings followed by ':'), turn each \u0000 into \u0001,
 * a control character key_ok refuses, so the key is refused whole; the
 * marker is never stored.  Values are left as they are.  Returns false
 * (out untouched) when no key holds one. */
static bool mark_nul_keys(const char *s, size_t n, ry_buf *out)
{
	bool changed = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '"')
			continue;
		size_t start = i + 1, j = start, nul = 0;
		for (; j < n && s[j] != '"'; j++) {
			if (s[j] != '\\')
				continue;
			if (j + 5 < n && !memcmp(s + j + 1, "u0000", 5))
				nul++;
			j++;
		}
		size_t k = j + 1;
		while (k < n && isspace((unsigned char)s[k]))
			k++;
		if (nul && k < n && s[k] == ':') {
			if (!changed) {
				ry_buf_put(out, s, n);
				changed = true;
			}
			for (size_t m = start; m + 5 < j; m++) {
				if (s[m] == '\\' && !memcmp(s + m + 1, "u0000", 5))
					out->ptr[m + 5] = '1';
				if (s[m] == '\\')
					m++;
			}
		}
		i = j;
	}
	return changed;
}

/* The line's step from its "step" field: absent or null is no step (the
 * key's own count goes on); a number that is an integer in [0, 2^53] is
 * that step.  Anything else (a string, a bool, NaN, an infinity, a negative
 * or fractional number, one past 2^53) returns false: renumbering or
 * rounding it would store points at steps the job never wrote. */
static bool json_step(const cJSON *f, bool *has_step, int64_t *step)
{
	*has_step = false;
	if (!f || cJSON_IsNull(f))
		return true;
	if (!cJSON_IsNumber(f) || !isfinite(f->valuedouble) || f->valuedouble < 0 ||
	    f->valuedouble > 9007199254740992.0 || f->valuedouble != floor(f->valuedouble))
		return false;
	*has_step = true;
	*step = (int64_t)f->valuedouble;
	return true;
}

/* Store one value under key; false (nothing stored) if the key is refused. */
static bool json_point(ry_ingest *in, const char *key, bool has_step, int64_t step, double ts, double v)
{
	if (!key_ok(key))
		return false;
	struct keyent *e = keymap_get(&in->keys, key, strlen(key));
	e->json = true;
	if (!has_step)
		step = e->last + 1;
	e->last = step;
	emit(in, key, step, ts, v);
	return true;
}

/* Queue a param; false if its key is refused (key_ok). */
static bool add_param(ry_ingest *in, const char *key, const cJSON *v)
{
	char *val;
	if (cJSON_IsNull(v))
		return true;
	if (!key_ok(key))
		return false;
	if (cJSON_IsString(v))
		val = ry_xstrdup(v->valuestring);
	else if (cJSON_IsBool(v))
		val = ry_xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v)) {
		char b[64];
		snprintf(b, sizeof b, "%.15g", v->valuedouble);
		if (strtod(b, NULL) != v->valuedouble)
			snprintf(b, sizeof b, "%.17g", v->valuedouble);
		val = ry_xstrdup(b);
	} else {
		char *p = cJSON_PrintUnformatted(v);
		val = ry_xstrdup(p ? p : "");
		cJSON_free(p);
	}
	in->params = ry_xgrow(in->params, &in->capparams, in->nparams + 1, sizeof *in->params);
	in->params[in->nparams].key = ry_xstrdup(key);
	in->params[in->nparams].value = val;
	in->nparams++;
	return true;
}

/* One JSON line.  A line runyard cannot take as written is counted
 * malformed once: whole (not an object, a bad step) or in part (a refused
 * key; its other values are kept). */
static void jsonl_line(ry_ingest *in, const char *s, size_t n)
{
	ry_buf nulfix = RY_BUF_INIT, fixed = RY_BUF_INIT;
	cJSON *root, *f;
	bool has_step = false, bad = false;
	int64_t step = 0;
	double ts;
	size_t i = 0;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (i == n)
		return; /* blank lines are not malformed */
	if (!ry_utf8_valid(s, n)) {
		in->malformed++;
		return;
	}
	if (memmem(s, n, "\\u0000", 6) && mark_nul_keys(s, n, &nulfix)) {
		s = nulfix.ptr;
		n = nulfix.len;
	}
	root = cJSON_ParseWithLength(s, n);
	if (!root && rewrite_nonfinite(s, n, &fixed))
		root = cJSON_ParseWithLength(fixed.ptr, fixed.len);
	ry_buf_free(&fixed);
	ry_buf_free(&nulfix);
	if (!cJSON_IsObject(root) || !json_step(cJSON_GetObjectItemCaseSensitive(root, "step"), &has_step, &step)) {
		in->malformed++;
		cJSON_Delete(root);
		return;
	}
	ts = ry_now();
	if ((f = cJSON_GetObjectItemCaseSensitive(root, "ts")) && cJSON_IsNumber(f) &&
	    isfinite(f->valuedouble))
		ts = f->valuedouble;
	if ((f = cJSON_GetObjectItemCaseSensitive(root, "_params")) && cJSON_IsObject(f)) {
		for (cJSON *p = f->child; p; p = p->next)
			if (p->string && !add_param(in, p->string, p))
				bad = true;
	}
	for (f = root->child; f; f = f->next) {
		double v;
		if (!f->string || !strcmp(f->string, "step") || !strcmp(f->string, "ts") || f->string[0] == '_')
			continue;
		if (json_number(f, &v)) {
			if (!json_point(in, f->string, has_step, step, ts, v))
				bad = true;
		} else if (cJSON_IsObject(f)) {
			for (cJSON *g = f->child; g; g = g->next) {
				if (g->string && json_number(g, &v)) {
					/* "x/" or "/y" would hide a refused part in a kept name */
					char *k = ry_xasprintf("%s/%s", f->string, g->string);
					if (!*f->string || !*g->string || !json_point(in, k, has_step, step, ts, v))
						bad = true;
					free(k);
				}
			}
		}
	}
	if (bad)
		in->malformed++;
	cJSON_Delete(root);
}

int ry_ingest_jsonl(ry_ingest *in, const char *data, size_t len)
{
	in->met_fed += (int64_t)len;
	split_lines(in, &in->jbuf, &in->j_skip, data, len, jsonl_line, true);
	return 0;
}

/* ---- resumable state -------------------------------------------------- */

/* Where a resumed ingest must start reading for its line splitter to be
 * where this one is: at the partial line kept, or (inside an over-long
 * line being dropped) right here with the skip flag stored.  The partial
 * line a progress bar's redraws left starts at a '\r', which is all of it
 * that can still count, so a line of any length moves the offset on. */
static int64_t log_done(const ry_ingest *in)
{
	return in->log_fed - (in->log_skip ? 0 : (int64_t)in->logbuf.len);
}

static int64_t met_done(const ry_ingest *in)
{
	return in->met_fed - (in->j_skip ? 0 : (int64_t)in->jbuf.len);
}

static char *state_text(const ry_ingest *in)
{
	cJSON *o = cJSON_CreateObject(), *keys = cJSON_AddArrayToObject(o, "json");
	char step[32], *p, *text;
	cJSON_AddBoolToObject(o, "scalars", in->scalars);
	if (in->patterns)
		cJSON_AddStringToObject(o, "patterns", in->patterns);
	if (in->has_ctx) {
		/* as text: a double would round steps past 2^53 */
		snprintf(step, sizeof step, "%lld", (long long)in->ctx);
		cJSON_AddStringToObject(o, "ctx", step);
	}
	if (in->log_skip)
		cJSON_AddTrueToObject(o, "log_skip");
	if (in->j_skip)
		cJSON_AddTrueToObject(o, "jsonl_skip");
	for (size_t i = 0; i < in->keys.cap; i++)
		if (in->keys.v[i].key && in->keys.v[i].json)
			cJSON_AddItemToArray(keys, cJSON_CreateString(in->keys.v[i].key));
	p = cJSON_PrintUnformatted(o);
	text = ry_xstrdup(p ? p : "{}");
	cJSON_free(p);
	cJSON_Delete(o);
	return text;
}

int ry_ingest_continue_steps(ry_ingest *in)
{
	ry_metric_summary *sum = NULL;
	size_t nsum = 0;
	ry_run *r = NULL;
	int rc;
	if (!in->st)
		return 0;
	/* the run's count goes on too: a flush stores this ingest's total */
	if ((rc = ry_run_get(&r, in->st, in->run_id)))
		return rc;
	in->malformed = in->malformed_stored = r->malformed_lines;
	ry_run_free(r);
	if ((rc = ry_metrics_summaries(in->st, in->run_id, &sum, &nsum)))
		return rc;
	for (size_t i = 0; i < nsum; i++) {
		size_t kl = strlen(sum[i].key);
		if (kl && kl <= MAX_KEY)
			keymap_get(&in->keys, sum[i].key, kl)->last = sum[i].last_step;
	}
	ry_metric_summaries_free(sum, nsum);
	return 0;
}

int ry_ingest_resume(ry_ingest **out, ry_store *st, int64_t run_id, int64_t *log_off, int64_t *met_off)
{
	ry_ingest_options io = RY_INGEST_OPTIONS_INIT;
	ry_run *r = NULL;
	cJSON *root, *f;
	ry_ingest *in = NULL;
	int rc;

	*out = NULL;
	if ((rc = ry_run_get(&r, st, run_id)))
		return rc;
	root = r->ingest_state ? cJSON_Parse(r->ingest_state) : NULL;
	/* Unreadable state is treated as none: going on with a guess could
	 * double points, leaving the rest out only misses them. */
	if (!cJSON_IsObject(root))
		goto out;
	io.keep_offsets = true;
	io.scalars = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "scalars"));
	f = cJSON_GetObjectItemCaseSensitive(root, "patterns");
	io.patterns = cJSON_IsString(f) ? f->valuestring : NULL;
	if ((rc = ry_ingest_new(&in, st, run_id, &io)) || (rc = ry_ingest_continue_steps(in)))
		goto out;
	f = cJSON_GetObjectItemCaseSensitive(root, "json");
	for (cJSON *k = cJSON_IsArray(f) ? f->child : NULL; k; k = k->next) {
		size_t kl = cJSON_IsString(k) ? strlen(k->valuestring) : 0;
		if (kl && kl <= MAX_KEY)
			keymap_get(&in->keys, k->valuestring, kl)->json = true;
	}
	f = cJSON_GetObjectItemCaseSensitive(root, "ctx");
	if (cJSON_IsString(f)) {
		in->has_ctx = true;
		in->ctx = strtoll(f->valuestring, NULL, 10);
	}
	in->log_skip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "log_skip"));
	in->j_skip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "jsonl_skip"));
	in->log_fed = in->log_stored = r->log_offset;
	in->met_fed = in->met_stored = r->metrics_offset;
	in->state_stored = ry_xstrdup(r->ingest_state);
	*log_off = r->log_offset;
	*met_off = r->metrics_offset;
	*out = in;
	in = NULL;
out:
	ry_ingest_free(in);
	cJSON_Delete(root);
	ry_run_free(r);
	return rc;
}

/* ---- flushing --------------------------------------------------------- */

int ry_ingest_flush(ry_ingest *in, bool end)
{
	int rc = 0;
	if (end) {
		in->now = ry_now();
		in->log_plain = false;
		if (in->logbuf.len && !in->log_skip)
			log_line(in, in->logbuf.ptr, in->logbuf.len);
		if (in->jbuf.len && !in->j_skip)
			jsonl_line(in, in->jbuf.ptr, in->jbuf.len);
		ry_buf_clear(&in->logbuf);
		ry_buf_clear(&in->jbuf);
		in->log_skip = in->j_skip = false;
	}
	if (in->on_point) {
		for (size_t i = 0; i < in->nparams; i++)
			if (in->on_param)
				in->on_param(in->payload, in->params[i].key, in->params[i].value);
		goto done;
	}
	if (in->err) {
		rc = in->err;
		in->err = 0;
		return rc;
	}
	char *state = NULL;
	bool moved = false;
	if (in->keep) {
		state = state_text(in);
		if (in->state_stored && !strcmp(state, in->state_stored)) {
			free(state);
			state = NULL;
		}
		moved = log_done(in) != in->log_stored || met_done(in) != in->met_stored;
	}
	if (!ry_metrics_pending(in->w) && !in->nparams && in->malformed == in->malformed_stored && !state &&
	    !moved)
		return 0;
	if ((rc = ry_store_begin(in->st))) {
		free(state);
		return rc;
	}
	for (size_t i = 0; i < in->nparams && !rc; i++)
		rc = ry_run_set_param(in->st, in->run_id, in->params[i].key, in->params[i].value);
	if (!rc && in->malformed != in->malformed_stored)
		rc = ry_run_set_int(in->st, in->run_id, "malformed_lines", in->malformed);
	if (!rc)
		rc = ry_metrics_flush(in->w);
	if (!rc && moved)
		rc = ry_run_set_int(in->st, in->run_id, "log_offset", log_done(in));
	if (!rc && moved)
		rc = ry_run_set_int(in->st, in->run_id, "metrics_offset", met_done(in));
	if (!rc && state)
		rc = ry_run_set_text(in->st, in->run_id, "ingest_state", state);
	if (!rc)
		rc = ry_store_commit(in->st);
	if (rc) {
		ry_store_rollback(in->st);
		free(state);
		return rc;
	}
	in->malformed_stored = in->malformed;
	if (moved) {
		in->log_stored = log_done(in);
		in->met_stored = met_done(in);
	}
	if (state) {
		free(in->state_stored);
		in->state_stored = state;
	}
done:
	for (size_t i = 0; i < in->nparams; i++) {
		free(in->params[i].key);
		free(in->params[i].value);
	}
	in->nparams = 0;
	return rc;
}
