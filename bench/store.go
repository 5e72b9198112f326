package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// Store is an append-only results file: one JSON Record a line, each write
// fsynced. Records are indexed by Key.
type Store struct {
	path string
	mu   sync.Mutex
	f    *os.File
	recs []Record
	byKy map[string]int
	// Warnings lists the lines that could not be read (truncated or corrupt),
	// by line number; their runs count as not done.
	Warnings []string
}

// ReadRecords reads a results file: the records in order, and a warning for
// each line that is not a valid record (a truncated last line after a kill,
// for instance). A missing file is an empty list.
func ReadRecords(path string) ([]Record, []string, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return parseRecords(path, b)
}

func parseRecords(path string, b []byte) ([]Record, []string, error) {
	var recs []Record
	var warn []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(t, &r); err != nil || r.Key == "" {
			if err == nil {
				err = fmt.Errorf("no key")
			}
			warn = append(warn, fmt.Sprintf("%s:%d: ignored (%v); that run will be redone", path, line, err))
			continue
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, warn, nil
}

// OpenStore opens (creating if needed) the results file at path and reads
// what it holds. When the file does not end in a newline (a write cut
// short), the next append starts a new line, so the broken line stays on
// its own and is ignored.
func OpenStore(path string) (*Store, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	recs, warn, err := parseRecords(path, b)
	if err != nil {
		f.Close()
		return nil, err
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	s := &Store{path: path, f: f, byKy: map[string]int{}, Warnings: warn}
	for _, r := range recs {
		s.index(r)
	}
	return s, nil
}

func (s *Store) index(r Record) {
	if i, ok := s.byKy[r.Key]; ok {
		s.recs[i] = r // a later line for the same key wins (a redone run)
		return
	}
	s.byKy[r.Key] = len(s.recs)
	s.recs = append(s.recs, r)
}

// Path is the file's path.
func (s *Store) Path() string { return s.path }

// Get returns the record of key.
func (s *Store) Get(key string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byKy[key]
	if !ok {
		return Record{}, false
	}
	return s.recs[i], true
}

// Records returns a copy of every record, one per key, in file order.
func (s *Store) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Record(nil), s.recs...)
}

// Append writes r as one line and fsyncs the file before returning.
func (s *Store) Append(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Write(b); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.index(r)
	return nil
}

// Close closes the file.
func (s *Store) Close() error { return s.f.Close() }
