package checkpoint

import "fmt"

// DType is the element type of a stored tensor, named as safetensors names
// it. The zero value is F32.
type DType uint8

// The dtypes of the safetensors format. Only F32, F16, BF16 and F64 convert
// to float32; the others can be read as raw bytes ([File.Bytes]).
const (
	F32 DType = iota
	F16
	BF16
	F64
	BOOL
	U8
	I8
	F8E5M2
	F8E4M3
	F8E8M0
	I16
	U16
	I32
	U32
	I64
	U64
	C64
	F4
	F6E2M3
	F6E3M2
	numDTypes
)

var dtypeNames = [numDTypes]string{
	F32: "F32", F16: "F16", BF16: "BF16", F64: "F64",
	BOOL: "BOOL", U8: "U8", I8: "I8",
	F8E5M2: "F8_E5M2", F8E4M3: "F8_E4M3", F8E8M0: "F8_E8M0",
	I16: "I16", U16: "U16", I32: "I32", U32: "U32", I64: "I64", U64: "U64",
	C64: "C64", F4: "F4", F6E2M3: "F6_E2M3", F6E3M2: "F6_E3M2",
}

// Bits per element.
var dtypeBits = [numDTypes]int{
	F32: 32, F16: 16, BF16: 16, F64: 64,
	BOOL: 8, U8: 8, I8: 8,
	F8E5M2: 8, F8E4M3: 8, F8E8M0: 8,
	I16: 16, U16: 16, I32: 32, U32: 32, I64: 64, U64: 64,
	C64: 64, F4: 4, F6E2M3: 6, F6E3M2: 6,
}

// String returns the safetensors name, for example "BF16".
func (d DType) String() string {
	if d < numDTypes {
		return dtypeNames[d]
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Bits is the size of one element in bits (4 and 6 for the packed
// sub-byte types).
func (d DType) Bits() int {
	if d < numDTypes {
		return dtypeBits[d]
	}
	return 0
}

// IsFloat reports whether tensors of this dtype convert to float32 in
// [File.Tensor] and [File.ReadInto].
func (d DType) IsFloat() bool { return d == F32 || d == F16 || d == BF16 || d == F64 }

// ParseDType returns the dtype with the given safetensors name.
func ParseDType(s string) (DType, error) {
	for i, n := range dtypeNames {
		if n == s {
			return DType(i), nil
		}
	}
	return 0, fmt.Errorf("unknown dtype %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (d DType) MarshalText() ([]byte, error) {
	if d >= numDTypes {
		return nil, fmt.Errorf("checkpoint: invalid dtype %d", uint8(d))
	}
	return []byte(dtypeNames[d]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *DType) UnmarshalText(b []byte) error {
	v, err := ParseDType(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
