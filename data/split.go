package data

import (
	"fmt"
	"math"
	"slices"
)

// Split divides examples into train, dev and test, stratified by label: each
// class is shuffled (seeded) and cut so that round(n*devFrac) of its examples
// go to dev, round(n*testFrac) to test and the rest to train. Regression
// examples (all Label 0) form one stratum, unlabelled ones another. Each split is shuffled again so the
// classes are interleaved. The input is not modified.
func Split(ex []Example, devFrac, testFrac float64, seed uint64) (train, dev, test []Example, err error) {
	if !(devFrac >= 0 && testFrac >= 0 && devFrac+testFrac <= 1) {
		return nil, nil, nil, fmt.Errorf("data: split fractions dev %v, test %v: need dev, test >= 0 and dev+test <= 1", devFrac, testFrac)
	}
	byLabel := map[int][]Example{}
	var order []int
	for _, e := range ex {
		l := e.Label
		if _, ok := byLabel[l]; !ok {
			order = append(order, l)
		}
		byLabel[l] = append(byLabel[l], e)
	}
	// Strata in label order, so the result does not depend on map order.
	slices.Sort(order)
	strata := make([][]Example, len(order))
	for i, l := range order {
		strata[i] = byLabel[l]
	}
	train, dev, test = splitStrata(strata, devFrac, testFrac, seed)
	return train, dev, test, nil
}

// splitStrata cuts each stratum by the fractions after a seeded shuffle, then
// shuffles each split.
func splitStrata(strata [][]Example, devFrac, testFrac float64, seed uint64) (train, dev, test []Example) {
	for s, st := range strata {
		st = append([]Example(nil), st...)
		r := newRNG(seed, 0x5711, uint64(s))
		r.shuffle(len(st), func(i, j int) { st[i], st[j] = st[j], st[i] })
		nd := int(math.Round(float64(len(st)) * devFrac))
		nt := int(math.Round(float64(len(st)) * testFrac))
		if nd+nt > len(st) {
			nt = len(st) - nd
		}
		dev = append(dev, st[:nd]...)
		test = append(test, st[nd:nd+nt]...)
		train = append(train, st[nd+nt:]...)
	}
	for k, part := range [][]Example{train, dev, test} {
		r := newRNG(seed, 0x5712, uint64(k))
		r.shuffle(len(part), func(i, j int) { part[i], part[j] = part[j], part[i] })
	}
	return train, dev, test
}
