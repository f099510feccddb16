package status

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/incident"
)

// atomFeed is the Atom a reader needs, in the Atom namespace.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Author  struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Entries []struct {
		ID        string `xml:"http://www.w3.org/2005/Atom id"`
		Title     string `xml:"http://www.w3.org/2005/Atom title"`
		Updated   string `xml:"http://www.w3.org/2005/Atom updated"`
		Published string `xml:"http://www.w3.org/2005/Atom published"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
		Summary string `xml:"http://www.w3.org/2005/Atom summary"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// rssFeed is the RSS 2.0 a reader needs.
type rssFeed struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		Language    string `xml:"language"`
		Items       []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  struct {
				ID        string `xml:",chardata"`
				Permalink string `xml:"isPermaLink,attr"`
			} `xml:"guid"`
			PubDate string `xml:"pubDate"`
			Content string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"item"`
	} `xml:"channel"`
}

func parseAtom(t *testing.T, body string) atomFeed {
	t.Helper()
	var f atomFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("atom: %v", err)
	}
	return f
}

func TestFeedsParseBackWithStableIDs(t *testing.T) {
	b := bundle(t)
	_, docs := render(t, fullInput(), "", b)
	// A later build, with one more staff update: the ids stay.
	later := fullInput()
	later.Now = fixedNow.Add(2 * time.Hour)
	later.Updates[41] = append(later.Updates[41], incident.PublicUpdate{ID: 9, IncidentID: 41, At: later.Now.Add(-time.Minute),
		Status: incident.Monitoring, MessageFR: "Corrigé.", MessageEN: "Fixed.", UpdatedAt: later.Now.Add(-time.Minute)})
	_, docs2 := render(t, later, "", b)
	want := []string{"tag:travaux.example.org,2026:incident/41", "tag:travaux.example.org,2026:maintenance/mw-mail",
		"tag:travaux.example.org,2026:maintenance/mw-kernel", "tag:travaux.example.org,2026:maintenance/mw-vps",
		"tag:travaux.example.org,2026:incident/38", "tag:travaux.example.org,2026:incident/37",
		"tag:travaux.example.org,2026:maintenance/mw-backup"}
	for _, lang := range Langs {
		path := "/" + FeedPath(lang, false)
		f := checkAtom(t, path, docs[path], lang)
		if got := entryIDs(f); !slices.Equal(got, want) {
			t.Errorf("%s: entries %v, want %v", path, got, want)
		}
		ids, ids2 := entryIDs(f), entryIDs(parseAtom(t, docs2[path]))
		slices.Sort(ids)
		slices.Sort(ids2)
		if !slices.Equal(ids, ids2) {
			t.Errorf("%s: ids changed between builds: %v then %v", path, ids, ids2)
		}
		checkRSS(t, "/"+FeedPath(lang, true), docs["/"+FeedPath(lang, true)], lang, f)
	}
}

func entryIDs(f atomFeed) []string {
	var out []string
	for _, e := range f.Entries {
		out = append(out, e.ID)
	}
	return out
}

// checkAtom checks the required elements of an Atom feed, its order and
// the first entries' contents, and returns it.
func checkAtom(t *testing.T, path, body string, lang Lang) atomFeed {
	t.Helper()
	f := parseAtom(t, body)
	if f.ID != "https://travaux.example.org/"+FeedPath(lang, false) || f.Title == "" || f.Author.Name != "Travaux Exemple" {
		t.Errorf("%s: id %q title %q author %q", path, f.ID, f.Title, f.Author.Name)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("%s: updated %q: %v", path, f.Updated, err)
	}
	var prev time.Time
	for k, e := range f.Entries {
		up, err := time.Parse(time.RFC3339, e.Updated)
		if e.ID == "" || e.Title == "" || err != nil || e.Link.Href == "" || e.Content.Type != "html" || e.Content.Body == "" {
			t.Errorf("%s: entry %d %+v (%v)", path, k, e, err)
		}
		if k > 0 && up.After(prev) {
			t.Errorf("%s: entry %d updated %v after the one before: want newest first", path, k, up)
		}
		prev = up
	}
	if len(f.Entries) < 2 {
		t.Fatalf("%s: %d entries", path, len(f.Entries))
	}
	first := f.Entries[0]
	if first.Link.Href != "https://travaux.example.org/"+IncidentPath(lang, 41) {
		t.Errorf("%s: link %q", path, first.Link.Href)
	}
	// The content is HTML: a staff text's markup-looking words are text.
	for what, html := range map[string]string{"content": first.Content.Body, "summary": first.Summary} {
		if !strings.Contains(html, "&lt;environ&gt; 30 minutes &amp; plus") || strings.Contains(html, "<environ>") {
			t.Errorf("%s: %s not escaped: %s", path, what, html)
		}
	}
	if lang == English && !strings.Contains(first.Content.Body, `<p lang="fr">`) {
		t.Errorf("%s: a French text in the English feed is not marked: %s", path, first.Content.Body)
	}
	if !strings.Contains(f.Entries[1].Title, map[Lang]string{French: "annulée", English: "Cancelled"}[lang]) {
		t.Errorf("%s: cancelled window titled %q", path, f.Entries[1].Title)
	}
	return f
}

// checkRSS checks an RSS feed against the Atom one of the same language.
func checkRSS(t *testing.T, path, body string, lang Lang, atom atomFeed) {
	t.Helper()
	var r rssFeed
	if err := xml.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if r.Version != "2.0" || r.Channel.Title != atom.Title || r.Channel.Language != string(lang) || len(r.Channel.Items) != len(atom.Entries) {
		t.Fatalf("%s: %+v", path, r.Channel)
	}
	for k, it := range r.Channel.Items {
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil || it.GUID.Permalink != "false" || it.Content == "" {
			t.Errorf("%s: item %d %+v (%v)", path, k, it, err)
		}
		if it.GUID.ID != atom.Entries[k].ID {
			t.Errorf("%s: item %d guid %q, want the Atom id %q", path, k, it.GUID.ID, atom.Entries[k].ID)
		}
	}
}

func TestFeedsHaveTheirContentTypes(t *testing.T) {
	b := bundle(t)
	files, err := FeedFiles(Build(fullInput(), "", b), b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"/feed.atom": "application/atom+xml; charset=utf-8", "/feed.rss": "application/rss+xml; charset=utf-8",
		"/en/feed.atom": "application/atom+xml; charset=utf-8", "/en/feed.rss": "application/rss+xml; charset=utf-8",
	}
	if len(files) != len(want) {
		t.Errorf("%d feeds, want %d", len(files), len(want))
	}
	for _, f := range files {
		if want[f.Path] != f.ContentType {
			t.Errorf("%s: %q, want %q", f.Path, f.ContentType, want[f.Path])
		}
	}
}
