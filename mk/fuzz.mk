# SPDX-License-Identifier: Apache-2.0
#
# Fuzzing (issue 7, docs in fuzz/README.md): each fuzz/TARGET.c is one LLVMFuzzerTestOneInput,
# built in these flavours under $(BUILD)/fuzz/FLAVOUR/bin/TARGET:
#
#   afl      afl-clang-fast -fsanitize=fuzzer (persistent mode, shared-memory input)
#   cmplog   the same with AFL_LLVM_CMPLOG=1 (afl-fuzz -c)
#   asan     the same with AFL_USE_ASAN=1 AFL_USE_UBSAN=1 (the ASan instance of scripts/fuzz.sh)
#   lf       clang -fsanitize=fuzzer,address,undefined (libFuzzer)
#   replay   $(CC) -fsanitize=address,undefined with a main that runs files (make check)
#
# The instrumented flavours compile brownout's code and Mbed TLS again with their compiler, in
# their own directories. The replay flavour links the sanitized libraries of $(BUILD)/san, made
# by the same sub-make `make check` runs for its sanitized unit tests (so they are built once).
#
#   make fuzz          every flavour of every target
#   make fuzz-afl      the three AFL++ flavours only (what scripts/fuzz.sh needs)
#   make fuzz-replay   the replay binaries, run over fuzz/corpus/TARGET and fuzz/regressions/TARGET

.PHONY: fuzz fuzz-afl fuzz-lf fuzz-replay fuzz-replay-bins FORCE_FUZZ

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := $(sort $(basename $(notdir $(wildcard fuzz/*.c))))
FUZZ_LIB_SRCS := $(sort $(wildcard fuzz/lib/*.c))
FUZZ_OWN_SRCS := $(CORE_SRCS) $(PORT_SRCS) $(SIM_SRCS)
FUZZ_ROOT_DEF := -DFUZZ_ROOT='"$(CURDIR)"'

# Link-time wrappers some harnesses need (their oracle or a dry-run device).
FUZZ_WRAP_boot := -Wl,--wrap=flash_area_read,--wrap=flash_area_write,--wrap=flash_area_erase
FUZZ_WRAP_control := -Wl,--wrap=uv_spawn

# Flags without -Werror: clang warns about other things than gcc, and a warning in someone
# else's file must not stop the fuzz build. The harnesses themselves keep -Werror.
FUZZ_WARN := -Wall -Wextra -Wno-unused-parameter
FUZZ_CORE_INC := -Icore/include -Icore -I$(MBEDTLS_DIR)/include $(MBEDTLS_DEFS) \
	-Iport/linux/include
FUZZ_HOSTED_INC = $(FUZZ_CORE_INC) -D_GNU_SOURCE -Iport/linux -Isim $(HOST_CFLAGS)
FUZZ_HARNESS_INC = $(FUZZ_HOSTED_INC) -Ifuzz/lib $(FUZZ_ROOT_DEF)
FUZZ_MBEDTLS_INC := -I$(MBEDTLS_DIR)/include -I$(MBEDTLS_DIR)/library -Iport/linux \
	-Iport/linux/include $(MBEDTLS_DEFS)

FUZZ_AFL_CC := AFL_QUIET=1 afl-clang-fast
FUZZ_FLAVOURS := afl cmplog asan lf

FUZZ_CC_afl := $(FUZZ_AFL_CC)
FUZZ_CFLAGS_afl := -O2 -g
FUZZ_LDFLAGS_afl := -fsanitize=fuzzer

FUZZ_CC_cmplog := AFL_LLVM_CMPLOG=1 $(FUZZ_AFL_CC)
FUZZ_CFLAGS_cmplog := -O2 -g
FUZZ_LDFLAGS_cmplog := -fsanitize=fuzzer

FUZZ_CC_asan := AFL_USE_ASAN=1 AFL_USE_UBSAN=1 $(FUZZ_AFL_CC)
FUZZ_CFLAGS_asan := -O1 -g -fno-omit-frame-pointer
FUZZ_LDFLAGS_asan := -fsanitize=fuzzer

FUZZ_CC_lf := clang
FUZZ_CFLAGS_lf := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LDFLAGS_lf := -fsanitize=fuzzer,address,undefined

# One flavour: objects, two archives (brownout, Mbed TLS), one binary per target.
define fuzz_flavour
FUZZ_OWN_OBJS_$(1) := $$(patsubst %.c,$(FUZZ_DIR)/$(1)/obj/%.o,$$(FUZZ_OWN_SRCS))
FUZZ_MBEDTLS_OBJS_$(1) := $$(patsubst %.c,$(FUZZ_DIR)/$(1)/mbedtls/%.o,$$(MBEDTLS_LIB_SRCS))
FUZZ_LIB_OBJS_$(1) := $$(patsubst %.c,$(FUZZ_DIR)/$(1)/obj/%.o,$$(FUZZ_LIB_SRCS))
FUZZ_BINS_$(1) := $$(addprefix $(FUZZ_DIR)/$(1)/bin/,$$(FUZZ_TARGETS))

$(FUZZ_DIR)/$(1)/obj/core/%.o: core/%.c $$(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      [$(1)] $$<"
	$$(Q)$$(FUZZ_CC_$(1)) -std=c11 $$(FUZZ_CFLAGS_$(1)) $$(FUZZ_WARN) -MMD -MP \
		$$(FUZZ_CORE_INC) -c $$< -o $$@

$(FUZZ_DIR)/$(1)/obj/port/%.o: port/%.c $$(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      [$(1)] $$<"
	$$(Q)$$(FUZZ_CC_$(1)) -std=c11 $$(FUZZ_CFLAGS_$(1)) $$(FUZZ_WARN) -MMD -MP \
		$$(FUZZ_HOSTED_INC) -c $$< -o $$@

$(FUZZ_DIR)/$(1)/obj/sim/%.o: sim/%.c $$(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      [$(1)] $$<"
	$$(Q)$$(FUZZ_CC_$(1)) -std=c11 $$(FUZZ_CFLAGS_$(1)) $$(FUZZ_WARN) -MMD -MP \
		$$(FUZZ_HOSTED_INC) -c $$< -o $$@

$(FUZZ_DIR)/$(1)/obj/fuzz/%.o: fuzz/%.c $$(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      [$(1)] $$<"
	$$(Q)$$(FUZZ_CC_$(1)) -std=c11 $$(FUZZ_CFLAGS_$(1)) $$(WARN) -MMD -MP \
		$$(FUZZ_HARNESS_INC) -c $$< -o $$@

$(FUZZ_DIR)/$(1)/mbedtls/%.o: $$(MBEDTLS_DIR)/library/%.c $$(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      [$(1)] mbedtls/$$*.c"
	$$(Q)$$(FUZZ_CC_$(1)) -std=c99 $$(FUZZ_CFLAGS_$(1)) -w $$(FUZZ_MBEDTLS_INC) -c $$< -o $$@

$(FUZZ_DIR)/$(1)/lib/libbo_all.a: $$(FUZZ_OWN_OBJS_$(1)) ; $$(archive)
$(FUZZ_DIR)/$(1)/lib/libbo_mbedtls.a: $$(FUZZ_MBEDTLS_OBJS_$(1)) ; $$(archive)

$(FUZZ_DIR)/$(1)/bin/%: $(FUZZ_DIR)/$(1)/obj/fuzz/%.o $$(FUZZ_LIB_OBJS_$(1)) \
		$(FUZZ_DIR)/$(1)/lib/libbo_all.a $(FUZZ_DIR)/$(1)/lib/libbo_mbedtls.a
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$$(Q)$$(FUZZ_CC_$(1)) $$(FUZZ_CFLAGS_$(1)) $$(FUZZ_LDFLAGS_$(1)) $$(FUZZ_WRAP_$$*) -o $$@ \
		$$< $$(FUZZ_LIB_OBJS_$(1)) $(SWEEP_WRAP) -Wl,--start-group $(FUZZ_DIR)/$(1)/lib/libbo_all.a \
		$(FUZZ_DIR)/$(1)/lib/libbo_mbedtls.a -Wl,--end-group $$(HOST_LDLIBS) -lpthread
endef

$(foreach f,$(FUZZ_FLAVOURS),$(eval $(call fuzz_flavour,$(f))))

# ---- The replay flavour: $(CC) with ASan + UBSan over the libraries of $(BUILD)/san.

FUZZ_SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_SAN_BUILD := $(BUILD)/san
FUZZ_SAN_LIBS := $(FUZZ_SAN_BUILD)/lib/libbo_sim.a $(FUZZ_SAN_BUILD)/lib/libbo_port.a \
	$(FUZZ_SAN_BUILD)/lib/libbo_core.a $(FUZZ_SAN_BUILD)/lib/libbo_mbedtls.a
FUZZ_REPLAY_LIB_OBJS := $(patsubst %.c,$(FUZZ_DIR)/replay/obj/%.o,$(FUZZ_LIB_SRCS) \
	fuzz/driver/fuzz_replay.c)
FUZZ_REPLAY_BINS := $(addprefix $(FUZZ_DIR)/replay/bin/,$(FUZZ_TARGETS))

# The same sub-make as make check's sanitized unit tests: whatever it builds here, check reuses.
# It always runs (FORCE_FUZZ) and leaves the archives untouched when they are up to date.
$(FUZZ_SAN_LIBS) &: FORCE_FUZZ | $(MBEDTLS_MK)
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(FUZZ_SAN_BUILD) \
		MBEDTLS_SRC=$(MBEDTLS_DIR) NO_DEPS=1 $(FUZZ_SAN_LIBS)

FORCE_FUZZ:

$(FUZZ_DIR)/replay/obj/fuzz/%.o: fuzz/%.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  CC      [replay] $<"
	$(Q)$(CC) -std=c11 $(OPT) $(FUZZ_SAN_FLAGS) $(WARN) -MMD -MP $(FUZZ_HARNESS_INC) \
		-c $< -o $@

$(FUZZ_DIR)/replay/bin/%: $(FUZZ_DIR)/replay/obj/fuzz/%.o $(FUZZ_REPLAY_LIB_OBJS) \
		$(FUZZ_SAN_LIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT) $(FUZZ_SAN_FLAGS) $(FUZZ_WRAP_$*) -o $@ $< $(FUZZ_REPLAY_LIB_OBJS) \
		$(SWEEP_WRAP) -Wl,--start-group $(FUZZ_SAN_LIBS) -Wl,--end-group $(HOST_LDLIBS) -lpthread

# ---- Goals.

fuzz-afl: $(FUZZ_BINS_afl) $(FUZZ_BINS_cmplog) $(FUZZ_BINS_asan)
fuzz-lf: $(FUZZ_BINS_lf)
fuzz-replay-bins: $(FUZZ_REPLAY_BINS)
fuzz: fuzz-afl fuzz-lf fuzz-replay-bins

fuzz-replay: $(FUZZ_REPLAY_BINS)
	$(Q)BROWNOUT_ROOT=$(CURDIR) BUILD=$(BUILD) tests/scripts/test_fuzz_replay.sh

# make check builds the replay binaries; tests/scripts/test_fuzz_replay.sh (found by make
# check's wildcard) runs them over the corpora and the regression inputs.
CHECK_PREREQS += $(FUZZ_REPLAY_BINS)

-include $(shell find $(FUZZ_DIR) -name '*.d' 2>/dev/null)
