package status

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

type fakeSource struct {
	fp    string
	loads int
	in    Input
}

func (s *fakeSource) Fingerprint(context.Context) (string, error) { return s.fp, nil }
func (s *fakeSource) Load(context.Context) (*Input, error) {
	s.loads++
	in := s.in
	return &in, nil
}

// fakeBuild and fakeRender make a one-file site naming the version, the
// time and the customer, enough to see what the Publisher rebuilt.
func fakeBuild(in *Input, customer string) *Page {
	return &Page{Version: in.Version, Generated: in.Now, Name: customer}
}

func fakeRender(p *Page) (*Site, error) {
	s := NewSite(p.Version, p.Generated)
	s.Add(File{Path: "/", ContentType: "text/html", Body: []byte(p.Version + " " + p.Generated.Format(time.RFC3339) + " " + p.Name)})
	return s, nil
}

func TestPublisherRebuildsOnlyOnChange(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 12, 6, 22, 50, 0, 0, time.UTC) // 23:50 in Paris
	src := &fakeSource{fp: "a", in: Input{Zone: paris}}
	p := NewPublisher(PublisherOptions{Source: src, Build: fakeBuild, Render: fakeRender, Now: func() time.Time { return now }})
	ctx := context.Background()
	if p.Site() != nil {
		t.Fatal("a site before the first refresh")
	}
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first := p.Site()
	changed := p.Changed()
	now = now.Add(5 * time.Minute) // same day in Paris: nothing to do
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Site() != first || src.loads != 1 {
		t.Fatalf("rebuilt without a change (loads %d)", src.loads)
	}
	select {
	case <-changed:
		t.Fatal("changed closed without a change")
	default:
	}

	src.fp = "b"
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Site() == first || src.loads != 2 || p.Site().Version == first.Version {
		t.Fatalf("a store change was not picked up (loads %d)", src.loads)
	}
	select {
	case <-changed:
	default:
		t.Fatal("changed not closed after a change")
	}
	if f := p.Site().Files[""]; f == nil || f.ETag == "" {
		t.Fatalf("site not sealed: %+v", f)
	}

	// Midnight in Paris moves the bars: a rebuild from the same input.
	second := p.Site()
	now = now.Add(10 * time.Minute)
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Site() == second || src.loads != 2 {
		t.Fatalf("the new day did not rebuild from the kept input (loads %d)", src.loads)
	}
}

func TestWriteDirReplacesItsOwnFilesOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "robots.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	s1 := NewSite("1", time.Time{})
	s1.Add(File{Path: "", Body: []byte("home")}, File{Path: "incidents/1/", Body: []byte("one")}, File{Path: "api/v2/status.json", Body: []byte("{}")})
	if err := WriteDir(s1, dir); err != nil {
		t.Fatal(err)
	}
	s2 := NewSite("2", time.Time{})
	s2.Add(File{Path: "", Body: []byte("home 2")}, File{Path: "api/v2/status.json", Body: []byte("{}")})
	if err := WriteDir(s2, dir); err != nil {
		t.Fatal(err)
	}
	var got []string
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	if strings.Join(got, " ") != ".vigie-mirror api/v2/status.json index.html robots.txt" {
		t.Errorf("files after two exports: %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(b) != "home 2" {
		t.Errorf("index.html = %q", b)
	}
	bad := NewSite("3", time.Time{})
	bad.Add(File{Path: "../escape", Body: []byte("x")})
	if err := WriteDir(bad, dir); err == nil || !strings.Contains(err.Error(), "unsafe path") {
		t.Errorf("unsafe path: %v", err)
	}
}
