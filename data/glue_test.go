package data

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes name -> content into a new directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Fixtures in each task's real layout (a few rows each).
var glueFixtures = map[string]map[string]string{
	"mrpc": {
		// The GLUE MRPC files start with a byte-order mark.
		"train.tsv": "\uFEFFQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n" +
			"1\t702876\t702977\tAmrozi accused his brother .\tReferring to him as only \" the witness \" .\r\n" +
			"0\t2108705\t2108831\tYucaipa owned Dominick 's .\tYucaipa bought Dominick 's in 1995 .\r\n",
		"dev.tsv": "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tHe said .\tHe stated .\n",
		"test.tsv": "index\t#1 ID\t#2 ID\t#1 String\t#2 String\n0\t1089874\t1089925\tPCCW 's chief .\tCurrent Chief .\n" +
			"1\t3019446\t3019327\tThe world 's .\tSupport for .\n",
	},
	"cola": {
		"train.tsv": "gj04\t1\t\tOur friends won't buy this analysis.\ngj04\t0\t*\tOne more pseudo generalization.\n",
		"dev.tsv":   "gj04\t1\t\tThe sailors rode the breeze.\n",
		"test.tsv":  "index\tsentence\n0\tBill whistled past the house.\n",
	},
	"sst-2": {
		"train.tsv": "sentence\tlabel\nhide new secretions \t0\ncontains no wit \t0\nthat loves its characters \t1\n",
		"dev.tsv":   "sentence\tlabel\nit 's a charming journey . \t1\n",
		"test.tsv":  "index\tsentence\n0\tuneasy mishmash of styles .\n",
	},
	"qqp": {
		"train.tsv": "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n133273\t213221\t213222\tHow is air traffic controlled?\tHow do you become an air traffic controller?\t0\n",
		"dev.tsv":   "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\tWhy?\tWhy so?\t1\n",
		"test.tsv":  "id\tquestion1\tquestion2\n0\tWhat?\tWhich?\n",
	},
	"sts-b": {
		"train.tsv": "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n" +
			"0\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking off.\tAn air plane is taking off.\t5.000\n" +
			"1\tmain-captions\tMSRvid\t2012test\t0004\tnone\tnone\tA man is playing a flute.\tA man is playing a bamboo flute.\t3.800\n",
		"dev.tsv":  "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tg\tf\ty\t1\tn\tn\tA.\tB.\t0.5\n",
		"test.tsv": "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\n0\tg\tf\ty\t1\tn\tn\tA.\tB.\n",
	},
	"mnli": {
		"train.tsv": "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label\n" +
			"0\t31193\t31193n\tgovernment\t( x )\t( y )\t(ROOT x)\t(ROOT y)\tConceptually cream skimming has two dimensions.\tProduct and geography are what make cream skimming work.\tneutral\tneutral\n" +
			"1\t101457\t101457e\ttelephone\t( x )\t( y )\t(ROOT x)\t(ROOT y)\tyou know during the season\tYou lose the things.\tentailment\tentailment\n",
		"dev_matched.tsv": "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n" +
			"0\t1\t1c\tfiction\tx\ty\tx\ty\tThe new rights are nice.\tEveryone hates them.\tcontradiction\tcontradiction\tneutral\tcontradiction\tcontradiction\tcontradiction\n",
	},
	"qnli": {
		"train.tsv": "index\tquestion\tsentence\tlabel\n0\tWhen?\tIn 1990.\tentailment\n1\tWho?\tNobody knows why.\tnot_entailment\n",
		"dev.tsv":   "index\tquestion\tsentence\tlabel\n0\tWhat?\tThat.\tentailment\n",
	},
	"rte": {
		"train.tsv": "index\tsentence1\tsentence2\tlabel\n0\tNo weapons were found.\tWeapons were found.\tnot_entailment\n",
		"dev.tsv":   "index\tsentence1\tsentence2\tlabel\n0\tA is B.\tB is A.\tentailment\n",
	},
}

func TestLoadGLUE(t *testing.T) {
	type want struct {
		labels       int
		metric       string
		train        []Example // ID is not compared
		dev, test    int
		testLabelled bool
	}
	wants := map[string]want{
		"mrpc": {2, MetricAccuracy, []Example{
			{Text: "Amrozi accused his brother .", TextB: "Referring to him as only \" the witness \" .", Label: 1},
			{Text: "Yucaipa owned Dominick 's .", TextB: "Yucaipa bought Dominick 's in 1995 .", Label: 0}}, 1, 2, false},
		"cola": {2, MetricMCC, []Example{
			{Text: "Our friends won't buy this analysis.", Label: 1},
			{Text: "One more pseudo generalization.", Label: 0}}, 1, 1, false},
		"sst-2": {2, MetricAccuracy, []Example{
			{Text: "hide new secretions ", Label: 0}, {Text: "contains no wit ", Label: 0},
			{Text: "that loves its characters ", Label: 1}}, 1, 1, false},
		"qqp": {2, MetricAccuracy, []Example{{Text: "How is air traffic controlled?",
			TextB: "How do you become an air traffic controller?", Label: 0}}, 1, 1, false},
		"sts-b": {1, MetricPearson, []Example{
			{Text: "A plane is taking off.", TextB: "An air plane is taking off.", Score: 5},
			{Text: "A man is playing a flute.", TextB: "A man is playing a bamboo flute.", Score: 3.8}}, 1, 1, false},
		"mnli": {3, MetricAccuracy, []Example{
			{Text: "Conceptually cream skimming has two dimensions.", TextB: "Product and geography are what make cream skimming work.", Label: 1},
			{Text: "you know during the season", TextB: "You lose the things.", Label: 0}}, 1, 0, false},
		"qnli": {2, MetricAccuracy, []Example{
			{Text: "When?", TextB: "In 1990.", Label: 0}, {Text: "Who?", TextB: "Nobody knows why.", Label: 1}}, 1, 0, false},
		"rte": {2, MetricAccuracy, []Example{
			{Text: "No weapons were found.", TextB: "Weapons were found.", Label: 1}}, 1, 0, false},
	}
	for name, w := range wants {
		dir := writeFiles(t, glueFixtures[name])
		task, err := LoadGLUE(dir, strings.ToUpper(name), Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if task.NumLabels != w.labels || task.Metric != w.metric {
			t.Errorf("%s: %d labels, metric %s", name, task.NumLabels, task.Metric)
		}
		if len(task.Train) != len(w.train) || len(task.Dev) != w.dev || len(task.Test) != w.test {
			t.Errorf("%s: sizes %d/%d/%d", name, len(task.Train), len(task.Dev), len(task.Test))
			continue
		}
		for i, e := range task.Train {
			wantID := filepath.Join(dir, "train.tsv") + ":"
			if !strings.HasPrefix(e.ID, wantID) {
				t.Errorf("%s: ID %q", name, e.ID)
			}
			e.ID = ""
			if e != w.train[i] {
				t.Errorf("%s: train[%d] = %+v, want %+v", name, i, e, w.train[i])
			}
		}
		for _, e := range task.Test {
			if e.HasLabel() {
				t.Errorf("%s: test example labelled: %+v", name, e)
			}
		}
	}
	// MNLI dev_matched: the last column is gold_label; CoLA's first line is
	// data (line 1).
	task, _ := LoadGLUE(writeFiles(t, glueFixtures["mnli"]), "mnli", Options{})
	if task.Dev[0].Label != 2 {
		t.Errorf("MNLI dev label %d, want 2 (contradiction)", task.Dev[0].Label)
	}
	task, _ = LoadGLUE(writeFiles(t, glueFixtures["cola"]), "cola", Options{})
	if !strings.HasSuffix(task.Train[0].ID, "train.tsv:1") || !strings.HasSuffix(task.Test[0].ID, "test.tsv:2") {
		t.Errorf("CoLA IDs %q %q", task.Train[0].ID, task.Test[0].ID)
	}
	if _, err := LoadGLUE(t.TempDir(), "boolq", Options{}); err == nil || !strings.Contains(err.Error(), "mrpc") {
		t.Errorf("unknown task: %v", err)
	}
}

func TestLoadGLUEBad(t *testing.T) {
	mrpcHead := "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
	cases := []struct {
		task, train, want string
	}{
		{"mrpc", "", "train.tsv: empty file"},
		{"mrpc", mrpcHead, "train.tsv: no data rows"},
		{"mrpc", mrpcHead + "1\t1\t2\ta\tb\n0\t1\t2\ta\n", "train.tsv:3: 4 fields, the header has 5 (ragged row)"},
		{"mrpc", mrpcHead + "1\t1\t2\ta\tb\n2\t1\t2\ta\tb\n", "train.tsv:3: column \"Quality\": label \"2\""},
		{"mrpc", mrpcHead + "1\t1\t2\ta\xffz\tb\n", "train.tsv:2: invalid UTF-8"},
		{"mrpc", "Quality\t#1 ID\t#2 ID\t#1 String\n", "train.tsv:1: no \"#2 String\" column"},
		{"qnli", "index\tquestion\tsentence\tlabel\n0\ta\tb\tneutral\n", "train.tsv:2: column \"label\": label \"neutral\": want one of [\"entailment\" \"not_entailment\"]"},
		{"sts-b", "index\tsentence1\tsentence2\tscore\n0\ta\tb\thigh\n", "train.tsv:2: column \"score\": label \"high\" is not a finite number"},
		{"cola", "gj04\t1\t\tfine.\ngj04\tx\t\tbad label.\n", "train.tsv:2: column \"label\""},
		{"cola", "gj04\t1\tfine.\n", "train.tsv:1: 3 fields, the header has 4"},
	}
	for _, c := range cases {
		dir := writeFiles(t, map[string]string{"train.tsv": c.train, "dev.tsv": glueFixtures[c.task]["dev.tsv"]})
		_, err := LoadGLUE(dir, c.task, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q:\n err  %v\n want %q", c.task, c.train, err, c.want)
		}
	}
	// A missing dev file is an error; a missing test file is not.
	dir := writeFiles(t, map[string]string{"train.tsv": glueFixtures["rte"]["train.tsv"]})
	if _, err := LoadGLUE(dir, "rte", Options{}); err == nil || !strings.Contains(err.Error(), "dev.tsv") {
		t.Errorf("missing dev.tsv: %v", err)
	}
	// SkipBadRows keeps the good rows and counts the bad ones.
	dir = writeFiles(t, map[string]string{
		"train.tsv": mrpcHead + "1\t1\t2\ta\tb\n0\t1\t2\ta\n7\t1\t2\ta\tb\n0\t1\t2\tc\td\n",
		"dev.tsv":   glueFixtures["mrpc"]["dev.tsv"],
	})
	task, err := LoadGLUE(dir, "mrpc", Options{SkipBadRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(task.Train) != 2 || task.Report.Skipped != 2 || task.Report.Rows != 5 || task.Report.Kept != 3 {
		t.Errorf("SkipBadRows: %d train, report %+v", len(task.Train), task.Report)
	}
	if len(task.Report.Problems) != 2 || !strings.Contains(task.Report.Problems[0], "train.tsv:3:") || !strings.Contains(task.Report.Problems[1], "train.tsv:4:") {
		t.Errorf("problems %q", task.Report.Problems)
	}
}
