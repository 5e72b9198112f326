package train

import (
	"fmt"
	"math"
)

// DivergedError reports a NaN or infinite quantity: training stopped at
// Step (1-based update number) because Quantity ("loss", "gradient norm",
// "dev loss") was Value. Sweeps test for it with errors.As and record the
// run as failed.
type DivergedError struct {
	Step     int
	Quantity string
	Value    float64
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("train: diverged at step %d: %s is %v (try a lower learning rate or clipping)", e.Step, e.Quantity, e.Value)
}

// InterruptedError is returned when the context is cancelled: the run
// stopped after update Step and, when it has a directory, saved a checkpoint
// in Checkpoint that Resume continues from. It unwraps to the context's
// error.
type InterruptedError struct {
	Step       int
	Checkpoint string
	Err        error
}

func (e *InterruptedError) Error() string {
	if e.Checkpoint == "" {
		return fmt.Sprintf("train: interrupted after step %d (%v); no run directory, nothing saved", e.Step, e.Err)
	}
	return fmt.Sprintf("train: interrupted after step %d (%v); checkpoint saved in %s", e.Step, e.Err, e.Checkpoint)
}

func (e *InterruptedError) Unwrap() error { return e.Err }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
