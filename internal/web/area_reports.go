package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/report"
)

// areaReportLink is the page of an asset's report for the month of t.
func areaReportLink(asset string, t time.Time) string {
	return "/account/reports/" + url.PathEscape(asset) + "/" + t.Format("2006-01")
}

// areaMonthLink is one month's report of one asset.
type areaMonthLink struct {
	Label, Page, PDF string
	Current          bool
}

// areaReportRow is one asset with the months it has reports for.
type areaReportRow struct {
	Name, Kind string
	Months     []areaMonthLink
}

// areaReportsView is the list of reports.
type areaReportsView struct {
	Assets []areaReportRow
}

// areaReportZone is the zone the viewer's months are cut in: their customer
// account's.
func areaReportZone(v *viewer) *time.Location {
	if loc, err := time.LoadLocation(v.Customer.Timezone); err == nil && v.Customer.Timezone != "" {
		return loc
	}
	return v.Zone
}

func (h *area) listReports(w http.ResponseWriter, r *http.Request) {
	v, words := viewerOf(r), h.wordsOf(r)
	assets, err := h.reader.CustomerAssets(r.Context(), v.Customer.ID)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	zone := areaReportZone(v)
	now := h.now().In(zone)
	var view areaReportsView
	for _, a := range assets {
		row := areaReportRow{Name: a.Name, Kind: areaKindWords(words, a.Kind)}
		for k := range report.Months + 1 {
			m := time.Date(now.Year(), now.Month()-time.Month(k), 1, 0, 0, 0, 0, zone)
			link := areaReportLink(a.Name, m)
			row.Months = append(row.Months, areaMonthLink{Label: words.MonthName(m), Page: link, PDF: link + ".pdf", Current: k == 0})
		}
		view.Assets = append(view.Assets, row)
	}
	h.s.renderPage(w, r, http.StatusOK, "area_reports", words.T("AreaReportsTitle"), view)
}

// areaDayRow is one day of a report.
type areaDayRow struct {
	Day, Ratio, Down, Maintenance, Unknown string
	Class                                  string
}

// areaSpanRow is an incident or a window of a report.
type areaSpanRow struct {
	Link, Name, Start, End, Length string
}

// areaSpanTable is the incidents or the windows of a report; Last heads its
// last column.
type areaSpanTable struct {
	Last string
	Rows []areaSpanRow
}

// areaReportView is a monthly report as a printable page.
type areaReportView struct {
	Title, Asset, Month, Customer, Made, Zone, Partial string
	Total, Breakdown, Rule, PDF                        string
	Days                                               []areaDayRow
	Incidents, Windows                                 areaSpanTable
}

// showReport answers /account/reports/{asset}/{month}: the page of the
// month (2026-11), or its PDF (2026-11.pdf). An asset that is not the
// viewer's, or a month out of reach, is not found.
func (h *area) showReport(w http.ResponseWriter, r *http.Request) {
	a, err := h.load(r)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	month, pdf := strings.CutSuffix(r.PathValue("month"), ".pdf")
	zone := areaReportZone(a.v)
	from, err := time.ParseInLocation("2006-01", month, zone)
	asset, ok := a.asset(r.PathValue("asset"))
	if err != nil || !ok || !report.MonthAllowed(from, a.now, zone) {
		h.notFound(w, r)
		return
	}
	m, err := h.reader.Monthly(r.Context(), asset, a.page, from.Year(), from.Month(), zone, a.now)
	if err != nil {
		h.s.failPage(w, r, err)
		return
	}
	words := report.Words{Texts: h.texts, Lang: a.w.Lang, Zone: zone}
	if pdf {
		var b bytes.Buffer
		if err := m.PDF(&b, words, a.v.Customer.Name); err != nil {
			h.s.failPage(w, r, err)
			return
		}
		hdr := w.Header()
		hdr.Set("Content-Type", "application/pdf")
		hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, areaReportFile(asset.Name, month)))
		hdr.Set("Cache-Control", "private, no-cache")
		_, _ = w.Write(b.Bytes())
		return
	}
	h.s.renderPage(w, r, http.StatusOK, "area_report", words.T("AreaReportTitle")+" — "+asset.Name+" — "+words.MonthName(from),
		areaReportViewOf(words, &m, a.v.Customer.Name))
}

// areaReportFile is the name a report's PDF is saved under: the asset's name
// kept to letters, digits, dots and dashes.
func areaReportFile(asset, month string) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return r
		}
		return '_'
	}, asset)
	return "availability-" + name + "-" + month + ".pdf"
}

func areaReportViewOf(w report.Words, m *report.Monthly, customer string) areaReportView {
	v := areaReportView{Title: w.T("AreaReportTitle"), Asset: m.Asset, Month: w.MonthName(m.Month.From),
		Customer: w.T("AreaReportCustomer", "Name", customer), Made: w.T("AreaReportMade", "When", w.At(m.Generated)),
		Zone: w.T("AreaReportZone", "Zone", m.Zone.String()), Total: w.T("AreaReportTotal", "Value", w.Ratio(m.Total)),
		Breakdown: w.T("AreaReportBreakdown", "Down", report.Length(m.Total.Down, w.Lang),
			"Maintenance", report.Length(m.Total.Maintenance, w.Lang), "Unknown", report.Length(m.Total.Unknown, w.Lang)),
		Rule: w.T("AreaReportRule"), PDF: areaReportLink(m.Asset, m.Month.From.In(m.Zone)) + ".pdf",
		Incidents: areaSpanTable{Last: w.T("AreaReportLength")}, Windows: areaSpanTable{Last: w.T("AreaReportExcluded")}}
	if !m.Complete() {
		v.Partial = w.T("AreaReportPartial", "When", w.At(m.Period.To))
	}
	for _, d := range m.Days {
		class := ""
		if d.Down > 0 {
			class = "down"
		}
		v.Days = append(v.Days, areaDayRow{Day: w.Date(d.Date), Ratio: w.Ratio(d.Availability), Down: report.Length(d.Down, w.Lang),
			Maintenance: report.Length(d.Maintenance, w.Lang), Unknown: report.Length(d.Unknown, w.Lang), Class: class})
	}
	for _, in := range m.Incidents {
		end := w.T("AreaReportOngoing")
		if in.End != nil {
			end = w.At(*in.End)
		}
		v.Incidents.Rows = append(v.Incidents.Rows, areaSpanRow{Link: areaIncidentLink(in.ID), Name: areaText(w, in.Name), Start: w.At(in.Start),
			End: end, Length: report.Length(in.Duration, w.Lang)})
	}
	for _, win := range m.Windows {
		v.Windows.Rows = append(v.Windows.Rows, areaSpanRow{Link: areaMaintenanceLink(win.ID), Name: win.Name(w.Lang), Start: w.At(win.Occurrence.From),
			End: w.At(win.Occurrence.To), Length: w.Excluded(win, m.Period)})
	}
	return v
}
