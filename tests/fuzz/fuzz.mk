# The libFuzzer targets (tests/fuzz/fuzz_NAME.c), built with clang apart from
# the normal gcc build: `make fuzz` (Makefile.am) runs this file with GNU make,
# handing it the configured flags and the source lists of libcore and
# libplugins, so a new core file is fuzz-built without editing anything here.
# Objects go to $(O); the normal build's objects are never touched.
#
# Variables (set by Makefile.am's fuzz rule): srcdir, O (output folder),
# CONFIG_H, SOURCES (.c and .h of libcore, libplugins), DEPS_CFLAGS, DEPS_LIBS,
# FUZZ_CC, FUZZ_SECONDS, FUZZ_JOBS, FUZZ_RUNS.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_JOBS ?= 2
O ?= fuzz-build
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# runyard's code is held warning-free by gcc (--enable-werror); under clang it
# is compiled with -Wall -Wextra but not -Werror.  The targets themselves get
# every warning, as errors.
TWARN = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wstrict-prototypes -Werror
FCFLAGS = -std=c11 -g -O1 $(SAN) -fsanitize=fuzzer-no-link -pthread -Wall -Wextra -Wno-unused-parameter \
	-include $(CONFIG_H) -I$(srcdir)/core -I$(srcdir)/tui -I$(srcdir) -I$(dir $(CONFIG_H)) \
	-DRY_DATADIR='"/nonexistent"' $(DEPS_CFLAGS)

ifeq ($(shell command -v $(FUZZ_CC) 2>/dev/null),)
$(error make fuzz needs clang with libFuzzer: install it with 'apt-get install clang llvm' (Debian/Ubuntu), or set FUZZ_CC)
endif

# every target: tests/fuzz/fuzz_*.c
TARGETS = $(patsubst $(srcdir)/tests/fuzz/fuzz_%.c,%,$(wildcard $(srcdir)/tests/fuzz/fuzz_*.c))
# the code under test: libcore, libplugins, and the curses-free theme loader
# and log renderer of tui/
LIBSRC = $(filter %.c,$(SOURCES)) tui/widgets/theme.c tui/text/logtext.c tui/text/text.c
LIBOBJ = $(patsubst %.c,$(O)/obj/%.o,$(LIBSRC))

all: $(patsubst %,$(O)/fuzz_%,$(TARGETS))

$(O)/obj/%.o: $(srcdir)/%.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC   $*.c"
	@$(FUZZ_CC) $(FCFLAGS) -MMD -MP -c -o $@ $<

$(O)/libfuzzcore.a: $(LIBOBJ)
	@rm -f $@
	@ar rcs $@ $^

$(O)/fuzz_%: $(srcdir)/tests/fuzz/fuzz_%.c $(srcdir)/tests/fuzz/fuzz.h $(O)/libfuzzcore.a
	@echo "  FUZZLD   fuzz_$*"
	@$(FUZZ_CC) $(FCFLAGS) $(TWARN) -fsanitize=fuzzer -o $@ $< $(O)/libfuzzcore.a $(DEPS_LIBS)

# Run every target FUZZ_SECONDS (or FUZZ_RUNS executions), FUZZ_JOBS at a time.
run: all
	@sh $(srcdir)/tests/fuzz/run.sh $(O) $(srcdir)/tests/fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS) "$(FUZZ_RUNS)" $(TARGETS)

.PHONY: all run
-include $(LIBOBJ:.o=.d)
