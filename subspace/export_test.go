package subspace

// ProcessCPUSeconds lets the external benchmarks read the process CPU time.
var ProcessCPUSeconds = processCPUSeconds
