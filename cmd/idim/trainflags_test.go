package main

import (
	"flag"
	"io"
	"slices"
	"testing"

	"github.com/idim-go/idim/train"
)

// TestTrainFlags: --weight-decay 0 turns decay off (not the default), -1
// keeps the default, and --snapshots parses update numbers or names the bad one.
func TestTrainFlags(t *testing.T) {
	parse := func(args ...string) (train.Config, error) {
		var f trainFlags
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		f.register(fs, train.MethodFull)
		if err := fs.Parse(append([]string{"--out", "x"}, args...)); err != nil {
			return train.Config{}, err
		}
		c, err := f.config(train.MethodFull)
		if err != nil {
			return c, err
		}
		return c.Resolve()
	}
	c, err := parse("--weight-decay", "0")
	if err != nil || c.WeightDecay != 0 || !c.NoWeightDecay {
		t.Errorf("--weight-decay 0: %g (off %v), %v", c.WeightDecay, c.NoWeightDecay, err)
	}
	c, err = parse()
	if err != nil || c.WeightDecay != train.Defaults(train.MethodFull).WeightDecay {
		t.Errorf("default weight decay: %g, %v", c.WeightDecay, err)
	}
	c, err = parse("--snapshots", "5, 10,40")
	if err != nil || !slices.Equal(c.SnapshotSteps, []int{5, 10, 40}) {
		t.Errorf("--snapshots: %v, %v", c.SnapshotSteps, err)
	}
	for _, bad := range []string{"0", "x", "5,,6", "-3"} {
		if _, err := parse("--snapshots", bad); err == nil {
			t.Errorf("--snapshots %q: no error", bad)
		}
	}
}
