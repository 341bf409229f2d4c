# SPDX-License-Identifier: Apache-2.0
#
# The firmware process of brownoutd devices with `bootloader = mcuboot` (issue 16,
# docs/mcuboot.md "Daemon devices"): brownout-fw's objects linked with one upstream MCUboot
# variant (mk/mcuboot.mk's MCUBOOT_BL_DEPS/MCUBOOT_BL_LIBS), so that bl_find(BL_MCUBOOT) finds
# the variant's bl_mcuboot:
#
#   make MCUBOOT_SRC=DIR $(BUILD)/mcuboot/TREE/VARIANT/brownout-fw
#
# brownoutd runs this goal itself at start, in its source tree, for each mcuboot device
# (sim/config/config_mcuboot.c), and then spawns that program for the device's power-ons.
# Without MCUBOOT_SRC nothing here exists.

ifneq ($(strip $(MCUBOOT_SRC)),)
ifneq ($(WANT_DEPS),)

# mcuboot_fw_rules(VARIANT): the variant's brownout-fw.
define mcuboot_fw_rules
$(MCUBOOT_OUT)/$(1)/brownout-fw: $(BUILD)/obj/sim/cmd/brownout-fw.o \
		$(call MCUBOOT_BL_DEPS,$(1)) $(ALL_LIBS)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(CC) $(OPT) $(SAN_FLAGS) -o $$@ $$< $(call MCUBOOT_BL_LIBS,$(1)) $(LINK_LIBS)
endef

$(foreach v,$(MCUBOOT_ALL_VARIANTS),$(eval $(call mcuboot_fw_rules,$(v))))

endif
endif
