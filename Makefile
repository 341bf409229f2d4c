# SPDX-License-Identifier: Apache-2.0
#
# brownout: one plain GNU Makefile, building out of tree in $(BUILD).
#
#   make            build the libraries and programs
#   make check      install what is missing (scripts/deps.sh), build, run every test
#   make demo       a scripted tour of the daemon (make run: the daemon in the foreground)
#   make bench      benchmarks, printed as ratios to a limit measured in the same run
#   make soak       the long form of the attack suite on the daemon (figures for the README)
#   make install    install the programs under $(DESTDIR)$(PREFIX)
#   make clean      remove $(BUILD) (the downloaded Mbed TLS source included)
#   make fuzz       AFL++ and libFuzzer builds of fuzz/ (mk/fuzz.mk; run: scripts/fuzz.sh TARGET)
#   make cross      core/ for Cortex-M4 with arm-none-eabi-gcc, with a size table (mk/cross.mk)
#   make config-check  the configuration-check cases of tests/config (mk/config.mk)
#   make format     format the C files with .clang-format (make check-format: only check)
#
# Variables: BUILD (build), PREFIX (/usr/local), DESTDIR, MBEDTLS_SRC (a 3.6 tree to build
# instead of Debian's source package), OPT (-O2 -g), V=1 (show commands), NO_DEPS=1 (do not run
# scripts/deps.sh; for machines set up by hand), SANITIZE=1 (AddressSanitizer + UBSan on
# brownout's own code; make check runs the unit tests that way too, in $(BUILD)/san).

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
MBEDTLS_SRC ?=
OPT ?= -O2 -g
SANITIZE ?=
CC ?= cc
AR ?= ar
PKG_CONFIG ?= pkg-config

# Build on every core unless the caller chose a job count.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Goals that need neither the dependencies nor Mbed TLS.
NODEPS_GOALS := clean help
WANT_DEPS := $(if $(MAKECMDGOALS),$(filter-out $(NODEPS_GOALS),$(MAKECMDGOALS)),all)

# ---------------------------------------------------------------------------------------------
# Dependencies and Mbed TLS.

MBEDTLS_MK := $(BUILD)/deps/mbedtls.mk
MBEDTLS_SRC_RECORD := $(BUILD)/deps/mbedtls-src.txt

.PHONY: deps
deps:
ifneq ($(NO_DEPS),1)
	$(Q)scripts/deps.sh
endif

ifneq ($(WANT_DEPS),)
# Remember which tree was asked for, so that a different MBEDTLS_SRC regenerates the fragment.
$(shell mkdir -p $(BUILD)/deps && \
	if ! [ -f $(MBEDTLS_SRC_RECORD) ] || \
	   [ "$$(cat $(MBEDTLS_SRC_RECORD))" != "$(MBEDTLS_SRC)" ]; then \
	    printf '%s\n' "$(MBEDTLS_SRC)" > $(MBEDTLS_SRC_RECORD); fi)
include $(MBEDTLS_MK)
endif

$(MBEDTLS_MK): scripts/fetch_mbedtls.sh $(MBEDTLS_SRC_RECORD) | deps
	$(Q)scripts/fetch_mbedtls.sh --deps $(BUILD)/deps --mk $@ --src "$(MBEDTLS_SRC)"

MBEDTLS_CONFIG := $(CURDIR)/port/linux/mbedtls_config.h
MBEDTLS_DEFS := -DMBEDTLS_CONFIG_FILE='"$(MBEDTLS_CONFIG)"'
MBEDTLS_CFLAGS := -std=c99 $(OPT) -Wall -Wextra -Werror -MMD -MP \
	-I$(MBEDTLS_DIR)/include -I$(MBEDTLS_DIR)/library -Iport/linux -Iport/linux/include \
	$(MBEDTLS_DEFS)
MBEDTLS_OBJS := $(patsubst %.c,$(BUILD)/mbedtls/%.o,$(MBEDTLS_LIB_SRCS))
LIB_MBEDTLS := $(BUILD)/lib/libbo_mbedtls.a

$(BUILD)/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  CC      mbedtls/$*.c"
	$(Q)$(CC) $(MBEDTLS_CFLAGS) -c $< -o $@

$(LIB_MBEDTLS): $(MBEDTLS_OBJS)
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# ---------------------------------------------------------------------------------------------
# brownout's own code.

HOST_LIBS := libuv fuse3 jansson inih libsystemd
# Recursive (=) so pkg-config runs after scripts/deps.sh installed what it queries.
HOST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(HOST_LIBS))
HOST_LDLIBS = $(shell $(PKG_CONFIG) --libs $(HOST_LIBS))
CMOCKA_LDLIBS = $(shell $(PKG_CONFIG) --libs cmocka)

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := -std=c11 $(OPT) $(SAN_FLAGS) $(WARN) -MMD -MP -Icore/include -Icore \
	-I$(MBEDTLS_DIR)/include $(MBEDTLS_DEFS)
# core/ is freestanding firmware: no feature-test macros, no host headers on its path.
CORE_CFLAGS := $(BASE_CFLAGS) -Iport/linux/include
HOSTED_CFLAGS = $(BASE_CFLAGS) -D_GNU_SOURCE -Iport/linux -Iport/linux/include -Isim $(HOST_CFLAGS)

CORE_SRCS := $(sort $(shell find core -name '*.c'))
# Sources are found, not listed: a new module in a folder needs no edit here.
# port/linux/mcuboot and sim/bl/mcuboot build against an upstream MCUboot tree only
# (mk/mcuboot.mk).
PORT_SRCS := $(sort $(shell find port/linux -name '*.c' -not -path 'port/linux/mcuboot/*'))
SIM_PROG_SRCS := $(sort $(wildcard sim/cmd/*.c))
SIM_SRCS := $(sort $(shell find sim -name '*.c' -not -path 'sim/cmd/*' \
	-not -path 'sim/bl/mcuboot/*'))
TEST_SRCS := $(sort $(shell find tests/unit -name 'test_*.c'))
TEST_SUPPORT_SRCS := $(sort $(wildcard tests/support/*.c))
BENCH_SRCS := $(sort $(wildcard tests/bench/bench_*.c))

CORE_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRCS))
PORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(PORT_SRCS))
SIM_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SIM_SRCS))
TEST_SUPPORT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SUPPORT_SRCS))

LIB_CORE := $(BUILD)/lib/libbo_core.a
LIB_PORT := $(BUILD)/lib/libbo_port.a
LIB_SIM := $(BUILD)/lib/libbo_sim.a
PROGRAMS := $(patsubst sim/cmd/%.c,$(BUILD)/bin/%,$(SIM_PROG_SRCS))
TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(TEST_SRCS))
BENCHES := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(BENCH_SRCS))

ALL_LIBS := $(LIB_SIM) $(LIB_PORT) $(LIB_CORE) $(LIB_MBEDTLS)
# The sweep's cache of signature checks (sim/sweep/sweep_vcache.c) stands between the bootloaders
# and these Mbed TLS functions, so that neither bootloader's code changes.
SWEEP_WRAP := -Wl,--wrap=mbedtls_pk_verify,--wrap=mbedtls_pk_verify_ext,--wrap=mbedtls_ecdsa_read_signature
LINK_LIBS = $(SWEEP_WRAP) -Wl,--start-group $(ALL_LIBS) -Wl,--end-group $(HOST_LDLIBS)

$(CORE_OBJS): $(BUILD)/obj/%.o: %.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CORE_CFLAGS) -c $< -o $@

$(PORT_OBJS) $(SIM_OBJS) $(TEST_SUPPORT_OBJS): $(BUILD)/obj/%.o: %.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HOSTED_CFLAGS) -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HOSTED_CFLAGS) -Itests -c $< -o $@

$(BUILD)/obj/sim/cmd/%.o: sim/cmd/%.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(HOSTED_CFLAGS) -c $< -o $@

define archive
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^
endef

$(LIB_CORE): $(CORE_OBJS) ; $(archive)
$(LIB_PORT): $(PORT_OBJS) ; $(archive)
$(LIB_SIM): $(SIM_OBJS) ; $(archive)

$(BUILD)/bin/%: $(BUILD)/obj/sim/cmd/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT) $(SAN_FLAGS) -o $@ $< $(LINK_LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(TEST_SUPPORT_OBJS) $(ALL_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT) $(SAN_FLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LINK_LIBS) $(CMOCKA_LDLIBS)

$(BUILD)/tests/bench/%: $(BUILD)/obj/tests/bench/%.o $(TEST_SUPPORT_OBJS) $(ALL_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT) $(SAN_FLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LINK_LIBS) $(CMOCKA_LDLIBS)

# ---------------------------------------------------------------------------------------------
# Fragments: mk/*.mk add goals of their own (fuzz builds, cross builds, configuration checks).
# A fragment may append to CHECK_PREREQS (built before make check runs its tests) and
# CHECK_SCRIPTS_EXTRA (more executables make check runs), and to PHONY goals of its own.

CHECK_PREREQS :=
CHECK_SCRIPTS_EXTRA :=
include $(sort $(wildcard mk/*.mk))

# ---------------------------------------------------------------------------------------------
# Goals.

.PHONY: all check check-unit bench soak demo run install uninstall clean help format check-format

all: $(ALL_LIBS) $(PROGRAMS) | deps

# The checks and tests make check runs, each an executable that exits 0 on success.
CHECK_SCRIPTS := tests/scripts/check_core_purity_of_tree.sh \
	tests/scripts/check_linkage_of_build.sh scripts/check_format.sh \
	tests/scripts/check_size_of_tree.sh \
	$(sort $(wildcard tests/scripts/test_*.sh)) $(CHECK_SCRIPTS_EXTRA)

check: all $(TESTS) $(CHECK_PREREQS)
ifneq ($(SANITIZE),1)
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(BUILD)/san MBEDTLS_SRC=$(MBEDTLS_DIR) \
		NO_DEPS=1 check-unit
endif
	$(Q)BROWNOUT_ROOT=$(CURDIR) BUILD=$(BUILD) LIB_MBEDTLS=$(LIB_MBEDTLS) \
		CHECK_BINARIES="$(PROGRAMS) $(TESTS)" \
		tests/run.sh $(CHECK_SCRIPTS) $(TESTS)

# The unit tests alone (make check runs them under the sanitizers with this).
check-unit: all $(TESTS)
	$(Q)BROWNOUT_ROOT=$(CURDIR) tests/run.sh $(TESTS)

# The main job: a scripted tour of brownoutd on fixtures/demo.ini (run: the daemon in the
# foreground on the same configuration).
demo: all
	$(Q)BUILD=$(BUILD) scripts/demo.sh

run: all
	$(Q)BUILD=$(BUILD) scripts/demo.sh --run

# Benchmarks print figures as ratios to a limit measured in the same run; they never fail on
# speed (a failure here is a broken benchmark, not a slow machine).
# The Python benchmarks without a C twin (tests/bench/bench_matrix.py) run after them.
BENCH_PY := tests/bench/bench_matrix.py
bench: all $(BENCHES)
	$(Q)for b in $(BENCHES); do echo "=== $$b"; BROWNOUT_ROOT=$(CURDIR) $$b || exit 1; done
	$(Q)for p in $(BENCH_PY); do echo "=== $$p"; BUILD=$(BUILD) BROWNOUT_ROOT=$(CURDIR) \
		python3 $$p || exit 1; done

# The long form of the attack suite (tests/integration/test_attack.py): more random lines,
# cycles, SIGKILLs and forwarded requests; it prints the figures for the README.
soak: all
	$(Q)BROWNOUT_ROOT=$(CURDIR) BUILD=$(BUILD) BROWNOUT_SOAK=1 tests/scripts/test_integration_attack.sh

# The Python client (python/brownout) goes where Debian's python3 finds it.
PYTHON_DIR ?= $(PREFIX)/lib/python3/dist-packages
# Man pages (man/) and the bash completion (scripts/brownout.bash-completion).
MAN1_DIR ?= $(PREFIX)/share/man/man1
COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
# The sweep finds the boards and its default key in ../share/brownout next to its binary.
SHARE_DIR = $(DESTDIR)$(PREFIX)/share/brownout

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	$(if $(PROGRAMS),install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin)
	install -d $(DESTDIR)$(PYTHON_DIR)/brownout
	install -m 0644 $(wildcard python/brownout/*.py) $(DESTDIR)$(PYTHON_DIR)/brownout
	install -d $(SHARE_DIR)/fixtures/boards $(SHARE_DIR)/fixtures/keys
	install -m 0644 fixtures/boards/*.ini $(SHARE_DIR)/fixtures/boards
	install -m 0644 fixtures/keys/ec256.pem fixtures/keys/ec256.pub.pem $(SHARE_DIR)/fixtures/keys
	install -d $(DESTDIR)$(MAN1_DIR) $(DESTDIR)$(COMPLETION_DIR)
	install -m 0644 man/*.1 $(DESTDIR)$(MAN1_DIR)
	install -m 0644 scripts/brownout.bash-completion $(DESTDIR)$(COMPLETION_DIR)/brownout
	ln -sf brownout $(DESTDIR)$(COMPLETION_DIR)/brownoutd
	ln -sf brownout $(DESTDIR)$(COMPLETION_DIR)/brownout-fw

uninstall:
	$(if $(PROGRAMS),rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(PROGRAMS))))
	rm -rf $(DESTDIR)$(PYTHON_DIR)/brownout
	rm -rf $(SHARE_DIR)
	rm -f $(addprefix $(DESTDIR)$(MAN1_DIR)/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(COMPLETION_DIR)/,brownout brownoutd brownout-fw)

clean:
	rm -rf $(BUILD)

# The C files against .clang-format: make format rewrites them, make check-format (run by make
# check too) lists those that would change.
format:
	$(Q)scripts/check_format.sh --fix

check-format:
	$(Q)scripts/check_format.sh

help:
	@sed -n '3,20p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find $(BUILD)/obj $(BUILD)/mbedtls -name '*.d' 2>/dev/null)
