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

// reportLink is the page of an asset's report for the month of t.
func reportLink(asset string, t time.Time) string {
	return "/account/reports/" + url.PathEscape(asset) + "/" + t.Format("2006-01")
}

// monthLink is one month's report of one asset.
type monthLink struct {
	Label, Page, PDF string
	Current          bool
}

// reportRow is one asset with the months it has reports for.
type reportRow struct {
	Name, Kind string
	Months     []monthLink
}

// reportsView is the list of reports.
type reportsView struct {
	Assets []reportRow
}

// reportZone is the zone the viewer's months are cut in: their customer
// account's.
func reportZone(v *viewer) *time.Location {
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
	zone := reportZone(v)
	now := h.now().In(zone)
	var view reportsView
	for _, a := range assets {
		row := reportRow{Name: a.Name, Kind: kindWords(words, a.Kind)}
		for k := range report.Months + 1 {
			m := time.Date(now.Year(), now.Month()-time.Month(k), 1, 0, 0, 0, 0, zone)
			link := reportLink(a.Name, m)
			row.Months = append(row.Months, monthLink{Label: words.MonthName(m), Page: link, PDF: link + ".pdf", Current: k == 0})
		}
		view.Assets = append(view.Assets, row)
	}
	h.s.renderPage(w, r, http.StatusOK, "area_reports", words.T("AreaReportsTitle"), view)
}

// dayRow is one day of a report.
type dayRow struct {
	Day, Ratio, Down, Maintenance, Unknown string
	Class                                  string
}

// spanRow is an incident or a window of a report.
type spanRow struct {
	Link, Name, Start, End, Length string
}

// spanTable is the incidents or the windows of a report; Last heads its
// last column.
type spanTable struct {
	Last string
	Rows []spanRow
}

// reportView is a monthly report as a printable page.
type reportView struct {
	Title, Asset, Month, Customer, Made, Zone, Partial string
	Total, Breakdown, Rule, PDF                        string
	Days                                               []dayRow
	Incidents, Windows                                 spanTable
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
	zone := reportZone(a.v)
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
		hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, reportFile(asset.Name, month)))
		hdr.Set("Cache-Control", "private, no-cache")
		_, _ = w.Write(b.Bytes())
		return
	}
	h.s.renderPage(w, r, http.StatusOK, "area_report", words.T("AreaReportTitle")+" — "+asset.Name+" — "+words.MonthName(from),
		reportViewOf(words, &m, a.v.Customer.Name))
}

// reportFile is the name a report's PDF is saved under: the asset's name
// kept to letters, digits, dots and dashes.
func reportFile(asset, month string) string {
	name := strings.Map(func(r rune) rune {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return r
		}
		return '_'
	}, asset)
	return "availability-" + name + "-" + month + ".pdf"
}

func reportViewOf(w report.Words, m *report.Monthly, customer string) reportView {
	v := reportView{Title: w.T("AreaReportTitle"), Asset: m.Asset, Month: w.MonthName(m.Month.From),
		Customer: w.T("AreaReportCustomer", "Name", customer), Made: w.T("AreaReportMade", "When", w.At(m.Generated)),
		Zone: w.T("AreaReportZone", "Zone", m.Zone.String()), Total: w.T("AreaReportTotal", "Value", w.Ratio(m.Total)),
		Breakdown: w.T("AreaReportBreakdown", "Down", report.Length(m.Total.Down, w.Lang),
			"Maintenance", report.Length(m.Total.Maintenance, w.Lang), "Unknown", report.Length(m.Total.Unknown, w.Lang)),
		Rule: w.T("AreaReportRule"), PDF: reportLink(m.Asset, m.Month.From.In(m.Zone)) + ".pdf",
		Incidents: spanTable{Last: w.T("AreaReportLength")}, Windows: spanTable{Last: w.T("AreaReportExcluded")}}
	if !m.Complete() {
		v.Partial = w.T("AreaReportPartial", "When", w.At(m.Period.To))
	}
	for _, d := range m.Days {
		class := ""
		if d.Down > 0 {
			class = "down"
		}
		v.Days = append(v.Days, dayRow{Day: w.Date(d.Date), Ratio: w.Ratio(d.Availability), Down: report.Length(d.Down, w.Lang),
			Maintenance: report.Length(d.Maintenance, w.Lang), Unknown: report.Length(d.Unknown, w.Lang), Class: class})
	}
	for _, in := range m.Incidents {
		end := w.T("AreaReportOngoing")
		if in.End != nil {
			end = w.At(*in.End)
		}
		v.Incidents.Rows = append(v.Incidents.Rows, spanRow{Link: incidentLink(in.ID), Name: text(w, in.Name), Start: w.At(in.Start),
			End: end, Length: report.Length(in.Duration, w.Lang)})
	}
	for _, win := range m.Windows {
		v.Windows.Rows = append(v.Windows.Rows, spanRow{Link: maintenanceLink(win.ID), Name: win.Name(w.Lang), Start: w.At(win.Occurrence.From),
			End: w.At(win.Occurrence.To), Length: w.Excluded(win, m.Period)})
	}
	return v
}
