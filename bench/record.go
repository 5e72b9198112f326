package bench

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Run kinds.
const (
	KindBaseline = "baseline" // full fine-tuning
	KindSubspace = "subspace" // DID or SAID at one d
)

// Spec is one training run a sweep asks for.
type Spec struct {
	Kind      string  `json:"kind"`
	Method    string  `json:"method"`
	Projector string  `json:"projector,omitempty"`
	D         int     `json:"d,omitempty"`
	LR        float64 `json:"lr"`
	Seed      uint64  `json:"seed"`
	// LRGrid is the grid value LR was scaled from when the sweep scales
	// learning rates with d (Config.LRRef); 0 otherwise.
	LRGrid float64 `json:"lr_grid,omitempty"`
}

// gridLR is the learning-rate grid value of s.
func (s Spec) gridLR() float64 {
	if s.LRGrid != 0 {
		return s.LRGrid
	}
	return s.LR
}

func (s Spec) String() string {
	if s.Kind == KindBaseline {
		return fmt.Sprintf("baseline %s lr=%g seed=%d", s.Method, s.LR, s.Seed)
	}
	return fmt.Sprintf("%s/%s d=%d lr=%g seed=%d", s.Method, s.Projector, s.D, s.LR, s.Seed)
}

// Identity is what a run's result depends on besides its Spec: the model
// (name and content hash), the task (name and split seed) and the training
// hyperparameters of the spec's method, as a canonical string.
type Identity struct {
	Model     string `json:"model"`
	ModelHash string `json:"model_hash"`
	Task      string `json:"task"`
	Hyper     string `json:"hyper"`
}

// Key is the hex SHA-256 of the identity and spec: the name of a run in
// results.jsonl and in the baseline cache.
func Key(id Identity, s Spec) string {
	b, _ := json.Marshal(struct {
		I Identity `json:"i"`
		S Spec     `json:"s"`
	}{id, s})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16])
}

// Score is a float64 that encodes NaN as JSON null.
type Score float64

// MarshalJSON writes null for NaN and infinities.
func (s Score) MarshalJSON() ([]byte, error) {
	f := float64(s)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (s *Score) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*s = Score(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("score %q: %w", b, err)
	}
	*s = Score(f)
	return nil
}

// Outcome is what a run produced. Scores are the task's main metric at the
// best dev evaluation (NaN when not measured). Failed runs (diverged: a NaN
// or infinite loss) carry the reason in Error.
type Outcome struct {
	Dev       Score   `json:"dev"`
	Test      Score   `json:"test"`
	Train     Score   `json:"train"`
	Failed    bool    `json:"failed,omitempty"`
	Error     string  `json:"error,omitempty"`
	Trainable int     `json:"trainable,omitempty"`
	AllParams int64   `json:"all_params,omitempty"`
	TrainSize int     `json:"train_size,omitempty"`
	Steps     int     `json:"steps,omitempty"`
	Seconds   float64 `json:"seconds"`
}

// Record is one line of results.jsonl.
type Record struct {
	Key      string   `json:"key"`
	Identity Identity `json:"identity"`
	Spec     Spec     `json:"spec"`
	Outcome
	// Phase is grid or bisect (subspace runs), baseline otherwise.
	Phase string `json:"phase,omitempty"`
	Shard string `json:"shard,omitempty"`
	Time  string `json:"time,omitempty"`
}

// ok reports whether the record has a usable dev score.
func (r *Record) ok() bool {
	return !r.Failed && !math.IsNaN(float64(r.Dev)) && !math.IsInf(float64(r.Dev), 0)
}

func compactJSON(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := json.Compact(&buf, b)
	return buf.Bytes(), err
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
