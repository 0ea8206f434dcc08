import { describe, expect, it } from "vitest";
import { DeviceConfigError } from "./errors.js";
import { genericDevicesFromConfig } from "./generic-devices.js";

describe("genericDevicesFromConfig", () => {
  it("maps each path (or {id, paths}) to a generic device of its resource", () => {
    expect(
      genericDevicesFromConfig({
        "xilinx.com/fpga": [
          "/dev/dri/renderD128",
          { id: "u250-1", paths: ["/dev/dri/renderD129", "/dev/xclmgmt1"] },
        ],
      }),
    ).toEqual([
      {
        resource: "xilinx.com/fpga",
        vendor: "generic",
        id: "/dev/dri/renderD128",
        paths: ["/dev/dri/renderD128"],
        index: 0,
      },
      {
        resource: "xilinx.com/fpga",
        vendor: "generic",
        id: "u250-1",
        paths: ["/dev/dri/renderD129", "/dev/xclmgmt1"],
        index: 1,
      },
    ]);
  });

  it("marks shared resources (FPGA_DISABLE_BOOKKEEPING)", () => {
    const devices = genericDevicesFromConfig(
      { "xilinx.com/fpga": ["/dev/dri/renderD128"], "example.com/dev": ["/dev/foo0"] },
      { shared: ["xilinx.com/fpga"] },
    );
    expect(devices.map((device) => device.shared ?? false)).toEqual([true, false]);
    expect(genericDevicesFromConfig({ "example.com/dev": ["/dev/foo0"] }, { shared: true })[0]?.shared).toBe(
      true,
    );
  });

  it.each([
    [{ fpga: ["/dev/x"] }, 'devices["fpga"]: resource name must look like <domain>/<name>'],
    [{ "a.b/c": ["dev/x"] }, 'devices["a.b/c"][0]: must be an absolute path under /dev/'],
    [{ "a.b/c": ["/dev/../etc/shadow"] }, 'devices["a.b/c"][0]: must be an absolute path'],
    [{ "a.b/c": ["/dev/x:/dev/y"] }, 'devices["a.b/c"][0]: must be an absolute path'],
    [{ "a.b/c": [{ id: "x", paths: [] }] }, 'devices["a.b/c"][0].paths: needs at least one device path'],
    [
      { "a.b/c": ["/dev/x"], "d.e/f": ["/dev/x"] },
      'devices["d.e/f"][0]: device /dev/x is already configured',
    ],
    [{ "a.b/c": "/dev/x" }, 'devices["a.b/c"]: must be a list of device paths'],
  ])("rejects %j", (config, message) => {
    const call = () => genericDevicesFromConfig(config as never);
    expect(call).toThrow(DeviceConfigError);
    expect(call).toThrow(message);
  });
});
