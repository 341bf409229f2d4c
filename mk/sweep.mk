# SPDX-License-Identifier: Apache-2.0
#
# Long power-fail sweeps (issue 14), never part of make check:
#
#   make sweep-matrix     every shipped board x every mode its "; Modes:" line claims x perm,
#                         test-revert, test-confirm x a small and a maximal image x all six fault
#                         models, depth 1 (scripts/sweep_matrix.py; hours on two cores). Prints a
#                         table (points, failures, seconds per cell); fails on any failure.
#                         SWEEP_MATRIX_ARGS passes options (--board B, --mode M, --quick, -j N).
#   make sweep-random     RANDOM_BOARDS generated legal boards (seed RANDOM_SEED) x every mode
#                         each accepts x all six models, depth 1, the small image (brownout sweep
#                         --random-boards); the board files go to $(BUILD)/sweep-random.

.PHONY: sweep-matrix sweep-random

SWEEP_MATRIX_ARGS ?=
RANDOM_BOARDS ?= 200
RANDOM_SEED ?= 14
SWEEP_JOBS ?= 2

sweep-matrix: all
	$(Q)BROWNOUT_ROOT=$(CURDIR) BUILD=$(BUILD) scripts/sweep_matrix.py -j $(SWEEP_JOBS) \
		$(SWEEP_MATRIX_ARGS)

sweep-random: all
	$(Q)$(BUILD)/bin/brownout sweep --root $(CURDIR) --random-boards $(RANDOM_BOARDS) \
		--seed $(RANDOM_SEED) --scenario perm --faults all --depth 1 --prefix-max 2 \
		-j $(SWEEP_JOBS) --save-boards $(BUILD)/sweep-random
