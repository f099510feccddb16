package notify

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// updateGolden rewrites the golden files under testdata/ instead of comparing
// with them: go test ./internal/notify -run Golden -update.
var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// forms lists the rendered forms with the golden file each is kept in.
func forms(r Rendered) map[string]string {
	return map[string]string{
		"subject.txt": r.Subject + "\n", "text.txt": r.Text, "html.html": r.HTML,
		"short.txt": r.Short + "\n", "markdown.md": r.Markdown,
	}
}

// TestRenderingMatchesTheGoldenFiles compares every form of a
// representative set of messages with testdata/. Run with -update after
// a deliberate change, and read the diff.
func TestRenderingMatchesTheGoldenFiles(t *testing.T) {
	r := testRenderer(t)
	for name, m := range goldenMessages() {
		out, err := r.Render(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for form, body := range forms(out) {
			file := filepath.Join("testdata", "render", name, form)
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if string(want) != body {
				t.Errorf("%s differs from %s:\ngot:\n%s", name, file, body)
			}
		}
	}
}

// missing matches a message id left untranslated: the bundle returns the
// id itself when a message is missing.
var missing = regexp.MustCompile(`\b(Notify|Page|Status)[A-Z][A-Za-z]+`)

// TestEveryTopicAndEventRendersInBothLanguages renders every event of every
// topic, alone and for each kind of recipient, and checks that nothing is
// left untranslated, that the texts differ by language, and the bounds of
// the subject and the short form.
func TestEveryTopicAndEventRendersInBothLanguages(t *testing.T) {
	r := testRenderer(t)
	for _, it := range everyItem() {
		if it.Body == (Text{}) {
			it.Body = Text{FR: "Le point sur la situation.", EN: "Where things stand."}
		}
		for _, rc := range []Recipient{ana, oncall, public} {
			if rc.Kind == "channel" && it.Topic == TopicSiteProblem {
				continue
			}
			m := &Message{Key: "k", Recipient: rc, Items: []Item{it}, Unsubscribe: "https://status.example.net/u"}
			fr, err := r.RenderIn(m, "fr")
			if err != nil {
				t.Fatalf("%s/%s: %v", it.Topic, it.Event, err)
			}
			en, err := r.RenderIn(m, "en")
			if err != nil {
				t.Fatal(err)
			}
			for _, out := range []Rendered{fr, en} {
				for form, body := range forms(out) {
					if s := missing.FindString(body); s != "" {
						t.Errorf("%s/%s to %s in %s, %s: untranslated %q", it.Topic, it.Event, rc.Kind, out.Lang, form, s)
					}
				}
				if strings.Contains(out.Subject, "\n") || out.Subject == "" {
					t.Errorf("%s/%s: subject %q is not one line", it.Topic, it.Event, out.Subject)
				}
				if n := utf8.RuneCountInString(out.Short); n > ShortLimit {
					t.Errorf("%s/%s: short form has %d characters", it.Topic, it.Event, n)
				}
			}
			if fr.Subject == en.Subject || fr.Text == en.Text {
				t.Errorf("%s/%s: French and English are the same:\n%s", it.Topic, it.Event, fr.Text)
			}
		}
	}
}

// TestTheRecipientsLanguageAndZoneAreUsed checks that Render follows the
// recipient: Bob reads English with Toronto times, Ana French with Paris
// times, and a recipient with no language reads French.
func TestTheRecipientsLanguageAndZoneAreUsed(t *testing.T) {
	r := testRenderer(t)
	it := incidentItem("opened", "investigating", 0) // 13:05 UTC
	for _, c := range []struct {
		rc         Recipient
		lang, want string
	}{
		{ana, "fr", "12 mars 2026 à 14:05 (CET)"},
		{bob, "en", "12 Mar 2026 at 09:05 (EDT)"},
		{Recipient{Kind: "customer"}, "fr", "14:05 (CET)"},
		{Recipient{Kind: "customer", Lang: "en", Zone: "Nowhere/Atlantis"}, "en", "14:05 (CET)"},
	} {
		out, err := r.Render(&Message{Key: "k", Recipient: c.rc, Items: []Item{it}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Lang != c.lang || !strings.Contains(out.Text, c.want) {
			t.Errorf("%+v: got %s text\n%s\nwant %s and %q", c.rc, out.Lang, out.Text, c.lang, c.want)
		}
	}
}

// TestShortFormFitsAStatusWithItsLink feeds bodies and titles of every
// length and checks the bound, the whole link, and a cut on a word.
func TestShortFormFitsAStatusWithItsLink(t *testing.T) {
	r := testRenderer(t)
	word := "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "
	for _, n := range []int{0, 5, 8, 9, 10, 20, 100} {
		it := incidentItem("opened", "investigating", 0)
		it.Body = Text{FR: strings.Repeat(word, n)}
		it.Title = Text{FR: "Panne " + strings.Repeat("é", n*n)}
		out, err := r.Render(&Message{Key: "k", Recipient: public, Items: []Item{it}})
		if err != nil {
			t.Fatal(err)
		}
		if got := utf8.RuneCountInString(out.Short); got > ShortLimit {
			t.Errorf("%d words: %d characters", n, got)
		}
		if !strings.HasSuffix(out.Short, "\n\n"+it.Link) {
			t.Errorf("%d words: the link is not whole at the end:\n%s", n, out.Short)
		}
		if utf8.RuneCountInString(it.Body.FR)+utf8.RuneCountInString(it.Link)+60 > ShortLimit && n*n < 400 {
			if !strings.Contains(out.Short, "…") || strings.Contains(out.Short, "adipisci…") {
				t.Errorf("%d words: not cut on a word:\n%s", n, out.Short)
			}
		}
	}
	if got := cutOnWord("un deux trois quatre", 12); got != "un deux…" {
		t.Errorf("cutOnWord = %q", got)
	}
}

// TestPublicChannelsNameNoSiteNorCustomer renders messages carrying sites
// and a customer's name for a public channel.
func TestPublicChannelsNameNoSiteNorCustomer(t *testing.T) {
	r := testRenderer(t)
	items := append(everyItem()[:11], summaryItems()...)
	for _, it := range items {
		for _, lang := range []string{"fr", "en"} {
			rc := public
			rc.Name = "Ana Martin"
			out, err := r.RenderIn(&Message{Key: "k", Recipient: rc, Items: []Item{it}, Unsubscribe: "https://x.example/u"}, lang)
			if err != nil {
				t.Fatal(err)
			}
			for form, body := range forms(out) {
				for _, secret := range []string{"client.example", "Ana", "x.example/u"} {
					if strings.Contains(body, secret) {
						t.Errorf("%s/%s %s names %q:\n%s", it.Topic, it.Event, form, secret, body)
					}
				}
			}
		}
	}
	_, err := r.Render(&Message{Key: "k", Recipient: public, Items: []Item{siteProblemItem()}})
	if err == nil {
		t.Error("a site problem rendered for a public channel")
	}
}

// TestASummaryListsEveryIncidentOnce gathers a storm into one message.
func TestASummaryListsEveryIncidentOnce(t *testing.T) {
	r := testRenderer(t)
	items := summaryItems()
	items = append(items, incidentItem("identified", "identified", 5)) // incident 12 again
	out, err := r.Render(&Message{Key: "k", Recipient: bob, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Subject, "3 incidents affect your services") || !strings.Contains(out.Subject, "1 maintenance window") {
		t.Errorf("subject %q", out.Subject)
	}
	for _, want := range []string{"Outage: Shared hosting — identified", "Slowness: Database", "Outage: DNS — resolved", "https://status.example.net/incidents/13"} {
		for form, body := range forms(out) {
			if form != "subject.txt" && form != "short.txt" && !strings.Contains(body, want) {
				t.Errorf("%s lacks %q:\n%s", form, want, body)
			}
		}
	}
	if strings.Count(out.Text, "Outage: Shared hosting") != 1 {
		t.Errorf("incident 12 is listed more than once:\n%s", out.Text)
	}
}

// TestHTMLEscapesWhatItShows puts markup in every public field.
func TestHTMLEscapesWhatItShows(t *testing.T) {
	r := testRenderer(t)
	it := incidentItem("opened", "investigating", 0)
	it.Title = Text{FR: `<script>alert(1)</script>`}
	it.Body = Text{FR: "a <b>b</b> & *c*\n\nsecond paragraph"}
	it.Link = "javascript:alert(1)"
	out, err := r.Render(&Message{Key: "k", Recipient: ana, Items: []Item{it}})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>", "<b>b", `href="javascript`} {
		if strings.Contains(out.HTML, bad) {
			t.Errorf("HTML holds %q", bad)
		}
	}
	if !strings.Contains(out.HTML, "&lt;b&gt;b&lt;/b&gt; &amp; *c*</p>") || !strings.Contains(out.Markdown, `\*c\*`) {
		t.Errorf("escaping:\n%s\n%s", out.HTML, out.Markdown)
	}
	if _, err := NewRenderer(r.b, RenderOptions{}); err == nil {
		t.Error("a renderer without a public name was built")
	}
}
