package status

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
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
	in.Name = s.fp // what the stores hold shows on the page
	return &in, nil
}

// fakeBuild and fakeRender make a one-file site naming the version, the
// time and the customer, enough to see what the Publisher rebuilt.
func fakeBuild(in *Input, customer string) *Page {
	p := &Page{Generated: in.Now, Name: in.Name + " " + customer, Zone: in.Zone}
	// The bars move at midnight in the page's zone.
	p.Components = []Component{{ID: "c", Days: []Day{{Date: dayStart(in.Now, in.Zone, 0)}}}}
	return p
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

// countingParts builds and renders customers' pages, counting how often.
type countingParts struct {
	mu     sync.Mutex
	builds map[string]int
	parts  map[Part]int
}

func (c *countingParts) build(in *Input, customer string) *Page {
	c.mu.Lock()
	c.builds[customer]++
	c.mu.Unlock()
	return &Page{Generated: in.Now, Name: in.Name}
}

func (c *countingParts) render(p *Page, part Part) ([]File, error) {
	c.mu.Lock()
	c.parts[part]++
	c.mu.Unlock()
	path := map[Part]string{PartHTML: "", PartAPI: "api/v2/summary.json", PartAPIEnglish: "en/api/v2/summary.json",
		PartFeeds: "feed.atom", PartCalendar: "maintenance.ics"}[part]
	who := "everyone"
	if p.Customer != nil {
		who = p.Customer.ID
	}
	return []File{{Path: path, Body: []byte(who + " " + p.Version)}}, nil
}

func TestCustomersSitesAreBuiltOncePerChangeAPartAtATime(t *testing.T) {
	ctx := context.Background()
	tokens, tok := customersWithTokens(t, "c1", "c2", "c3")
	c := &countingParts{builds: map[string]int{}, parts: map[Part]int{}}
	src := &fakeSource{fp: "a", in: Input{Zone: time.UTC}}
	p := NewPublisher(PublisherOptions{Source: src, Tokens: tokens, Build: c.build, RenderPart: c.render, MaxCustomers: 2,
		Render: func(pg *Page) (*Site, error) { return fakeRender(pg) }})
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// A crowd asks for c1's feed at once: one build, one feed rendering,
	// no page rendered.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			f, _, ok, err := p.CustomerFile(ctx, tok["c1"], "feed.atom")
			if err != nil || !ok || f == nil || !strings.HasPrefix(string(f.Body), "c1 ") || f.ETag == "" {
				t.Errorf("c1's feed: %+v %v %v", f, ok, err)
			}
		})
	}
	wg.Wait()
	if c.builds["c1"] != 1 || c.parts[PartFeeds] != 1 || c.parts[PartHTML] != 0 {
		t.Fatalf("builds %v, parts %v", c.builds, c.parts)
	}
	if f, _, _, _ := p.CustomerFile(ctx, tok["c1"], ""); f == nil || c.builds["c1"] != 1 || c.parts[PartHTML] != 1 {
		t.Fatalf("c1's home: %+v, builds %v, parts %v", f, c.builds, c.parts)
	}
	if f, _, ok, _ := p.CustomerFile(ctx, tok["c1"], "nowhere.txt"); f != nil || !ok {
		t.Errorf("a missing document: %+v %v", f, ok)
	}
	if _, _, ok, _ := p.CustomerFile(ctx, "vst_nobody", "feed.atom"); ok {
		t.Error("an unknown token was served")
	}
	// Three customers in a cache of two: each is served, none twice built
	// while it stays.
	for _, id := range []string{"c2", "c2", "c3"} {
		if f, _, _, err := p.CustomerFile(ctx, tok[id], "feed.atom"); err != nil || f == nil || !strings.HasPrefix(string(f.Body), id+" ") {
			t.Fatalf("%s's feed: %+v %v", id, f, err)
		}
	}
	if len(p.cust) > 2 || c.builds["c2"] != 1 {
		t.Errorf("cache of %d entries, c2 built %d times", len(p.cust), c.builds["c2"])
	}
	// A change: built again on next request, with the new version.
	v1, _, _ := p.CustomerVersion(ctx, tok["c1"])
	before := c.builds["c1"]
	src.fp = "b"
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f, _, _, _ := p.CustomerFile(ctx, tok["c1"], "feed.atom")
	v2, _, _ := p.CustomerVersion(ctx, tok["c1"])
	if c.builds["c1"] != before+1 || v1 == v2 || f == nil || !strings.HasSuffix(string(f.Body), v2) {
		t.Errorf("after a change: builds %v, versions %s → %s, feed %q", c.builds, v1, v2, f.Body)
	}
}

func TestAChangeThePublicDoesNotSeeMovesNoVersion(t *testing.T) {
	src := &fakeSource{fp: "a", in: Input{Zone: time.UTC}}
	builds := 0
	p := NewPublisher(PublisherOptions{Source: src, Render: fakeRender, Now: func() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) },
		Build: func(in *Input, customer string) *Page {
			builds++
			return &Page{Generated: in.Now, Name: "the same public page"}
		}})
	ctx := context.Background()
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first := p.Site()
	src.fp = "b" // say, an internal note
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if builds != 2 || src.loads != 2 {
		t.Fatalf("the change was not looked at: %d builds, %d loads", builds, src.loads)
	}
	if p.Site() != first {
		t.Errorf("a change the public does not see gave a new site: %s → %s", first.Version, p.Site().Version)
	}
}

func TestAFailedMirrorWriteIsTriedAgain(t *testing.T) {
	dir := t.TempDir()
	mirror := filepath.Join(dir, "mirror")
	// A file where the mirror's directory should be: the write fails.
	if err := os.WriteFile(mirror, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{fp: "a", in: Input{Zone: time.UTC}}
	p := NewPublisher(PublisherOptions{Source: src, Build: fakeBuild, Render: fakeRender, Mirror: mirror,
		Now: func() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }})
	ctx := context.Background()
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(mirror); err != nil {
		t.Fatal(err)
	}
	// Nothing changed in the stores, yet the next refresh writes it.
	if err := p.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(mirror, "index.html"))
	if err != nil || string(b) != string(p.Site().Files[""].Body) {
		t.Fatalf("the mirror was not written again: %v %q", err, b)
	}
}
