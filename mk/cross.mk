# SPDX-License-Identifier: Apache-2.0
#
# make cross: the portability proof of the core (issue 8, docs/config.md).
#
# Compiles every file of core/ (boot, ota, config, common) unchanged with arm-none-eabi-gcc for a
# Cortex-M4 against newlib and the Mbed TLS headers, with the core configuration of a firmware
# build (tests/cross/include/mcuboot_config/mcuboot_config.h first on the include path) and the
# port's Mbed TLS configuration (port/linux/mbedtls_config.h and the two portable headers it
# uses: port_heap_hooks.h, platform_alt.h). Then it compiles Mbed TLS itself for the same CPU,
# links the boot core with the stub port of tests/cross/stubs.c into a size-only image
# ($(BUILD)/cross/boot.elf, --gc-sections) and prints .text/.data/.bss per module.
# make check builds it first (CHECK_PREREQS); tests/scripts/test_cross.sh checks the result.

CROSS_CC ?= arm-none-eabi-gcc
CROSS_AR ?= arm-none-eabi-ar
CROSS_SIZE ?= arm-none-eabi-size
CROSS_BUILD := $(BUILD)/cross
CROSS_ARCH := -mcpu=cortex-m4 -mthumb
CROSS_OPT := -Os -ffunction-sections -fdata-sections
CROSS_MBEDTLS_DEFS := -DMBEDTLS_CONFIG_FILE='"$(CURDIR)/port/linux/mbedtls_config.h"' \
	-DMBEDTLS_USER_CONFIG_FILE='"$(CURDIR)/tests/cross/mbedtls_user_config_cross.h"'
CROSS_CFLAGS := -std=c11 $(CROSS_ARCH) $(CROSS_OPT) $(WARN) -MMD -MP -Itests/cross/include \
	-Icore/include -Icore -Iport/linux/include -I$(MBEDTLS_DIR)/include $(CROSS_MBEDTLS_DEFS)
# Mbed TLS is compiled as its own build does (C99), with the port directory for platform_alt.h.
CROSS_MBEDTLS_CFLAGS := -std=c99 $(CROSS_ARCH) $(CROSS_OPT) -Wall -Wextra -Werror -MMD -MP \
	-I$(MBEDTLS_DIR)/include -I$(MBEDTLS_DIR)/library -Iport/linux -Iport/linux/include \
	$(CROSS_MBEDTLS_DEFS)
CROSS_LDFLAGS := $(CROSS_ARCH) -Os -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs

CROSS_CORE_OBJS := $(patsubst %.c,$(CROSS_BUILD)/obj/%.o,$(CORE_SRCS))
CROSS_BOOT_OBJS := $(filter-out $(CROSS_BUILD)/obj/core/ota/%,$(CROSS_CORE_OBJS))
CROSS_MBEDTLS_OBJS := $(patsubst %.c,$(CROSS_BUILD)/mbedtls/%.o,$(MBEDTLS_LIB_SRCS))
CROSS_LIB_BOOT := $(CROSS_BUILD)/lib/libbo_boot_arm.a
CROSS_LIB_MBEDTLS := $(CROSS_BUILD)/lib/libbo_mbedtls_arm.a
CROSS_ELF := $(CROSS_BUILD)/boot.elf

.PHONY: cross

$(CROSS_CORE_OBJS) $(CROSS_BUILD)/obj/tests/cross/stubs.o: $(CROSS_BUILD)/obj/%.o: %.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  ARMCC   $<"
	$(Q)$(CROSS_CC) $(CROSS_CFLAGS) -c $< -o $@

$(CROSS_BUILD)/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c $(MBEDTLS_MK)
	@mkdir -p $(@D)
	@echo "  ARMCC   mbedtls/$*.c"
	$(Q)$(CROSS_CC) $(CROSS_MBEDTLS_CFLAGS) -c $< -o $@

$(CROSS_LIB_BOOT): $(CROSS_BOOT_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(CROSS_AR) rcs $@ $^

$(CROSS_LIB_MBEDTLS): $(CROSS_MBEDTLS_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(CROSS_AR) rcs $@ $^

$(CROSS_ELF): $(CROSS_BUILD)/obj/tests/cross/stubs.o $(CROSS_LIB_BOOT) $(CROSS_LIB_MBEDTLS)
	@echo "  ARMLD   $@"
	$(Q)$(CROSS_CC) $(CROSS_LDFLAGS) -Wl,-Map=$(CROSS_BUILD)/boot.map -o $@ $< \
		-Wl,--start-group $(CROSS_LIB_BOOT) $(CROSS_LIB_MBEDTLS) -Wl,--end-group

# Every core object is a prerequisite, so all of core/ (ota included) must compile.
cross: $(CROSS_ELF) $(CROSS_CORE_OBJS)
	$(Q)tests/cross/size_table.py --map $(CROSS_BUILD)/boot.map --elf $(CROSS_ELF) \
		--size $(CROSS_SIZE) --objects $(CROSS_CORE_OBJS) --strip $(CROSS_BUILD)/obj/ \
		> $(CROSS_BUILD)/size.txt.tmp || { cat $(CROSS_BUILD)/size.txt.tmp; exit 1; }
	$(Q)mv $(CROSS_BUILD)/size.txt.tmp $(CROSS_BUILD)/size.txt && cat $(CROSS_BUILD)/size.txt

CHECK_PREREQS += cross

-include $(shell find $(CROSS_BUILD) -name '*.d' 2>/dev/null)
