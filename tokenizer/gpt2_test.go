package tokenizer

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var (
	gpt2Once sync.Once
	gpt2Tok  *Tokenizer
	gpt2Err  error
)

// gpt2 loads GPT-2's vocabulary and merges from testdata (see testdata/README.md).
func gpt2(t testing.TB) *Tokenizer {
	gpt2Once.Do(func() {
		gpt2Tok, gpt2Err = Load("testdata/gpt2/encoder.json", "testdata/gpt2/vocab.bpe")
	})
	if gpt2Err != nil {
		t.Fatal(gpt2Err)
	}
	return gpt2Tok
}

type testPlan struct {
	encoding, sample string
	encoded          []int
	line             int
}

// readTestPlans parses gpt-tokenizer's TestPlans.txt: blocks of
// "EncodingName: x", "Sample: text", "Encoded: [ids]" separated by blank lines.
func readTestPlans(t *testing.T) []testPlan {
	f, err := os.Open("testdata/gpt2/TestPlans.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var plans []testPlan
	var cur testPlan
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		switch {
		case s == "":
		case strings.HasPrefix(s, "EncodingName: "):
			cur = testPlan{encoding: strings.TrimPrefix(s, "EncodingName: "), line: line}
		case strings.HasPrefix(s, "Sample: "):
			cur.sample = strings.TrimPrefix(s, "Sample: ")
		case strings.HasPrefix(s, "Encoded: ["):
			body := strings.TrimSuffix(strings.TrimPrefix(s, "Encoded: ["), "]")
			cur.encoded = []int{}
			for _, f := range strings.Split(body, ",") {
				if f = strings.TrimSpace(f); f == "" {
					continue
				}
				n, err := strconv.Atoi(f)
				if err != nil {
					t.Fatalf("TestPlans.txt:%d: %v", line, err)
				}
				cur.encoded = append(cur.encoded, n)
			}
			plans = append(plans, cur)
		default:
			t.Fatalf("TestPlans.txt:%d: unexpected line %q", line, s)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return plans
}

// TestGPT2Plans reproduces every r50k_base (GPT-2) encoding of TestPlans.txt.
func TestGPT2Plans(t *testing.T) {
	tok := gpt2(t)
	checked := 0
	for _, p := range readTestPlans(t) {
		if p.encoding != "r50k_base" {
			continue
		}
		checked++
		got := tok.Encode(p.sample)
		if !slices.Equal(got, p.encoded) {
			t.Errorf("TestPlans.txt:%d: Encode(%q)\n got %v\nwant %v", p.line, p.sample, got, p.encoded)
		}
		if ord := tok.EncodeOrdinary(p.sample); !slices.Equal(ord, p.encoded) {
			t.Errorf("TestPlans.txt:%d: EncodeOrdinary(%q) = %v", p.line, p.sample, ord)
		}
		if back := tok.Decode(got, false); back != p.sample {
			t.Errorf("TestPlans.txt:%d: Decode = %q, want %q", p.line, back, p.sample)
		}
	}
	if checked != 64 {
		t.Fatalf("checked %d r50k_base blocks, want 64", checked)
	}
}
