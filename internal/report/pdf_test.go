package report

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/i18n"
	"github.com/vigie/vigie/internal/status"
)

// pdfText returns the inflated content streams of a PDF, where its text
// lies in the fonts' cp1252 encoding.
func pdfText(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	re := regexp.MustCompile(`(?s)/Filter /FlateDecode[^>]*>>\s*stream\r?\n(.*?)\r?\nendstream`)
	for _, m := range re.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			t.Fatalf("inflate a stream: %v", err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("inflate a stream: %v", err)
		}
		out.Write(b)
	}
	return out.Bytes()
}

func cp1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func sampleMonthly(t *testing.T) *Monthly {
	t.Helper()
	paris, _ := time.LoadLocation("Europe/Paris")
	month := Month(2026, time.February, paris)
	tl := Fold(month, [][]Change{{{month.From.Add(-time.Hour), detect.Up},
		{time.Date(2026, 2, 10, 14, 0, 0, 0, paris), detect.Down}, {time.Date(2026, 2, 10, 14, 45, 0, 0, paris), detect.Up}}},
		[]Span{{time.Date(2026, 2, 18, 2, 0, 0, 0, paris), time.Date(2026, 2, 18, 3, 0, 0, 0, paris)}})
	resolved := time.Date(2026, 2, 10, 14, 45, 0, 0, paris)
	return &Monthly{Asset: "boulangerie-dupré.fr", Kind: "site", Month: month, Period: month, Zone: paris,
		Generated: time.Date(2026, 3, 2, 9, 30, 0, 0, paris), Total: tl.Sum(month), Days: tl.Days(paris),
		Incidents: []IncidentLine{{ID: 4, Name: status.Text{FR: "Panne : Hébergement mutualisé", EN: "Outage: Shared hosting"},
			Start: time.Date(2026, 2, 10, 14, 0, 0, 0, paris), End: &resolved, Duration: 45 * time.Minute}},
		Windows: []Window{{ID: "2", Title: "Mise à jour des hyperviseurs", Occurrence: Span{time.Date(2026, 2, 18, 2, 0, 0, 0, paris),
			time.Date(2026, 2, 18, 3, 0, 0, 0, paris)}, Announced: Span{time.Date(2026, 2, 18, 2, 0, 0, 0, paris),
			time.Date(2026, 2, 18, 3, 0, 0, 0, paris)}}},
	}
}

func TestThePDFReportIsDeterministicAndSpellsFrenchRight(t *testing.T) {
	texts, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	m := sampleMonthly(t)
	w := Words{Texts: texts, Lang: "fr", Zone: m.Zone}
	var a, b bytes.Buffer
	if err := m.PDF(&a, w, "Boulangerie Dupré"); err != nil {
		t.Fatal(err)
	}
	if err := m.PDF(&b, w, "Boulangerie Dupré"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-1.")) || !bytes.Contains(a.Bytes(), []byte("%%EOF")) {
		t.Fatalf("not a PDF: %q", a.Bytes()[:min(20, a.Len())])
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same report gave two different PDFs")
	}
	if !bytes.Contains(a.Bytes(), []byte("/CreationDate (D:20260302093000")) {
		t.Fatal("the creation date is not the report's own time")
	}
	text := pdfText(t, a.Bytes())
	// 40 320 min in February, 45 down and 60 left out: 1 − 45/40 260 = 99.888 %.
	for _, want := range []string{"Rapport de disponibilité", "boulangerie-dupré.fr — février 2026", "Client : Boulangerie Dupré",
		"Disponibilité du mois : 99,88\u00a0%", "Panne : Hébergement mutualisé", "Mise à jour des hyperviseurs",
		"18 février 2026, 02:00 CET", "Établi le 2 mars 2026, 09:30 CET", "Europe/Paris"} {
		if !bytes.Contains(text, cp1252(t, want)) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if bytes.Contains(text, []byte("Ã")) || bytes.Contains(text, []byte("?vrier")) {
		t.Error("accented letters are mangled")
	}
	var en bytes.Buffer
	if err := m.PDF(&en, Words{Texts: texts, Lang: "en", Zone: m.Zone}, "Boulangerie Dupré"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Availability report", "February 2026", "Outage: Shared hosting", "Availability of the month: 99.88%"} {
		if !bytes.Contains(pdfText(t, en.Bytes()), cp1252(t, want)) {
			t.Errorf("the English PDF lacks %q", want)
		}
	}
}
