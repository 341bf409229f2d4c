# SPDX-License-Identifier: Apache-2.0
# Loads brownout's pytest fixtures (brownoutd, device). Copy this file with the example.
pytest_plugins = ["brownout.pytest_plugin"]
