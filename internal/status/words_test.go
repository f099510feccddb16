package status

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/i18n"
)

func TestWordsWriteAsThePageDoes(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	montreal, _ := time.LoadLocation("America/Montreal")
	fr, en := NewWords(b, French).In(paris), NewWords(b, English).In(montreal)
	at := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)

	if got, want := fr.At(at), "28 nov. 2026 à 02:00 (heure de Paris, UTC+1)"; got != want {
		t.Errorf("French At = %q, want %q", got, want)
	}
	if got, want := en.At(at), "27 Nov 2026 at 20:00 (Montreal time, UTC\u22125)"; got != want {
		t.Errorf("English At = %q, want %q", got, want)
	}
	if from, until := fr.Window(at, at.Add(time.Hour)); from != "28 nov. 2026 à 02:00" || until != "03:00 (heure de Paris, UTC+1)" {
		t.Errorf("French window = %q – %q", from, until)
	}
	if words, class := fr.Impact(IndicatorMajor); words != "Impact majeur" || class != "major" {
		t.Errorf("French major impact = %q, %q", words, class)
	}
	if got := en.IncidentStatus(Identified); got != "Identified" {
		t.Errorf("English identified = %q", got)
	}
	if got := fr.MaintenanceStatus(&Maintenance{Status: MaintenanceInProgress}); got != "En cours" {
		t.Errorf("French in progress = %q", got)
	}
	if s, lang, marker := en.Text(Text{FR: "Panne de courant"}); s != "Panne de courant" || lang != "fr" || marker != "(en français)" {
		t.Errorf("English of a French-only text = %q, %q, %q", s, lang, marker)
	}
	if s, lang, marker := fr.Text(Text{FR: "Panne", EN: "Outage"}); s != "Panne" || lang != "" || marker != "" {
		t.Errorf("French of a text in both = %q, %q, %q", s, lang, marker)
	}
	if got := fr.Label("PageYourSites"); got != "Vos sites concernés\u00a0:" {
		t.Errorf("French label = %q", got)
	}
}
