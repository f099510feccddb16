package i18n

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"testing/fstest"
)

func TestEveryMessageExistsInEveryLanguage(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, lang := range Langs {
		for _, id := range b.IDs(lang) {
			all[id] = true
		}
	}
	if len(all) == 0 {
		t.Fatal("no messages")
	}
	for _, lang := range Langs {
		for id := range all {
			if !slices.Contains(b.IDs(lang), id) {
				t.Errorf("message %q has no %s text", id, lang)
			}
		}
	}
}

func TestTranslatesWithDataAndPlurals(t *testing.T) {
	fsys := fstest.MapFS{
		"l/a.fr.yaml": {Data: []byte("Hello: Bonjour {{.Name}}\nSites:\n  one: \"{{.Count}} site\"\n  other: \"{{.Count}} sites\"\nPlain: Texte\nOnlyFr: Seul\n")},
		"l/a.en.yaml": {Data: []byte("Hello: Hello {{.Name}}\nSites:\n  one: \"{{.Count}} site\"\n  other: \"{{.Count}} sites\"\nPlain: Text\n")},
	}
	b, err := parse(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang, id string
		data     any
		want     string
	}{
		{"fr", "Hello", map[string]any{"Name": "Ana"}, "Bonjour Ana"},
		{"en", "Hello", map[string]any{"Name": "Ana"}, "Hello Ana"},
		{"en", "Sites", map[string]any{"Count": 1}, "1 site"},
		{"en", "Sites", map[string]any{"Count": 3}, "3 sites"},
		{"fr", "Missing", nil, "Missing"},
		{"fr", "Plain", nil, "Texte"},
		{"en", "Plain", map[string]any{"Count": 3}, "Text"},
		{"de", "Plain", nil, "Texte"},   // an unknown language reads the default
		{"en", "OnlyFr", nil, "OnlyFr"}, // a message missing in a language shows its id
	} {
		if got := b.T(c.lang, c.id, c.data); got != c.want {
			t.Errorf("T(%s, %s) = %q, want %q", c.lang, c.id, got, c.want)
		}
	}
}

func TestABrokenFileFailsTheBoot(t *testing.T) {
	for name, data := range map[string]string{
		"l/a.fr.yaml": "Hello: [unclosed\n",
		"l/a.de.yaml": "Hello: Hallo\n",
	} {
		if _, err := parse(fstest.MapFS{name: {Data: []byte(data)}}, "l"); err == nil {
			t.Errorf("%s parsed without error", name)
		}
	}
}

// The server, its status pages and its messages share one parsed bundle,
// which goroutines translate with at once.
func TestTheEmbeddedFilesAreParsedOnceAndSharedSafely(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("New parsed the embedded files again instead of sharing the bundle")
	}
	ids := a.IDs("en")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(ids); i += 4 {
				if got := a.T("en", ids[i], map[string]any{"Count": i}); got == "" {
					t.Errorf("%s: empty text", ids[i])
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkBundleBytes is the heap the embedded message files take once
// parsed: go test -run XXX -bench BundleBytes -benchtime 1x ./internal/i18n/
func BenchmarkBundleBytes(b *testing.B) {
	var held float64
	var n int
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		bundle, err := parse(locales, "locales")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		held += float64(after.HeapAlloc - before.HeapAlloc)
		n = len(bundle.IDs("fr")) + len(bundle.IDs("en"))
		runtime.KeepAlive(bundle)
	}
	b.ReportMetric(held/float64(b.N)/(1<<20), "MiB")
	b.ReportMetric(held/float64(b.N)/float64(n), "B/message")
}
