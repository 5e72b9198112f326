#!/bin/sh
# gen.sh compiles every shaders/*.comp to shaders/spv/*.spv with glslc
# (Vulkan 1.2 target, optimised, no debug info (glslc emits none without -g): the output depends only on
# the sources and the glslc version) and validates each with spirv-val.
# Run from the vulkan directory by `go generate`.
set -eu
cd "$(dirname "$0")"
mkdir -p spv
rm -f spv/*.spv
for f in *.comp; do
	out="spv/${f%.comp}.spv"
	glslc --target-env=vulkan1.2 -O -o "$out" "$f"
	spirv-val --target-env vulkan1.2 "$out"
done
