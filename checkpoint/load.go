package checkpoint

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Param is a named parameter that Load fills from a checkpoint.
type Param struct {
	Name  string
	Shape []int     // the shape the model expects
	Data  []float32 // len(Data) == product of Shape; overwritten by Load
}

// Mismatch is a tensor whose stored shape differs from the expected one.
type Mismatch struct {
	Name string
	Want []int // the parameter's shape
	Got  []int // the checkpoint's
}

func (m Mismatch) String() string {
	return fmt.Sprintf("tensor %q: the checkpoint has shape %v, the model expects %v", m.Name, m.Got, m.Want)
}

// Report says how a checkpoint matched a set of parameters.
type Report struct {
	Loaded     []string   // filled from the checkpoint
	Missing    []string   // expected, absent from the checkpoint (left untouched)
	Unexpected []string   // in the checkpoint, not expected
	Mismatched []Mismatch // present with another shape
	NotFloat   []string   // present with a dtype that does not convert to float32
}

// Err is nil when every expected parameter was found with its shape;
// otherwise it lists the mismatches, non-float tensors and missing names.
// Unexpected tensors are not an error (a checkpoint often holds heads a
// model does not use).
func (r *Report) Err() error {
	var errs []error
	for _, m := range r.Mismatched {
		errs = append(errs, errors.New("checkpoint: "+m.String()))
	}
	for _, n := range r.NotFloat {
		errs = append(errs, fmt.Errorf("checkpoint: tensor %q: its dtype does not convert to float32", n))
	}
	if len(r.Missing) > 0 {
		errs = append(errs, fmt.Errorf("checkpoint: %d expected tensor(s) missing: %s", len(r.Missing), quoteList(r.Missing, 10)))
	}
	return errors.Join(errs...)
}

func quoteList(names []string, max int) string {
	s := ""
	for i, n := range names {
		if i == max {
			return s + fmt.Sprintf(", ... (%d more)", len(names)-max)
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", n)
	}
	return s
}

// Check compares the parameters with the checkpoint's tensors without
// reading any data. Names in every list are sorted.
func Check(src Source, params []Param) Report {
	var r Report
	want := make(map[string]bool, len(params))
	for _, p := range params {
		want[p.Name] = true
		info, ok := src.Info(p.Name)
		switch {
		case !ok:
			r.Missing = append(r.Missing, p.Name)
		case !slices.Equal(info.Shape, p.Shape):
			r.Mismatched = append(r.Mismatched, Mismatch{Name: p.Name, Want: slices.Clone(p.Shape), Got: info.Shape})
		case !info.DType.IsFloat():
			r.NotFloat = append(r.NotFloat, p.Name)
		default:
			r.Loaded = append(r.Loaded, p.Name)
		}
	}
	for _, n := range src.Names() {
		if !want[n] {
			r.Unexpected = append(r.Unexpected, n)
		}
	}
	slices.Sort(r.Loaded)
	slices.Sort(r.Missing)
	slices.SortFunc(r.Mismatched, func(a, b Mismatch) int { return cmp.Compare(a.Name, b.Name) })
	slices.Sort(r.NotFloat)
	return r
}

// Load fills each parameter's Data from the tensor of the same name,
// converting to float32. It first checks every parameter (Check): if any
// tensor has another shape or a non-float dtype, or a Param's Data does
// not match its Shape, or a name repeats, it loads nothing and returns an
// error naming each one. Missing parameters are left untouched and listed
// in the report; call Report.Err to insist on all of them.
func Load(src Source, params []Param) (Report, error) {
	seen := make(map[string]bool, len(params))
	var errs []error
	for _, p := range params {
		if seen[p.Name] {
			errs = append(errs, fmt.Errorf("checkpoint: parameter %q appears twice", p.Name))
		}
		seen[p.Name] = true
		n := 1
		for _, d := range p.Shape {
			n *= d
		}
		if len(p.Data) != n {
			errs = append(errs, fmt.Errorf("checkpoint: parameter %q: shape %v has %d elements, Data has %d", p.Name, p.Shape, n, len(p.Data)))
		}
	}
	r := Check(src, params)
	for _, m := range r.Mismatched {
		errs = append(errs, errors.New("checkpoint: "+m.String()))
	}
	for _, n := range r.NotFloat {
		info, _ := src.Info(n)
		errs = append(errs, fmt.Errorf("checkpoint: tensor %q: dtype %s does not convert to float32", n, info.DType))
	}
	if len(errs) > 0 {
		r.Loaded = nil
		return r, errors.Join(errs...)
	}
	byName := make(map[string]*Param, len(params))
	for i := range params {
		byName[params[i].Name] = &params[i]
	}
	for _, n := range r.Loaded {
		if err := src.ReadInto(n, byName[n].Data); err != nil {
			return r, err
		}
	}
	return r, nil
}
