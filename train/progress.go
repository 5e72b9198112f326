package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// metricsLog appends JSON lines to Out/metrics.jsonl (nothing without Out).
type metricsLog struct {
	f *os.File
	w *bufio.Writer
}

// openMetrics opens path for appending; with keepUpTo >= 0 it first drops
// the lines of steps after keepUpTo (a resumed run rewrites them).
func openMetrics(path string, keepUpTo int) (*metricsLog, error) {
	if path == "" {
		return &metricsLog{}, nil
	}
	if keepUpTo >= 0 {
		if old, err := os.ReadFile(path); err == nil {
			var kept bytes.Buffer
			for _, line := range bytes.SplitAfter(old, []byte("\n")) {
				var rec struct {
					Step *int `json:"step"`
				}
				if len(bytes.TrimSpace(line)) == 0 || !bytes.HasSuffix(line, []byte("\n")) {
					continue
				}
				if json.Unmarshal(line, &rec) == nil && rec.Step != nil && *rec.Step > keepUpTo {
					continue
				}
				kept.Write(line)
			}
			if err := writeAtomic(path, kept.Bytes()); err != nil {
				return nil, err
			}
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: metrics: %w", err)
	}
	return &metricsLog{f: f, w: bufio.NewWriter(f)}, nil
}

func (m *metricsLog) write(rec map[string]any) {
	if m == nil || m.w == nil {
		return
	}
	rec["time"] = time.Now().UTC().Format(time.RFC3339Nano)
	for k, v := range rec {
		if f, ok := v.(float64); ok && !finite(f) {
			rec[k] = fmt.Sprint(f) // JSON has no NaN/Inf
		}
	}
	b, _ := json.Marshal(rec)
	m.w.Write(append(b, '\n'))
}

// sync flushes and fsyncs (at evaluations and checkpoints).
func (m *metricsLog) sync() {
	if m == nil || m.w == nil {
		return
	}
	m.w.Flush()
	m.f.Sync()
}

func (m *metricsLog) close() {
	if m == nil || m.f == nil {
		return
	}
	m.sync()
	m.f.Close()
}

// progress draws a one-line bar on a terminal and plain lines otherwise.
type progress struct {
	w        io.Writer
	tty      bool
	start    time.Time
	first    int
	total    int
	t0       int64
	lastDraw time.Time
	every    int
	drawn    bool
}

func newProgress(w io.Writer, every int) *progress {
	p := &progress{w: w, every: max(every, 1)}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) printf(format string, a ...any) {
	if p == nil || p.w == nil {
		return
	}
	if p.drawn {
		fmt.Fprint(p.w, "\n")
		p.drawn = false
	}
	fmt.Fprintf(p.w, format, a...)
}

func (p *progress) begin(step, total int) {
	if p == nil {
		return
	}
	p.start, p.first, p.total, p.t0 = time.Now(), step, total, -1
}

func (p *progress) update(step int, loss, lr float64, tokens int64) {
	if p == nil || p.w == nil {
		return
	}
	if p.t0 < 0 {
		p.t0 = tokens
	}
	now := time.Now()
	el := now.Sub(p.start).Seconds()
	tps := float64(tokens-p.t0) / max(el, 1e-9)
	done := step - p.first
	eta := "?"
	if done > 0 {
		eta = fmtDur(time.Duration(el / float64(done) * float64(p.total-step) * float64(time.Second)))
	}
	if p.tty {
		if now.Sub(p.lastDraw) < 200*time.Millisecond && step != p.total {
			return
		}
		p.lastDraw = now
		const width = 24
		fill := int(math.Round(width * float64(step) / float64(max(p.total, 1))))
		bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
		fmt.Fprintf(p.w, "\r[%s] %d/%d loss %.4f lr %.2e %.0f tok/s ETA %s  ", bar, step, p.total, loss, lr, tps, eta)
		p.drawn = true
		return
	}
	if step%p.every == 0 || step == p.total {
		fmt.Fprintf(p.w, "step %d/%d loss %.4f lr %.2e %.0f tok/s ETA %s\n", step, p.total, loss, lr, tps, eta)
	}
}

func (p *progress) eval(step int, metric string, v float64, best bool) {
	mark := ""
	if best {
		mark = " (best)"
	}
	p.printf("eval step %d: dev %s %.4f%s\n", step, metric, v, mark)
}

func (p *progress) end() {
	if p != nil && p.drawn {
		fmt.Fprint(p.w, "\n")
		p.drawn = false
	}
}

func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

func timeSince(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return time.Since(t).Seconds()
}
