package data

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// ParaphraseSeed is the default seed of the "paraphrase" task.
const ParaphraseSeed = 1611

// Sizes of the paraphrase splits (MRPC has 3,668 / 408 / 1,725); each split
// is half positives, half negatives.
const (
	ParaphraseTrain = 3700
	ParaphraseDev   = 400
	ParaphraseTest  = 1700
)

// Verse is one aligned row of the KJV-WEB file.
type Verse struct {
	Book           string
	Chapter, Verse int
	KJV, WEB       string
}

// Ref is the verse's reference, e.g. "Genesis 1:3".
func (v Verse) Ref() string { return fmt.Sprintf("%s %d:%d", v.Book, v.Chapter, v.Verse) }

// KJVWEB returns the embedded aligned verses (reference, King James Version
// text, World English Bible text) in canonical order.
func KJVWEB() ([]Verse, error) {
	const name = "tasks/kjv-web/kjv_web_pairs.tsv.gz"
	f, err := shipped.Open(name)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	var out []Verse
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		bad := func(msg string) error { return &RowError{File: "kjv_web_pairs.tsv", Line: line, Msg: msg} }
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			return nil, bad(fmt.Sprintf("%d fields, want 3 (reference, KJV, WEB)", len(f)))
		}
		sp := strings.LastIndexByte(f[0], ' ')
		cv := strings.SplitN(f[0][sp+1:], ":", 2)
		if sp <= 0 || len(cv) != 2 {
			return nil, bad(fmt.Sprintf("reference %q: want \"Book C:V\"", f[0]))
		}
		c, err1 := strconv.Atoi(cv[0])
		v, err2 := strconv.Atoi(cv[1])
		if err1 != nil || err2 != nil || f[1] == "" || f[2] == "" {
			return nil, bad(fmt.Sprintf("reference %q or empty text", f[0]))
		}
		out = append(out, Verse{Book: f[0][:sp], Chapter: c, Verse: v, KJV: f[1], WEB: f[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("data: %s: %w", name, err)
	}
	return out, nil
}

// normText folds case and drops everything but letters and digits, so texts
// that differ only in punctuation compare equal.
func normText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// ParaphraseBooks returns the books of each split (train, dev, test) for a
// seed (0 = ParaphraseSeed).
func ParaphraseBooks(seed uint64) (train, dev, test []string, err error) {
	if seed == 0 {
		seed = ParaphraseSeed
	}
	verses, err := KJVWEB()
	if err != nil {
		return nil, nil, nil, err
	}
	split := assignBooks(verses, seed)
	for _, b := range bookOrder(verses) {
		switch split[b] {
		case 0:
			train = append(train, b)
		case 1:
			dev = append(dev, b)
		default:
			test = append(test, b)
		}
	}
	return train, dev, test, nil
}

func bookOrder(verses []Verse) []string {
	var books []string
	for i, v := range verses {
		if i == 0 || v.Book != verses[i-1].Book {
			books = append(books, v.Book)
		}
	}
	return books
}

// assignBooks shuffles the books (seeded) and fills dev, then test, with
// whole books until each holds at least its share of the verses (the share of
// its examples in the task); the remaining books are train. Returns book ->
// split (0 train, 1 dev, 2 test).
func assignBooks(verses []Verse, seed uint64) map[string]int {
	books := bookOrder(verses)
	count := map[string]int{}
	for _, v := range verses {
		count[v.Book]++
	}
	r := newRNG(seed, 0xb00c)
	r.shuffle(len(books), func(i, j int) { books[i], books[j] = books[j], books[i] })
	total := float64(ParaphraseTrain + ParaphraseDev + ParaphraseTest)
	target := []int{0,
		int(float64(len(verses)) * ParaphraseDev / total),
		int(float64(len(verses)) * ParaphraseTest / total)}
	split := map[string]int{}
	have := make([]int, 3)
	cur := 1
	for _, b := range books {
		for cur < 3 && have[cur] >= target[cur] {
			cur++
		}
		s := cur
		if s == 3 {
			s = 0
		}
		split[b] = s
		have[s] += count[b]
	}
	return split
}

// loadParaphrase builds the KJV-WEB paraphrase task.
//
// Books are assigned to splits whole (assignBooks). In each split, anchor
// verses are drawn without replacement from the verses whose KJV and WEB texts
// differ (the 152 identical pairs are never used as anchors). Half of a
// split's examples are positives: an anchor's KJV and WEB texts (label 1).
// The other half are negatives (label 0): one side of the anchor against the
// other version of a partner verse from the same split; half of the negatives
// take a neighbouring verse of the same chapter as the partner (hard), the
// rest a random verse of another chapter (easy). A partner never shares a
// text with the anchor, and the pair is never the KJV and WEB of any one
// verse (comparing letters and digits, case folded), so a negative is never
// a true paraphrase. Which version is taken
// from the anchor, and which text is A, are seeded coin flips.
func loadParaphrase(seed uint64, opts Options) (*Task, error) {
	verses, err := KJVWEB()
	if err != nil {
		return nil, err
	}
	t := &Task{Name: "paraphrase", NumLabels: 2, LabelNames: []string{"not_paraphrase", "paraphrase"}, Metric: MetricAccuracy}
	t.Report.Rows = len(verses)
	norm := make([][2]string, len(verses))
	for i, v := range verses {
		norm[i] = [2]string{normText(v.KJV), normText(v.WEB)}
	}
	split := assignBooks(verses, seed)
	pools := make([][]int, 3)
	for i, v := range verses {
		pools[split[v.Book]] = append(pools[split[v.Book]], i)
	}
	// aligned holds every (KJV, WEB) pair of normalised texts: a repeated
	// verse elsewhere can make a cross pair a true paraphrase.
	aligned := make(map[[2]string]bool, len(norm))
	for _, p := range norm {
		aligned[p] = true
	}
	// negative reports whether anchor i's text (KJV if side is 0, else WEB)
	// against the other version of verse j is a valid negative: the verses
	// share no text and the pair is no verse's aligned pair.
	negative := func(i, j int, side uint64) bool {
		a, b := norm[i], norm[j]
		if i == j || a[0] == b[0] || a[1] == b[1] || a[0] == b[1] || a[1] == b[0] {
			return false
		}
		if side == 0 {
			return !aligned[[2]string{a[0], b[1]}]
		}
		return !aligned[[2]string{b[0], a[1]}]
	}
	sizes := []int{ParaphraseTrain, ParaphraseDev, ParaphraseTest}
	out := make([][]Example, 3)
	for s := range 3 {
		pool := pools[s]
		var anchors []int
		for _, i := range pool {
			if norm[i][0] != norm[i][1] {
				anchors = append(anchors, i)
			}
		}
		n := sizes[s]
		if len(anchors) < n {
			return nil, fmt.Errorf("data: paraphrase: split %d has %d usable verses, needs %d (seed %d)", s, len(anchors), n, seed)
		}
		r := newRNG(seed, 0xa7c4, uint64(s))
		r.shuffle(len(anchors), func(i, j int) { anchors[i], anchors[j] = anchors[j], anchors[i] })
		nPos := n / 2
		nHard := (n - nPos) / 2
		ex := make([]Example, 0, n)
		for k := range n {
			a := anchors[k]
			side := r.next() & 1
			partner := a
			switch {
			case k < nPos:
			case k < nPos+nHard:
				partner = -1
				var near []int
				for _, j := range []int{a - 1, a + 1} {
					if j >= 0 && j < len(verses) && verses[j].Book == verses[a].Book &&
						verses[j].Chapter == verses[a].Chapter && negative(a, j, side) {
						near = append(near, j)
					}
				}
				if len(near) > 0 {
					partner = near[r.intn(len(near))]
				}
			default:
				partner = -1
			}
			for partner < 0 {
				j := pool[r.intn(len(pool))]
				if (verses[j].Book != verses[a].Book || verses[j].Chapter != verses[a].Chapter) && negative(a, j, side) {
					partner = j
				}
			}
			va, vp := verses[a], verses[partner]
			x, y := va.KJV, vp.WEB
			if side == 1 {
				x, y = va.WEB, vp.KJV
			}
			if r.next()&1 == 1 {
				x, y = y, x
			}
			e := Example{ID: va.Ref(), Text: x, TextB: y, Label: 1}
			if partner != a {
				e.ID += "|" + vp.Ref()
				e.Label = 0
			}
			ex = append(ex, e)
		}
		r.shuffle(len(ex), func(i, j int) { ex[i], ex[j] = ex[j], ex[i] })
		out[s] = ex
	}
	t.Train, t.Dev, t.Test = out[0], out[1], out[2]
	t.Report.Kept = len(t.Train) + len(t.Dev) + len(t.Test)
	return t, nil
}
