package main

import (
	"fmt"
	"io"

	// Linking the vulkan package registers the device names "vulkan",
	// "vulkan:llvmpipe", "vulkan:<index>" with autograd, so --device and
	// IDIM_DEVICE can name them: the real device in a binary built with
	// -tags vulkan, else (or without a driver) the CPU with one log line.
	"github.com/idim-go/idim/vulkan"
)

// printVulkanDevices writes one line per Vulkan device the loader reports
// (or why there are none) for `idim devices`.
func printVulkanDevices(w io.Writer) {
	infos, err := vulkan.Describe()
	if err != nil {
		fmt.Fprintln(w, err) // the error names the vulkan package already
		return
	}
	if len(infos) == 0 {
		fmt.Fprintln(w, "vulkan: the loader reports no devices")
	}
	for _, i := range infos {
		fmt.Fprintln(w, i)
		if i.Usable {
			fmt.Fprintf(w, "  kernels: %v\n", i.Kernels)
		}
	}
}
