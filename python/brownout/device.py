# SPDX-License-Identifier: Apache-2.0
"""Device: one simulated device, driven through a subscribed Client. Every method that starts a
run waits race-free (subscribe first, then act) for the event it names and returns its data.
"""
import base64
import os


class Device:
    """client: a Client (subscribed here); name: the device's name."""

    def __init__(self, client, name="dev0"):
        self.client = client.subscribe()
        self.name = name

    def execute(self, command, **kwargs):
        """Runs command with device=name and the keyword arguments."""
        return self.client.execute(command, device=self.name, **kwargs)

    def _run(self, command, wait, timeout, **kwargs):
        if wait is None:
            return self.execute(command, **kwargs)
        with self.client.expect(wait, device=self.name, timeout=timeout) as ev:
            self.execute(command, **kwargs)
        return ev.data

    def status(self):
        """The device's STATUS object (query-status)."""
        return self.execute("query-status")

    def reset(self, wait="BOOT_DONE", timeout=30.0):
        """Resets the device; returns the data of the event wait of the new run (None: the
        command's return at once)."""
        return self._run("reset", wait, timeout)

    def power_on(self, wait="BOOT_DONE", timeout=30.0):
        """Powers the device on; returns the data of wait (as reset())."""
        return self._run("power-on", wait, timeout)

    def power_off(self, wait="POWER_OFF", timeout=30.0):
        """Powers the device off."""
        return self._run("power-off", wait, timeout)

    def arm_cut(self, at_op, fault="before", **kwargs):
        """Arms a power cut at flash operation at_op of the next run with a fault model
        (seed, units, permille as keywords); returns the command's return."""
        return self.execute("power-cut", at_op=at_op, fault=fault, **kwargs)

    def cut_now(self, wait="POWER_LOSS", timeout=30.0):
        """Cuts power now; returns the POWER_LOSS data."""
        return self._run("power-cut", wait, timeout, now=True)

    def load_image(self, slot, path):
        """Stages the image file path into slot (image-load); returns the command's return."""
        return self.execute("image-load", slot=slot, path=os.path.abspath(path))

    def image_info(self, slot):
        """The image-info of slot."""
        return self.execute("image-info", slot=slot)

    def confirm(self):
        """The running app confirms its image; returns the trailer state."""
        return self.execute("confirm")

    def upgrade(self, permanent=False):
        """The running app requests an upgrade from the secondary slot (boot_set_pending of the
        device's bootloader); a test upgrade unless permanent. Returns the trailer state."""
        return self.execute("upgrade", permanent=bool(permanent))

    def mark_pending(self, permanent=False, image=0):
        """Marks the secondary slot's image pending over the flash, as the application would
        (image-pending), whether or not the firmware runs; the next boot takes it."""
        return self.execute("image-pending", kind="permanent" if permanent else "test", image=image)

    def mark_confirmed(self, image=0):
        """Sets image_ok of the primary slot's image over the flash (image-confirm)."""
        return self.execute("image-confirm", image=image)

    def flash(self):
        """The query-flash object of the device."""
        return self.execute("query-flash")

    def read(self, offset, length, flash=None):
        """Bytes of flash (the board's first flash device unless flash names one)."""
        args = {"offset": offset, "length": length}
        if flash is not None:
            args["flash"] = flash
        return base64.b64decode(self.execute("flash-read", **args)["data"])

    def erase_all(self):
        """Erases every flash device of the device whole (a programmer's mass erase)."""
        for f in self.flash()["flash"]:
            self.execute("flash-erase", flash=f["name"], offset=0, length=f["size"])
