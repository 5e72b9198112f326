package bench

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

var (
	colBlue  = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	colRed   = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	colGrey  = color.RGBA{R: 110, G: 110, B: 110, A: 255}
	colGreen = color.RGBA{R: 44, G: 160, B: 44, A: 255}
)

// logTicks marks powers of ten (and 2x, 5x between them) on a log axis.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var t []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			label := ""
			if m == 1 || hi/lo < 100 {
				label = fmt.Sprintf("%g", v)
			}
			t = append(t, plot.Tick{Value: v, Label: label})
		}
	}
	return t
}

// The size of every plot bench draws.
const (
	plotW = 6 * vg.Inch
	plotH = 4 * vg.Inch
)

// save writes p to every path (the format from the extension), each
// atomically. legendRight > 0 widens the image by that much and draws the
// legend there, beside the data area instead of over it.
func save(p *plot.Plot, legendRight vg.Length, paths ...string) error {
	for _, path := range paths {
		format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
		c, err := draw.NewFormattedCanvas(plotW+legendRight, plotH, format)
		if err != nil {
			return fmt.Errorf("bench: plot %s: %w", filepath.Base(path), err)
		}
		dc := draw.New(c)
		if legendRight > 0 {
			leg := p.Legend
			p.Legend = plot.NewLegend()
			p.Draw(draw.Crop(dc, 0, -legendRight, 0, 0))
			p.Legend = leg
			leg.Top, leg.Left = true, true
			// Level with the top of the data area, below the title.
			top := vg.Length(0)
			if p.Title.Text != "" {
				top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
			}
			leg.Draw(draw.Crop(dc, plotW, 0, 0, -top))
		} else {
			p.Draw(dc)
		}
		var b bytes.Buffer
		if _, err := c.WriteTo(&b); err != nil {
			return fmt.Errorf("bench: plot %s: %w", filepath.Base(path), err)
		}
		if err := writeFileAtomic(path, b.Bytes()); err != nil {
			return fmt.Errorf("bench: plot %s: %w", filepath.Base(path), err)
		}
	}
	return nil
}

// PlotSweep draws dev score (mean ± sd over seeds) and test score against
// d on a log axis, with the baseline, the threshold line and d90 marked.
// The legend goes where it hides the least (placeLegend), beside the data
// when every corner of it is crossed.
func PlotSweep(r Result, paths ...string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s on %s: %s (%s)", r.Model, r.Task, strings.ToUpper(r.Method), r.Projector)
	p.X.Label.Text = "subspace dimension d"
	p.Y.Label.Text = "score (mean over seeds)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	p.Legend.Padding = vg.Points(2)

	var dev, test plotter.XYs
	var errs plotter.YErrors
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range r.Points {
		x := float64(pt.D)
		lo, hi = math.Min(lo, x), math.Max(hi, x)
		if !math.IsNaN(float64(pt.Dev)) {
			dev = append(dev, plotter.XY{X: x, Y: float64(pt.Dev)})
			sd := float64(pt.DevStd)
			if math.IsNaN(sd) {
				sd = 0
			}
			errs = append(errs, struct{ Low, High float64 }{sd, sd})
		}
		if !math.IsNaN(float64(pt.Test)) {
			test = append(test, plotter.XY{X: x, Y: float64(pt.Test)})
		}
	}
	if lo > hi { // no points: the lines still need an x range
		lo, hi = 1, 10
	}
	// The horizontal lines span the padded range, which makes it the x
	// axis' range: the end points are drawn whole, not cut by the frame.
	pad := plot.Axis{Min: lo, Max: hi}
	padAxis(&pad, true)
	lo, hi = pad.Min, pad.Max

	var names []string
	var lines, points []plotter.XYs // what the legend should not hide
	if len(dev) > 0 {
		l, s, err := plotter.NewLinePoints(dev)
		if err != nil {
			return err
		}
		l.Color, s.Color = colBlue, colBlue
		p.Add(l, s)
		p.Legend.Add("dev", l, s)
		names, lines = append(names, "dev"), append(lines, dev)
		eb := &struct {
			plotter.XYs
			plotter.YErrors
		}{dev, errs}
		ye, err := plotter.NewYErrorBars(eb)
		if err == nil {
			ye.Color = colBlue
			p.Add(ye)
		}
	}
	if len(test) > 0 {
		s, err := plotter.NewScatter(test)
		if err != nil {
			return err
		}
		s.Color = colGrey
		s.Shape = draw.PlusGlyph{}
		p.Add(s)
		p.Legend.Add("test", s)
		names, points = append(names, "test"), append(points, test)
	}
	line := func(xy plotter.XYs, c color.Color, width vg.Length, dash bool, name string) {
		l, err := plotter.NewLine(xy)
		if err != nil {
			return
		}
		l.Color = c
		if width > 0 {
			l.Width = width
		}
		if dash {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(name, l)
		names, lines = append(names, name), append(lines, xy)
	}
	hline := func(y float64, c color.Color, dash bool, name string) {
		if !math.IsNaN(y) {
			line(plotter.XYs{{X: lo, Y: y}, {X: hi, Y: y}}, c, 0, dash, name)
		}
	}
	if !math.IsNaN(float64(r.Chance)) {
		hline(float64(r.Chance), colGrey, true, fmt.Sprintf("majority class (%.3f)", float64(r.Chance)))
	}
	hline(float64(r.Baseline), colGreen, false, fmt.Sprintf("full fine-tuning (dev %.3f)", float64(r.Baseline)))
	hline(float64(r.Threshold), colRed, true, fmt.Sprintf("%.0f%% of full (%.3f)", 100*r.Fraction, float64(r.Threshold)))
	if r.Found {
		ymin, ymax := math.Inf(1), math.Inf(-1)
		for _, v := range append(append(plotter.XYs{}, dev...), test...) {
			ymin, ymax = math.Min(ymin, v.Y), math.Max(ymax, v.Y)
		}
		ymin = math.Min(ymin, float64(r.Threshold))
		ymax = math.Max(ymax, float64(r.Baseline))
		line(plotter.XYs{{X: float64(r.D90), Y: ymin}, {X: float64(r.D90), Y: ymax}}, colRed, vg.Points(1.5), false, fmt.Sprintf("d90 = %d", r.D90))
	}
	padAxis(&p.Y, false)
	p.Add(plotter.NewGrid())
	return save(p, placeLegend(p, names, lines, points), paths...)
}

// Series is one line of a summary plot, or with Points its glyphs alone
// (bounds, which a line would present as values between them).
type Series struct {
	Name   string
	XY     plotter.XYs
	Points bool
}

// PlotLines draws series on a common plot (log x and/or log y when asked)
// and writes it to every path.
func PlotLines(title, xlabel, ylabel string, logX, logY bool, series []Series, paths ...string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	// 8 colours and 5 glyphs: the first 40 series differ in one or both
	// (with 5 of each, the sixth series looked like the first).
	cols := []color.Color{colBlue, colRed, colGreen, colGrey, color.RGBA{R: 148, G: 103, B: 189, A: 255},
		color.RGBA{R: 255, G: 127, B: 14, A: 255}, color.RGBA{R: 140, G: 86, B: 75, A: 255}, color.RGBA{R: 23, G: 190, B: 207, A: 255}}
	var names []string // of the series drawn, for placeLegend
	var lines, points []plotter.XYs
	for i, s := range series {
		if len(s.XY) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(s.XY)
		if err != nil {
			return err
		}
		l.Color, sc.Color = cols[i%len(cols)], cols[i%len(cols)]
		sc.Shape = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{}, draw.CrossGlyph{}}[i%5]
		names = append(names, s.Name)
		if s.Points {
			p.Add(sc)
			p.Legend.Add(s.Name, sc)
			points = append(points, s.XY)
			continue
		}
		p.Add(l, sc)
		p.Legend.Add(s.Name, l, sc)
		lines = append(lines, s.XY)
	}
	if len(names) == 0 {
		return fmt.Errorf("bench: plot %q: no data", title)
	}
	padAxis(&p.X, logX)
	padAxis(&p.Y, logY)
	p.Add(plotter.NewGrid())
	return save(p, placeLegend(p, names, lines, points), paths...)
}

// placeLegend puts p's legend (one entry per name) in the corner of the
// data area where it hides the least of the lines (polylines through their
// points) and the points (glyphs alone): a point under it costs 8, each of
// 15 samples inside a line segment 1. Ties keep
// the first of bottom-right (gonum's default here), top-right, top-left
// and bottom-left. When every corner hides something, it returns the width
// to add on the right for the legend to go beside the data (0 when a corner
// is free). The axes' ranges must be final.
func placeLegend(p *plot.Plot, names []string, lines, points []plotter.XYs) (outside vg.Length) {
	if len(names) == 0 {
		return 0
	}
	c := p.DataCanvas(draw.NewCanvas(new(recorder.Canvas), plotW, plotH))
	fx, fy := p.Transforms(&c)
	sty := p.Legend.TextStyle
	var w, entry vg.Length
	for _, n := range names {
		w = max(w, p.Legend.ThumbnailWidth+sty.Rectangle(" "+n).Max.X)
		entry = max(entry, sty.Rectangle(n).Max.Y)
	}
	h := vg.Length(len(names))*entry + vg.Length(len(names)-1)*p.Legend.Padding
	margin := vg.Points(4)                                                           // the glyphs' radius and the legend's offset from c
	corners := [][2]bool{{false, false}, {true, false}, {true, true}, {false, true}} // {top, left}
	all := append(lines[:len(lines):len(lines)], points...)                          // lines first: segments only for them
	best, bestCost := 0, math.Inf(1)
	for k, tl := range corners {
		r := vg.Rectangle{Min: vg.Point{X: c.Max.X - w, Y: c.Min.Y}, Max: vg.Point{X: c.Max.X, Y: c.Min.Y + h}}
		if tl[0] {
			r.Min.Y, r.Max.Y = c.Max.Y-h, c.Max.Y
		}
		if tl[1] {
			r.Min.X, r.Max.X = c.Min.X, c.Min.X+w
		}
		in := func(x, y vg.Length) bool {
			return x >= r.Min.X-margin && x <= r.Max.X+margin && y >= r.Min.Y-margin && y <= r.Max.Y+margin
		}
		cost := 0.0
		for si, xy := range all {
			for i, pt := range xy {
				x, y := fx(pt.X), fy(pt.Y)
				if in(x, y) {
					cost += 8
				}
				if i == 0 || si >= len(lines) { // no segment into a point of points
					continue
				}
				x0, y0 := fx(xy[i-1].X), fy(xy[i-1].Y)
				for j := 1; j < 16; j++ {
					t := vg.Length(j) / 16
					if in(x0+t*(x-x0), y0+t*(y-y0)) {
						cost++
					}
				}
			}
		}
		if cost < bestCost {
			best, bestCost = k, cost
		}
	}
	p.Legend.Top, p.Legend.Left = corners[best][0], corners[best][1]
	if bestCost > 0 {
		return w + margin + vg.Points(8)
	}
	return 0
}

// padAxis widens an axis' data range a little, so that markers on the
// smallest and largest values are drawn whole instead of cut by the frame
// (a factor of 1.3 on a log axis, 5% of the range on a linear one).
func padAxis(a *plot.Axis, log bool) {
	if log {
		a.Min, a.Max = a.Min/1.3, a.Max*1.3
		return
	}
	w := 0.05 * (a.Max - a.Min)
	if w == 0 {
		w = 0.05 * math.Max(math.Abs(a.Max), 1)
	}
	a.Min, a.Max = a.Min-w, a.Max+w
}
