/* Theme files (tui/widgets/theme.c, curses-free). */
#include "fuzz.h"

#include "widgets/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct tui_theme t;
	char err[256];
	tui_theme_default(&t);
	if (tui_theme_parse(&t, text, "fuzz.theme", err, sizeof err) == 0)
		tui_theme_no_color(&t);
	for (int c = 0; c < TUI_COLOR_COUNT; c++) {
		(void)tui_theme_color_for(t.e[c].fg, 8);
		(void)tui_theme_color_for(t.e[c].bg, 256);
	}
	free(text);
	return 0;
}
