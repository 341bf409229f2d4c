# SPDX-License-Identifier: Apache-2.0
#
# Configuration checks of the core (issue 8, docs/config.md).
#
#   make config-check      compile core/config/config.c with every case of tests/config/cases.txt
#   make config-generate   rewrite core/config/config_check_*.h from scripts/config_checks.txt
#   make config-mcuboot-derived
#                          re-extract MCUboot's derived names from the MCUboot tree
#                          ($(BROWNOUT_SHARED)/peers/mcuboot) into
#                          scripts/config_history/mcuboot.derived, then regenerate the headers
#
# make check runs both through tests/scripts/test_config_checks.sh; config-flags writes the
# compiler and the core's flags (one argument a line) for it, so that every case is compiled
# exactly like core/config/config.c is in libbo_core.a.

CONFIG_FLAGS_FILE := $(BUILD)/config/core_cflags.txt

BROWNOUT_SHARED ?= $(abspath $(CURDIR)/../shared)

.PHONY: config-flags config-check config-generate config-mcuboot-derived

config-flags:
	@mkdir -p $(BUILD)/config
	$(Q){ printf '%s\n' '$(CC)'; printf '%s\n' $(filter-out -MMD -MP,$(CORE_CFLAGS)); } \
		> $(CONFIG_FLAGS_FILE).tmp && mv $(CONFIG_FLAGS_FILE).tmp $(CONFIG_FLAGS_FILE)

config-check: config-flags
	$(Q)BROWNOUT_SHARED='$(BROWNOUT_SHARED)' tests/config/run_config_tests.py \
		--flags $(CONFIG_FLAGS_FILE)

config-generate:
	$(Q)scripts/generate_config_checks.py

config-mcuboot-derived:
	$(Q)scripts/extract_mcuboot_derived.py --tree '$(BROWNOUT_SHARED)/peers/mcuboot'
	$(Q)scripts/generate_config_checks.py

CHECK_PREREQS += config-flags
