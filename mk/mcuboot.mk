# SPDX-License-Identifier: Apache-2.0
#
# Upstream MCUboot against the port (issue 16, docs/mcuboot.md): `make MCUBOOT_SRC=DIR` builds
# the bootutil of a MCUboot tree, unmodified, once per configuration variant, in
# $(BUILD)/mcuboot/TREE/VARIANT/ (TREE: the tree folder's name):
#
#   include/mcuboot_config/mcuboot_config.h   generated from the variant's settings
#   include/mcuboot_variant.h                 the settings, for brownout's side
#   libbootutil.a                             upstream's sources, upstream's flags relaxed
#   libmcuboot_port.a                         port/linux/mcuboot: the run wrapper and the flash
#                                             layer that unwinds at a power cut
#
# A variant's name is its settings (port/linux/mcuboot/mcuboot_gen.py name ...), for example
# swap-scratch_ec256_a8_s512_i1_vp1_dg0_hk0; a library is built when asked for and kept.
#
# Every global symbol that upstream's objects and the generated key table define is renamed
# with the prefix mcuboot_up_ (objcopy --redefine-syms, from nm --defined-only of the variant's
# objects), in them and in port/linux/mcuboot's objects that call them: a variant links into one
# program beside libbo_core.a (whose boot_go, boot_swap_type, ... would clash otherwise).
#
# To link a variant VARIANT into a program (h-fwmcu's firmware process, the sweep program):
#
#   $(call MCUBOOT_BL_DEPS,VARIANT)   the files of the variant, as prerequisites: bl_mcuboot.o
#                                     (sim/bl/mcuboot: `const struct bl bl_mcuboot`, which
#                                     bl_find(BL_MCUBOOT) returns), bl_keys.o (the key table
#                                     of MCUBOOT_BL_KEYS),
#                                     libmcuboot_port.a, libbootutil.a
#   $(call MCUBOOT_BL_LIBS,VARIANT)   the same on the link line (the two libraries in a group of
#                                     their own: not inside another -Wl,--start-group)
#
# placed before $(LINK_LIBS) (libbo_sim, libbo_port, libbo_core, Mbed TLS in a group); the rule
# $(MCUBOOT_OUT)/VARIANT/brownout (the sweep program) is the model. A target under
# $(MCUBOOT_OUT)/VARIANT/ named as a goal builds that variant on demand.
#
#   make MCUBOOT_SRC=DIR                  all, plus the variants of MCUBOOT_VARIANTS
#   make MCUBOOT_SRC=DIR $(BUILD)/mcuboot/TREE/VARIANT/libbootutil.a    one variant on demand
#   make MCUBOOT_SRC=DIR mcuboot-tests    the test programs of tests/mcuboot, one per variant of
#                                         MCUBOOT_TEST_VARIANTS (tests/scripts/test_mcuboot.sh)
#
# Variables: MCUBOOT_SRC (the tree), MCUBOOT_VARIANTS, MCUBOOT_TEST_VARIANTS, MCUBOOT_KEYS (the
# PEM public keys of the test programs' key table; default: the interop vectors' keys),
# MCUBOOT_BL_KEYS (the key table of MCUBOOT_BL_LIBS; default: fixtures/keys' ec256 and rsa2048),
# BROWNOUT_SHARED (default ../shared). Without MCUBOOT_SRC nothing here is built.

.PHONY: mcuboot mcuboot-tests mcuboot-tests-list

MCUBOOT_SRC ?=
BROWNOUT_SHARED ?= $(abspath $(CURDIR)/../shared)
MCUBOOT_PY ?= python3
MCUBOOT_GEN := $(MCUBOOT_PY) port/linux/mcuboot/mcuboot_gen.py
MCUBOOT_VARIANTS ?= swap-scratch_ec256_a8_s512_i1_vp1_dg0_hk0

ifeq ($(strip $(MCUBOOT_SRC)),)

mcuboot mcuboot-tests mcuboot-tests-list:
	@echo "make $@: set MCUBOOT_SRC to a MCUboot tree (docs/mcuboot.md)" >&2; exit 64

else ifneq ($(WANT_DEPS),)

# The tree is checked before anything else: one line naming what is wrong or missing.
MCUBOOT_CHECK := $(shell $(MCUBOOT_GEN) check '$(MCUBOOT_SRC)' 2>&1 >/dev/null)
ifneq ($(MCUBOOT_CHECK),)
$(error $(MCUBOOT_CHECK))
endif

MCUBOOT_BU := $(MCUBOOT_SRC)/boot/bootutil
MCUBOOT_OUT := $(BUILD)/mcuboot/$(notdir $(abspath $(MCUBOOT_SRC)))
MCUBOOT_TREE_H := $(MCUBOOT_OUT)/include/mcuboot_tree.h
MCUBOOT_KEYS_REC := $(MCUBOOT_OUT)/keys.txt
MCUBOOT_KEYS ?= $(BROWNOUT_SHARED)/interop/imgtool/keys/ec256.pub.pem \
	$(BROWNOUT_SHARED)/interop/imgtool/keys/rsa2048.pub.pem
# The key table of the programs that link a variant through the seam (MCUBOOT_BL_LIBS): the keys
# that sign the sweep's images by default.
MCUBOOT_BL_KEYS ?= fixtures/keys/ec256.pub.pem fixtures/keys/rsa2048.pub.pem
MCUBOOT_BL_KEYS_REC := $(MCUBOOT_OUT)/bl_keys.txt
MCUBOOT_SRCS := $(shell $(MCUBOOT_GEN) sources '$(MCUBOOT_SRC)')
# The tree's identity and the key list are rewritten only when they change, so that a new tree
# or new keys rebuild what depends on them and nothing else.
$(shell $(MCUBOOT_GEN) tree '$(MCUBOOT_SRC)' $(MCUBOOT_TREE_H))
$(shell mkdir -p $(MCUBOOT_OUT) && if [ "$$(cat $(MCUBOOT_KEYS_REC) 2>/dev/null)" != \
	"$(strip $(MCUBOOT_KEYS))" ]; then echo "$(strip $(MCUBOOT_KEYS))" > $(MCUBOOT_KEYS_REC); fi)
$(shell if [ "$$(cat $(MCUBOOT_BL_KEYS_REC) 2>/dev/null)" != "$(strip $(MCUBOOT_BL_KEYS))" ]; \
	then echo "$(strip $(MCUBOOT_BL_KEYS))" > $(MCUBOOT_BL_KEYS_REC); fi)

# The swap modes this tree has (swap-offset is recent) and the test variants over them.
MCUBOOT_TEST_MODES := overwrite-only swap-scratch swap-move \
	$(if $(wildcard $(MCUBOOT_BU)/src/swap_offset.c),swap-offset)
MCUBOOT_TEST_VARIANTS ?= swap-scratch_rsa2048_a8_s512_i1_vp1_dg0_hk0 \
	swap-scratch_none_a8_s512_i1_vp1_dg0_hk0 swap-scratch_ec256_a8_s512_i1_vp1_dg0_hk1 \
	$(foreach m,$(MCUBOOT_TEST_MODES),$(m)_ec256_a8_s512_i1_vp1_dg0_hk0)

# Variants named by the goals ($(MCUBOOT_OUT)/VARIANT/...) are built on demand.
MCUBOOT_GOAL_VARIANTS := $(foreach g,$(filter $(MCUBOOT_OUT)/%,$(MAKECMDGOALS)),\
	$(firstword $(subst /, ,$(patsubst $(MCUBOOT_OUT)/%,%,$(g)))))
MCUBOOT_ALL_VARIANTS := $(sort $(MCUBOOT_VARIANTS) $(MCUBOOT_GOAL_VARIANTS) \
	$(if $(filter mcuboot-tests%,$(MAKECMDGOALS)),$(MCUBOOT_TEST_VARIANTS)))

# Upstream's files: its own warnings, never an error (they are not ours to fix). Include order:
# the variant's generated configuration first, then the port.
MCUBOOT_INC = -I$(MCUBOOT_OUT)/$(1)/include -I$(MCUBOOT_OUT)/include -Iport/linux \
	-Iport/linux/include -I$(MBEDTLS_DIR)/include $(MBEDTLS_DEFS)
MCUBOOT_UP_CFLAGS = -std=gnu11 $(OPT) -Wall -Wno-unused-function -Wno-unused-variable -MMD -MP \
	$(call MCUBOOT_INC,$(1)) -I$(MCUBOOT_BU)/include -I$(MCUBOOT_BU)/src
# brownout's side: the house flags; upstream's headers are system headers to it.
MCUBOOT_PORT_CFLAGS = -std=c11 $(OPT) $(WARN) -D_GNU_SOURCE -MMD -MP -Iport/linux/mcuboot \
	$(call MCUBOOT_INC,$(1)) -Icore/include -isystem $(MCUBOOT_BU)/include
# Upstream calls the flash layer of port/linux/mcuboot/mcuboot_flash.h instead of the port's.
MCUBOOT_REDEFINE := $(foreach f,read write erase,\
	--redefine-sym flash_area_$(f)=mcuboot_flash_area_$(f))
MCUBOOT_PORT_SRCS := $(sort $(wildcard port/linux/mcuboot/*.c))
MCUBOOT_TEST_SRCS := $(sort $(wildcard tests/mcuboot/test_*.c))
# The port and Mbed TLS, and the one core object the port needs (bo_strerror) for the test
# programs; a program with the core links libbo_core.a instead (the renamed symbols no longer
# clash with it).
MCUBOOT_CORE_OBJS := $(BUILD)/obj/core/common/bo_err.o
# The upstream objects of a variant before and after the rename (mcuboot_up_ prefix).
# (The test programs' key table defines the same names as the seam's: the list does not need it.)
MCUBOOT_RAW_OBJS = $(patsubst $(MCUBOOT_BU)/src/%.c,$(MCUBOOT_OUT)/$(1)/obj/%.o,$(MCUBOOT_SRCS)) \
	$(MCUBOOT_OUT)/$(1)/obj/bl_keys.o
MCUBOOT_UP_OBJS = $(patsubst $(MCUBOOT_BU)/src/%.c,$(MCUBOOT_OUT)/$(1)/up/%.o,$(MCUBOOT_SRCS))
MCUBOOT_PORT_OBJS = $(patsubst port/linux/mcuboot/%.c,$(MCUBOOT_OUT)/$(1)/port/%.o,\
	$(MCUBOOT_PORT_SRCS))
# What a program links to run a variant (see the top of this file): the files, and the link
# line (the port and bootutil call each other: a group of their own).
MCUBOOT_BL_DEPS = $(MCUBOOT_OUT)/$(1)/bl_mcuboot.o $(MCUBOOT_OUT)/$(1)/bl_keys.o \
	$(MCUBOOT_OUT)/$(1)/libmcuboot_port.a $(MCUBOOT_OUT)/$(1)/libbootutil.a
MCUBOOT_BL_LIBS = $(MCUBOOT_OUT)/$(1)/bl_mcuboot.o $(MCUBOOT_OUT)/$(1)/bl_keys.o -Wl,--start-group \
	$(MCUBOOT_OUT)/$(1)/libmcuboot_port.a $(MCUBOOT_OUT)/$(1)/libbootutil.a -Wl,--end-group
MCUBOOT_PREFIX := mcuboot_up_
# objcopy with the variant's rename list: renames the definitions and references of upstream's
# symbols in one object ($(1): the variant, $(2): in, $(3): out).
MCUBOOT_RENAME = objcopy --redefine-syms=$(MCUBOOT_OUT)/$(1)/rename.syms $(2) $(3)

# mcuboot_variant_rules(VARIANT): the configuration, libraries and test programs of one variant.
define mcuboot_variant_rules
# The generator rewrites the configuration only when it changes, so a new generator or tree
# that yields the same configuration rebuilds nothing; the stamp records that it ran.
$(MCUBOOT_OUT)/$(1)/config.stamp: port/linux/mcuboot/mcuboot_gen.py $(MCUBOOT_TREE_H)
	@echo "  GEN     $(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h"
	$(Q)$(MCUBOOT_GEN) config $(1) '$(MCUBOOT_SRC)' $(MCUBOOT_OUT)/$(1)/include
	$(Q)$(MCUBOOT_GEN) probe $(1) '$(MCUBOOT_SRC)' $(CC) $(call MCUBOOT_UP_CFLAGS,$(1)) || \
		{ rm -f $(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h; exit 65; }
	$(Q)touch $$@

$(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h: $(MCUBOOT_OUT)/$(1)/config.stamp ;

$(MCUBOOT_OUT)/$(1)/obj/%.o: $(MCUBOOT_BU)/src/%.c \
		$(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h $(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      mcuboot/$(1)/$$*.c"
	$(Q)$(CC) $(call MCUBOOT_UP_CFLAGS,$(1)) -c $$< -o $$@
	$(Q)objcopy $(MCUBOOT_REDEFINE) $$@

# The rename list: every global symbol upstream's objects and the key tables define. (The key
# tables are generated once the configuration passed upstream's checks: one error line.)
$(MCUBOOT_OUT)/$(1)/rename.syms: $(call MCUBOOT_RAW_OBJS,$(1))
	@echo "  NM      $$@"
	$(Q)nm --defined-only -g $$^ | awk 'NF == 3 { print $$$$3 " $(MCUBOOT_PREFIX)" $$$$3 }' | \
		sort -u > $$@.tmp && mv $$@.tmp $$@

$(MCUBOOT_OUT)/$(1)/up/%.o: $(MCUBOOT_OUT)/$(1)/obj/%.o $(MCUBOOT_OUT)/$(1)/rename.syms
	@mkdir -p $$(@D)
	$(Q)$(call MCUBOOT_RENAME,$(1),$$<,$$@)

$(MCUBOOT_OUT)/$(1)/port/%.o: $(MCUBOOT_OUT)/$(1)/portobj/%.o $(MCUBOOT_OUT)/$(1)/rename.syms
	@mkdir -p $$(@D)
	$(Q)$(call MCUBOOT_RENAME,$(1),$$<,$$@)

$(MCUBOOT_OUT)/$(1)/keys.o: $(MCUBOOT_OUT)/$(1)/obj/keys.o $(MCUBOOT_OUT)/$(1)/rename.syms
	@mkdir -p $$(@D)
	$(Q)$(call MCUBOOT_RENAME,$(1),$$<,$$@)

$(MCUBOOT_OUT)/$(1)/bl_keys.o: $(MCUBOOT_OUT)/$(1)/obj/bl_keys.o $(MCUBOOT_OUT)/$(1)/rename.syms
	@mkdir -p $$(@D)
	$(Q)$(call MCUBOOT_RENAME,$(1),$$<,$$@)

$(MCUBOOT_OUT)/$(1)/tests/%.o: $(MCUBOOT_OUT)/$(1)/testobj/%.o $(MCUBOOT_OUT)/$(1)/rename.syms
	@mkdir -p $$(@D)
	$(Q)$(call MCUBOOT_RENAME,$(1),$$<,$$@)

$(MCUBOOT_OUT)/$(1)/portobj/%.o: port/linux/mcuboot/%.c \
		$(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h $(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      $$< ($(1))"
	$(Q)$(CC) $(call MCUBOOT_PORT_CFLAGS,$(1)) -c $$< -o $$@

$(MCUBOOT_OUT)/$(1)/testobj/%.o: tests/mcuboot/%.c \
		$(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h $(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      $$< ($(1))"
	$(Q)$(CC) $(call MCUBOOT_PORT_CFLAGS,$(1)) -Itests -c $$< -o $$@

# brownout's side of the seam: the house flags of sim/, the variant's settings.
$(MCUBOOT_OUT)/$(1)/bl_mcuboot.o: sim/bl/mcuboot/bl_mcuboot.c \
		$(MCUBOOT_OUT)/$(1)/include/mcuboot_config/mcuboot_config.h $(MBEDTLS_MK)
	@mkdir -p $$(@D)
	@echo "  CC      $$< ($(1))"
	$(Q)$(CC) $(HOSTED_CFLAGS) -Iport/linux/mcuboot -I$(MCUBOOT_OUT)/$(1)/include \
		-I$(MCUBOOT_OUT)/include -c $$< -o $$@

$(MCUBOOT_OUT)/$(1)/keys.c: port/linux/mcuboot/mcuboot_gen.py $(MCUBOOT_KEYS_REC) \
		$(MCUBOOT_OUT)/$(1)/config.stamp
	@echo "  GEN     $$@"
	$(Q)$(MCUBOOT_GEN) keys $(1) $$@ $(MCUBOOT_KEYS)
	$(Q)touch $$@

$(MCUBOOT_OUT)/$(1)/obj/keys.o: $(MCUBOOT_OUT)/$(1)/keys.c
	@mkdir -p $$(@D)
	$(Q)$(CC) $(call MCUBOOT_UP_CFLAGS,$(1)) -I$(MCUBOOT_BU)/include -c $$< -o $$@

$(MCUBOOT_OUT)/$(1)/bl_keys.c: port/linux/mcuboot/mcuboot_gen.py $(MCUBOOT_BL_KEYS_REC) \
		$(MCUBOOT_OUT)/$(1)/config.stamp
	@echo "  GEN     $$@"
	$(Q)$(MCUBOOT_GEN) keys $(1) $$@ $(MCUBOOT_BL_KEYS)
	$(Q)touch $$@

$(MCUBOOT_OUT)/$(1)/obj/bl_keys.o: $(MCUBOOT_OUT)/$(1)/bl_keys.c
	@mkdir -p $$(@D)
	$(Q)$(CC) $(call MCUBOOT_UP_CFLAGS,$(1)) -I$(MCUBOOT_BU)/include -c $$< -o $$@

$(MCUBOOT_OUT)/$(1)/libbootutil.a: $(call MCUBOOT_UP_OBJS,$(1)) ; $$(archive)

$(MCUBOOT_OUT)/$(1)/libmcuboot_port.a: $(call MCUBOOT_PORT_OBJS,$(1)) ; $$(archive)

$(MCUBOOT_OUT)/$(1)/test_%: $(MCUBOOT_OUT)/$(1)/tests/test_%.o $(MCUBOOT_OUT)/$(1)/keys.o \
		$(MCUBOOT_OUT)/$(1)/libmcuboot_port.a $(MCUBOOT_OUT)/$(1)/libbootutil.a \
		$(MCUBOOT_CORE_OBJS) $(LIB_PORT) $(LIB_MBEDTLS)
	@echo "  LD      $$@"
	$(Q)$(CC) $(OPT) -o $$@ $$< $(MCUBOOT_OUT)/$(1)/keys.o -Wl,--start-group \
		$(MCUBOOT_OUT)/$(1)/libmcuboot_port.a $(MCUBOOT_OUT)/$(1)/libbootutil.a $(LIB_PORT) \
		$(LIB_MBEDTLS) -Wl,--end-group $(MCUBOOT_CORE_OBJS) $(HOST_LDLIBS) $(CMOCKA_LDLIBS)

# The brownout program linked with the variant: `brownout sweep --bootloader mcuboot` runs it.
$(MCUBOOT_OUT)/$(1)/brownout: $(BUILD)/obj/sim/cmd/brownout.o $(call MCUBOOT_BL_DEPS,$(1)) \
		$(ALL_LIBS)
	@echo "  LD      $$@"
	$(Q)$(CC) $(OPT) $(SAN_FLAGS) -o $$@ $$< $(call MCUBOOT_BL_LIBS,$(1)) $(LINK_LIBS)
endef

$(foreach v,$(MCUBOOT_ALL_VARIANTS),$(eval $(call mcuboot_variant_rules,$(v))))

mcuboot: $(foreach v,$(MCUBOOT_VARIANTS),$(MCUBOOT_OUT)/$(v)/libbootutil.a \
	$(MCUBOOT_OUT)/$(v)/libmcuboot_port.a)
all: mcuboot

MCUBOOT_TEST_PROGS := $(foreach v,$(MCUBOOT_TEST_VARIANTS),$(foreach t,$(MCUBOOT_TEST_SRCS),\
	$(MCUBOOT_OUT)/$(v)/$(basename $(notdir $(t)))))
mcuboot-tests: $(MCUBOOT_TEST_PROGS)

# The test programs, one a line (tests/scripts/test_mcuboot.sh runs them).
mcuboot-tests-list:
	@printf '%s\n' $(MCUBOOT_TEST_PROGS)

-include $(shell find $(MCUBOOT_OUT) -name '*.d' 2>/dev/null)

endif
