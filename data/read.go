package data

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkUTF8 returns a file:line error at the first invalid UTF-8 sequence.
func checkUTF8(raw []byte, file string) error {
	if utf8.Valid(raw) {
		return nil
	}
	off := 0
	for off < len(raw) {
		r, n := utf8.DecodeRune(raw[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	line := 1 + bytes.Count(raw[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(raw[:off], '\n') + 1)
	return &RowError{File: file, Line: line, Msg: fmt.Sprintf("invalid UTF-8 at byte %d of the line (0x%02x)", col, raw[off])}
}

// lines reads a text file line by line with 1-based line numbers, without a
// length limit, dropping "\n", "\r\n" and a leading byte-order mark.
type lines struct {
	r    *bufio.Reader
	file string
	line int
	text string
	err  error
}

func newLines(r io.Reader, file string) *lines {
	return &lines{r: bufio.NewReaderSize(r, 64<<10), file: file}
}

// next advances to the next line; false at the end or on a read error (see
// err).
func (l *lines) next() bool {
	if l.err != nil {
		return false
	}
	s, err := l.r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		if !errors.Is(err, io.EOF) {
			l.err = fmt.Errorf("%s:%d: %w", l.file, l.line+1, err)
		}
		return false
	}
	l.line++
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	if l.line == 1 {
		s = strings.TrimPrefix(s, "\uFEFF")
	}
	l.text = s
	return true
}

// rowErr builds a RowError for the current line.
func (l *lines) rowErr(format string, a ...any) *RowError {
	return &RowError{File: l.file, Line: l.line, Msg: fmt.Sprintf(format, a...)}
}

// validLine reports an error when the current line is not valid UTF-8.
func (l *lines) validLine() *RowError {
	if utf8.ValidString(l.text) {
		return nil
	}
	e := checkUTF8([]byte(l.text), l.file).(*RowError)
	e.Line = l.line
	return e
}

// labelSpec turns the label strings of a file into class ids.
type labelSpec struct {
	values     []string // accepted values, in class-id order; nil = integers
	regression bool
}

// parse returns the class id (or 0 and the score for regression).
func (s labelSpec) parse(v string) (int, float32, error) {
	v = strings.TrimSpace(v)
	if s.regression {
		f, err := strconv.ParseFloat(v, 32)
		if err != nil || f != f || f > 3.4e38 || f < -3.4e38 {
			return 0, 0, fmt.Errorf("label %q is not a finite number", v)
		}
		return 0, float32(f), nil
	}
	if s.values != nil {
		for i, want := range s.values {
			if v == want {
				return i, 0, nil
			}
		}
		return 0, 0, fmt.Errorf("label %q: want one of %q", v, s.values)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, 0, fmt.Errorf("label %q is not a class index (0, 1, ...); name the classes with Columns.Labels to use strings", v)
	}
	return n, 0, nil
}
