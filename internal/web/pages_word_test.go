package web

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/incident"
)

// The console says an incident's status and severity in the reader's
// language, and a value without a word as the API says it.
func TestWordsAreSaidInTheReadersLanguage(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fr := pageLocale{b: b, lang: "fr", zone: time.UTC}
	en := pageLocale{b: b, lang: "en", zone: time.UTC}
	for _, c := range []struct {
		l     pageLocale
		kind  string
		value any
		want  string
	}{
		{fr, "Status", incident.Investigating, "enquête en cours"},
		{fr, "Severity", incident.Critical, "critique"},
		{en, "Status", incident.Monitoring, "monitoring"},
		{fr, "Status", "something-new", "something-new"},
	} {
		if got := c.l.word(c.kind, c.value); got != c.want {
			t.Errorf("%s %s %v: %q, want %q", c.l.lang, c.kind, c.value, got, c.want)
		}
	}
	// Every status and severity has its word in both languages.
	for _, lang := range i18n.Langs {
		l := pageLocale{b: b, lang: lang, zone: time.UTC}
		for _, s := range []incident.Status{incident.Investigating, incident.Identified, incident.Monitoring, incident.Resolved, incident.Merged} {
			if id := "WordStatus_" + string(s); l.t(id) == id {
				t.Errorf("%s: no word for status %s", lang, s)
			}
		}
		for _, s := range incident.Severities() {
			if id := "WordSeverity_" + string(s); l.t(id) == id {
				t.Errorf("%s: no word for severity %s", lang, s)
			}
		}
	}
}
