/*
 * Parallel coordinates and scatter plots for many runs, as pure
 * computation: axes that map a column's values to 0..1 (linear, log for
 * values that span decades, evenly spaced categories), brushes on them
 * and the filter clause a brush stands for, and a cell grid that the
 * views draw with curses.  Every run is a polyline across the axes,
 * rasterised in braille dots (2x4 a cell) or ASCII; a cell counts the
 * lines crossing it, so 10,000 runs read as density, not as a smear.  The
 * scatter half places points on two axes and finds the nearest point in
 * a direction for its cursor.  Unit-tested without a terminal.
 */
#ifndef TUI_PARCOORDS_H
#define TUI_PARCOORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "base/buf.h"

enum tui_axis_kind { TUI_AXIS_LINEAR, TUI_AXIS_LOG, TUI_AXIS_CATEGORY };

/* The colour levels of the metric gradient, worst (0) to best. */
#define TUI_PC_LEVELS 5
/* How many of the best runs are marked by rank (1 the best). */
#define TUI_PC_RANKED 5

typedef struct tui_axis {
	char *label;     /* shown under the axis; owned */
	char *field;     /* canonical field name, for filter clauses; owned */
	int kind;        /* enum tui_axis_kind */
	bool flip;       /* high values at the bottom */
	double lo, hi;   /* numeric: the finite range (of the values > 0 on a log axis) */
	char **cats;     /* categorical: the distinct values, sorted; owned */
	size_t ncats;
	size_t n;        /* runs */
	const double *val; /* numeric: per run its value (NaN missing); lent, or `own` */
	double *own;     /* the copy val points at when the axis made one; owned */
	/* categorical: per run a code (-1 missing) into the column's distinct
	 * values, lent or `own_code`; place[code] is that value's index into
	 * cats (tui_axis_cat) -- the table's 4 bytes a run, not a copy */
	const int32_t *code;
	int32_t *own_code; /* the codes `code` points at when the axis made them; owned */
	int *place;      /* ncats; owned */
	double blo, bhi; /* the brush, in pos units (0..1 unflipped); 0 and 1: none */
	/* Kept by tui_pc_render: each run's dot row in a plot rows_h dot rows
	 * high under flip rows_flip, a byte a run (0xff missing) in a plot of
	 * at most 255 dot rows, else 2 (0xffff) -- where a position was 8; a
	 * run's position is computed from its value. */
	void *rows;
	int rows_h;
	bool rows_flip;
} tui_axis;

/* Build an axis over n numeric values (copied).  log < 0 chooses: log
 * when every finite value is > 0 and the largest is at least 100 times
 * the smallest; log > 0 forces it (values <= 0 then count as missing). */
void tui_axis_numeric(tui_axis *ax, const char *label, const char *field, const double *v, size_t n, int log);
/* The same over values lent, not copied: v must outlive the axis (an
 * analysis table's column, 8 bytes a run held once for 10^6 runs). */
void tui_axis_numeric_lent(tui_axis *ax, const char *label, const char *field, const double *v, size_t n, int log);
/* Build a categorical axis over n texts (NULL missing): one evenly
 * spaced position per distinct value, in sorted order (numbers among
 * them in numeric order). */
void tui_axis_category(tui_axis *ax, const char *label, const char *field, char *const *text, size_t n);
/* The same over n codes (-1 missing) into nvalues distinct values in
 * strcmp order, an analysis table's text column (the codes copied; the
 * values always are). */
void tui_axis_category_codes(tui_axis *ax, const char *label, const char *field, char *const *values,
                             size_t nvalues, const int32_t *code, size_t n);
/* The same over codes lent, not copied: code must outlive the axis. */
void tui_axis_category_codes_lent(tui_axis *ax, const char *label, const char *field, char *const *values,
                                  size_t nvalues, const int32_t *code, size_t n);
void tui_axis_free(tui_axis *ax); /* accepts a zeroed axis; never frees what it was lent */

/* Run i's category on a categorical axis: its index into cats, -1 missing. */
int tui_axis_cat(const tui_axis *ax, size_t i);
/* Position (0..1) of a value on a numeric axis (clamped; NaN for a
 * non-finite value or <= 0 on a log axis), and the value at a position. */
double tui_axis_pos_of(const tui_axis *ax, double v);
double tui_axis_value_at(const tui_axis *ax, double pos);
/* Run i's position, 0 (bottom, lo) .. 1 (top, hi) before any flip; NaN missing. */
double tui_axis_pos(const tui_axis *ax, size_t i);
/* Run i's height on screen, 0 bottom .. 1 top, flip applied; NaN missing. */
double tui_axis_y(const tui_axis *ax, size_t i);

/* Brushes.  Whether the axis has one, whether run i is inside it (a run
 * missing the value is outside any brush), and moving an end of it by
 * one step (a category, or a twentieth of the axis) in screen terms:
 * end 1 the top end, 0 the bottom; dir +1 up, -1 down.  The ends never
 * cross.  Clearing returns to the whole axis. */
bool tui_axis_brushed(const tui_axis *ax);
bool tui_axis_in_brush(const tui_axis *ax, size_t i);
void tui_axis_brush_move(tui_axis *ax, int end, int dir);
void tui_axis_brush_clear(tui_axis *ax);
/* Set the brush from typed bounds: "LO..HI" (either may be empty) on a
 * numeric axis, or "a,b,c" (values) on a categorical one; false with a
 * reason in err for text it cannot read (the brush is then unchanged). */
bool tui_axis_brush_parse(tui_axis *ax, const char *text, char *err, size_t errn);
/* The brush as a filter clause in the query language (docs/query.md),
 * "params.lr >= 0.001 and params.lr <= 0.1" or "(params.opt = adam or
 * params.opt = sgd)", its bounds rounded outwards so that every run
 * inside stays matched; NULL when the axis has no brush.  Caller frees. */
char *tui_axis_brush_clause(const tui_axis *ax);
/* A filter joining base (NULL or "": none) and every axis's clause with
 * "and"; NULL when there is neither.  Caller frees. */
char *tui_pc_filter(const char *base, tui_axis *const *axes, size_t nax);

/* The metric's colour level (0 worst .. TUI_PC_LEVELS-1 best, -1 no
 * value) of every run, under goal (0 colours low to high), and the rank
 * of the TUI_PC_RANKED best (1 the best, 0 unranked; none under goal 0). */
void tui_pc_levels(const double *metric, size_t n, int goal, int8_t *level, uint8_t *rank);

/* Past this many lines (inside the brushes and out) a parallel plot is
 * drawn as density: each cell shaded by how many lines cross it, the
 * brushed-out lines too, faintly, so a brush reads against the rest. */
#define TUI_PC_DENSITY_MIN 2000
/* Density shades, sparse to densest. */
#define TUI_PC_SHADES 4

/* One cell of a rendered plot. */
typedef struct tui_pc_cell {
	char glyph[8];   /* UTF-8, " " empty */
	int count;       /* lines crossing the cell (inside every brush) */
	int out;         /* density plots: brushed-out lines crossing it (0 otherwise) */
	int level;       /* mean colour level of the lines counted, -1 none */
	int shade;       /* density 0 (sparse) .. TUI_PC_SHADES-1 (densest), relative to the densest
	                    cell: square-root scale in a line plot, log scale in a density plot */
	bool ranked;     /* a ranked (best) run crosses it */
	char marker;     /* a rank digit where a ranked run meets an axis, else 0 */
} tui_pc_cell;

typedef struct tui_pc {
	int w, h;
	tui_pc_cell *cells; /* w*h, row-major, row 0 at the top */
	int axis_col[32];   /* the column of each axis */
	size_t nax;
	size_t shown;       /* runs drawn: inside every brush and with every value */
	size_t out;         /* runs with every value outside some brush (drawn only as density) */
	int maxcount;
	bool density;       /* drawn as density (more than TUI_PC_DENSITY_MIN lines): glyphs are
	                       shades (tui_pc_shade_glyph), a cell with out > 0 and count 0 is the
	                       brushed-out runs' */
} tui_pc;

/* The glyph of density shade s (0..TUI_PC_SHADES-1; -1: brushed-out lines
 * only), in UTF-8 blocks or ASCII (".:+#" would read as lines, so ":+#@"
 * and "." for the brushed-out).  Lent, static. */
const char *tui_pc_shade_glyph(int s, bool utf8);
/* A density shade on the log scale: 0 for count 0 or 1 line when the
 * densest cell holds max, TUI_PC_SHADES-1 at max. */
int tui_pc_log_shade(int count, int max);

#define TUI_PC_MAX_AXES 32

/* Render the runs inside every brush as polylines across nax axes (the
 * last one usually the metric) into a w x h plot.  level and rank as
 * tui_pc_levels made them.  Up to TUI_PC_DENSITY_MIN lines each is
 * rasterised in braille dots; past that the lines between two axes are
 * first binned by their ends (dot rows), each bin rasterised once with
 * its count, so the cost goes with the screen's size more than with the
 * runs.  Overwrites *pc: free it with tui_pc_free before rendering into
 * it again. */
void tui_pc_render(tui_pc *pc, int w, int h, tui_axis *const *axes, size_t nax, const int8_t *level,
                   const uint8_t *rank, bool utf8);
void tui_pc_free(tui_pc *pc);
/* The row (0 top) of a screen height y (0..1) in a plot of h rows. */
int tui_pc_row_of(int h, double y);

/* The axes of an analysis table: one per column, then the metric's,
 * numeric ones linear or log as tui_axis_numeric chooses.  Writes
 * a->ncols + 1 axes (at most TUI_PC_MAX_AXES) into axes; the count. */
size_t tui_pc_axes_build(tui_axis *axes, const ry_analysis *a);

/* The gradient's colours as #rrggbb, worst to best: the default theme's
 * colours of the elements the screen draws the levels with (delta-bad,
 * run-killed, series-7, delta-good, metric-best). */
extern const char *const tui_pc_level_rgb[TUI_PC_LEVELS];

/* The plot as an SVG document of w x h pixels: an axis per axis with its
 * label and its ends' values (categories: each value), one polyline per
 * run drawn (inside every brush, every value present), coloured by level,
 * the ranked runs wider and on top.  names (may be NULL) title the lines.
 * Returns the number of polylines. */
size_t tui_pc_svg(ry_buf *b, int w, int h, tui_axis *const *axes, size_t nax, const int8_t *level,
                  const uint8_t *rank, char *const *names);

/* ---- scatter ------------------------------------------------------------ */

/* The point of n (x, y positions 0..1, NaN skipped) nearest to point cur
 * in direction (dx, dy) (one of them +-1, y up): among the points that
 * lie that way (within 45 degrees, so both neighbours of a diagonal
 * count), the one at the smallest distance, off-axis distance counting
 * double.  -1 when there is none.  cur < 0: the point nearest the
 * centre. */
long tui_scatter_nearest(const double *x, const double *y, size_t n, long cur, int dx, int dy);

/* Render n points (x, y positions 0..1, y up; NaN skipped) as dots in a
 * w x h plot, counted and coloured as tui_pc_render does; the best run
 * (rank 1) is marked '*'. */
void tui_scatter_render(tui_pc *pc, int w, int h, const double *x, const double *y, size_t n,
                        const int8_t *level, const uint8_t *rank, bool utf8);
/* The column of a position x (0..1) in a plot of w columns. */
int tui_pc_col_of(int w, double x);

#endif
