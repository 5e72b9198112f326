// Command plotloss draws loss-versus-step curves from idim metrics.jsonl
// files (the "train" lines' loss and the "eval" lines' dev loss) as a PNG:
//
//	go run ./internal/tools/plotloss -o models/idim-tiny-loss.png -title "idim-tiny MLM" RUN/metrics.jsonl
//
// Several files give several curves, labelled by -labels (comma-separated)
// or by their directory names.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func main() {
	out := flag.String("o", "loss.png", "output PNG")
	title := flag.String("title", "training loss", "plot title")
	labels := flag.String("labels", "", "comma-separated curve labels (default: directory names)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: plotloss [-o out.png] [-title T] metrics.jsonl ...")
		os.Exit(2)
	}
	if err := run(*out, *title, strings.Split(*labels, ","), flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "plotloss:", err)
		os.Exit(1)
	}
}

func run(out, title string, labels, files []string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "update step"
	p.Y.Label.Text = "loss (cross entropy, nats)"
	p.Add(plotter.NewGrid())
	palette := []color.Color{color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{214, 39, 40, 255}}
	for i, f := range files {
		train, dev, err := read(f)
		if err != nil {
			return err
		}
		name := filepath.Base(filepath.Dir(f))
		if i < len(labels) && labels[i] != "" {
			name = labels[i]
		}
		c := palette[i%len(palette)]
		if len(train) > 0 {
			l, err := plotter.NewLine(train)
			if err != nil {
				return err
			}
			l.Color = c
			p.Add(l)
			p.Legend.Add(name+" train", l)
		}
		if len(dev) > 0 {
			l, s, err := plotter.NewLinePoints(dev)
			if err != nil {
				return err
			}
			l.Color, l.Dashes = c, []vg.Length{vg.Points(4), vg.Points(2)}
			s.Color = c
			p.Add(l, s)
			p.Legend.Add(name+" held-out", l, s)
		}
	}
	p.Legend.Top = true
	return p.Save(8*vg.Inch, 5*vg.Inch, out)
}

// read returns (step, loss) of the train lines and (step, dev loss) of the
// eval lines.
func read(path string) (train, dev plotter.XYs, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		step, _ := rec["step"].(float64)
		switch rec["kind"] {
		case "train":
			if v, ok := rec["loss"].(float64); ok {
				train = append(train, plotter.XY{X: step, Y: v})
			}
		case "eval":
			if v, ok := rec["dev_loss"].(float64); ok {
				dev = append(dev, plotter.XY{X: step, Y: v})
			}
		}
	}
	return train, dev, sc.Err()
}
