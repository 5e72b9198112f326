package data

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
)

//go:embed tasks/sentiment-uci/amazon.json tasks/sentiment-uci/imdb.json tasks/sentiment-uci/yelp.json
//go:embed tasks/kjv-web/kjv_web_pairs.tsv.gz
var shipped embed.FS

// SentimentSeed is the default seed of the "sentiment" task's split.
const SentimentSeed = 20150810

// Sentiment split fractions: 70% train, 10% dev, 20% test of every
// (source, class) stratum.
const (
	sentimentDev  = 0.10
	sentimentTest = 0.20
)

// SentimentSources are the three files of the UCI data set, in load order.
var SentimentSources = []string{"amazon", "imdb", "yelp"}

// loadSentiment reads the three embedded UCI files: [{"text": ..., "class":
// 0|1|null}]. Rows whose class is null are skipped and counted; a repeated
// sentence (same source, same text) is dropped and counted as a duplicate.
// The split is stratified by (source, class).
func loadSentiment(seed uint64, opts Options) (*Task, error) {
	t := &Task{Name: "sentiment", NumLabels: 2, LabelNames: []string{"negative", "positive"}, Metric: MetricAccuracy}
	var strata [][]Example
	for _, src := range SentimentSources {
		name := "tasks/sentiment-uci/" + src + ".json"
		raw, err := shipped.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("data: sentiment: %w", err)
		}
		ex, rep, err := parseSentimentJSON(raw, src+".json", src, opts)
		if err != nil {
			return nil, err
		}
		t.Report.add(rep)
		var neg, pos []Example
		for _, e := range ex {
			if e.Label == 0 {
				neg = append(neg, e)
			} else {
				pos = append(pos, e)
			}
		}
		strata = append(strata, neg, pos)
	}
	t.Train, t.Dev, t.Test = splitStrata(strata, sentimentDev, sentimentTest, seed)
	return t, nil
}

// parseSentimentJSON decodes one UCI file. Null classes are always skipped
// (that is how the data set marks an unusable row); other bad rows are errors
// unless opts.SkipBadRows.
func parseSentimentJSON(raw []byte, file, src string, opts Options) ([]Example, LoadReport, error) {
	var rep LoadReport
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, rep, fmt.Errorf("%s: empty file", file)
	}
	if err := checkUTF8(raw, file); err != nil {
		// encoding/json would silently turn invalid bytes into U+FFFD.
		return nil, rep, err
	}
	var rows []struct {
		Text  *string         `json:"text"`
		Class json.RawMessage `json:"class"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, rep, fmt.Errorf("%s: %v", file, err)
	}
	seen := map[string]bool{}
	var out []Example
	for i, r := range rows {
		rep.Rows++
		// The files are one-line JSON arrays: errors name the element.
		at := func(msg string) string { return fmt.Sprintf("%s: element %d: %s", file, i, msg) }
		bad := func(msg string) error {
			if opts.SkipBadRows {
				rep.skip(at(msg))
				return nil
			}
			return errors.New(at(msg))
		}
		cls := string(bytes.TrimSpace(r.Class))
		var label int
		switch cls {
		case "", "null":
			// The UCI files mark their unusable rows with a null class.
			rep.skip(at("class is null, row skipped"))
			continue
		case "0", "1":
			label = int(cls[0] - '0')
		default:
			if err := bad(fmt.Sprintf("class %s: want 0, 1 or null", cls)); err != nil {
				return nil, rep, err
			}
			continue
		}
		if r.Text == nil || *r.Text == "" {
			if err := bad("missing or empty \"text\""); err != nil {
				return nil, rep, err
			}
			continue
		}
		if seen[*r.Text] {
			rep.Duplicates++
			continue
		}
		seen[*r.Text] = true
		out = append(out, Example{ID: fmt.Sprintf("%s:%d", src, i), Text: *r.Text, Label: label})
	}
	rep.Kept = len(out)
	if len(out) == 0 {
		return nil, rep, fmt.Errorf("%s: no usable rows", file)
	}
	return out, rep, nil
}
