package report

import (
	"fmt"
	"io"

	"codeberg.org/go-pdf/fpdf"

	"github.com/vigie/vigie/internal/status"
)

// The PDF's page geometry, in millimetres (A4 portrait).
const (
	pdfMargin = 15.0
	pdfWidth  = 210.0 - 2*pdfMargin
	pdfLine   = 6.0
	pdfRow    = 5.0
)

// pdfDoc writes one report with the core Helvetica font: its cp1252
// encoding covers French, and nothing is embedded.
type pdfDoc struct {
	f  *fpdf.Fpdf
	tr func(string) string
}

func (d *pdfDoc) font(style string, size float64) { d.f.SetFont("Helvetica", style, size) }

// line writes one line of text across the page.
func (d *pdfDoc) line(text string) {
	d.f.CellFormat(pdfWidth, pdfLine, d.tr(text), "", 1, "L", false, 0, "")
}

// para writes wrapped text.
func (d *pdfDoc) para(text string) { d.f.MultiCell(pdfWidth, 5, d.tr(text), "", "L", false) }

// heading writes a section title with space above it, on a new page
// when the title, a table's header and its first row would not fit.
func (d *pdfDoc) heading(text string) {
	_, pageHeight := d.f.GetPageSize()
	if d.f.GetY()+4+pdfLine+2*pdfRow > pageHeight-pdfMargin {
		d.f.AddPage()
	}
	d.f.Ln(4)
	d.font("B", 12)
	d.line(text)
	d.font("", 10)
}

// row writes one table row; widths are shares of the page's width.
func (d *pdfDoc) row(widths []float64, cells []string, header bool) {
	border, fill := "B", header
	if header {
		d.font("B", 9)
		d.f.SetFillColor(235, 235, 235)
	} else {
		d.font("", 9)
	}
	for i, c := range cells {
		align := "L"
		if i > 0 {
			align = "R"
		}
		d.f.CellFormat(widths[i]*pdfWidth, pdfRow, d.tr(c), border, 0, align, fill, 0, "")
	}
	d.f.Ln(-1)
}

// PDF writes the report as an A4 PDF in w's language and zone, for the
// customer named customer. Its dates of creation and change are the
// report's own time, so that the same report gives the same bytes.
func (m *Monthly) PDF(out io.Writer, w Words, customer string) error {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	f.SetAutoPageBreak(true, pdfMargin)
	f.SetCreationDate(m.Generated)
	f.SetModificationDate(m.Generated)
	f.SetCatalogSort(true)
	d := &pdfDoc{f: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	title := w.T("AreaReportTitle") + " — " + m.Asset + " — " + w.MonthName(m.Month.From)
	f.SetTitle(title, true)
	f.SetAuthor(customer, true)
	f.SetCreator("Vigie", false)
	f.AddPage()
	d.font("B", 16)
	d.line(w.T("AreaReportTitle"))
	d.font("", 12)
	d.line(m.Asset + " — " + w.MonthName(m.Month.From))
	d.font("", 10)
	d.line(w.T("AreaReportCustomer", "Name", customer))
	d.line(w.T("AreaReportMade", "When", w.At(m.Generated)))
	d.line(w.T("AreaReportZone", "Zone", m.Zone.String()))
	if !m.Complete() {
		d.line(w.T("AreaReportPartial", "When", w.At(m.Period.To)))
	}
	d.f.Ln(3)
	d.font("B", 14)
	d.line(w.T("AreaReportTotal", "Value", w.Ratio(m.Total)))
	d.font("", 10)
	d.line(w.T("AreaReportBreakdown", "Down", Length(m.Total.Down, w.Lang),
		"Maintenance", Length(m.Total.Maintenance, w.Lang), "Unknown", Length(m.Total.Unknown, w.Lang)))
	d.para(w.T("AreaReportRule"))
	d.heading(w.T("AreaReportDays"))
	widths := []float64{0.28, 0.18, 0.18, 0.18, 0.18}
	d.row(widths, []string{w.T("AreaReportDay"), w.T("AreaReportAvailability"), w.T("AreaReportDown"),
		w.T("AreaReportMaintenance"), w.T("AreaReportUnknown")}, true)
	for _, day := range m.Days {
		d.row(widths, []string{w.Date(day.Date), w.Ratio(day.Availability), Length(day.Down, w.Lang),
			Length(day.Maintenance, w.Lang), Length(day.Unknown, w.Lang)}, false)
	}
	m.pdfIncidents(d, w)
	m.pdfWindows(d, w)
	if err := f.Output(out); err != nil {
		return fmt.Errorf("write the report of %s as PDF: %w", m.Asset, err)
	}
	return nil
}

// table writes a section: its heading, then a table of rows under
// headers, or the empty sentence when there are none.
func (d *pdfDoc) table(heading, empty string, headers []string, rows [][]string) {
	d.heading(heading)
	if len(rows) == 0 {
		d.para(empty)
		return
	}
	widths := []float64{0.40, 0.22, 0.22, 0.16}
	d.row(widths, headers, true)
	for _, r := range rows {
		d.row(widths, r, false)
	}
}

func (m *Monthly) pdfIncidents(d *pdfDoc, w Words) {
	var rows [][]string
	for _, in := range m.Incidents {
		end := w.T("AreaReportOngoing")
		if in.End != nil {
			end = w.At(*in.End)
		}
		rows = append(rows, []string{clip(in.Name.In(status.Lang(w.Lang)).Text, 48), w.At(in.Start), end, Length(in.Duration, w.Lang)})
	}
	d.table(w.T("AreaReportIncidents"), w.T("AreaReportNoIncidents"),
		[]string{w.T("AreaReportName"), w.T("AreaReportStart"), w.T("AreaReportEnd"), w.T("AreaReportLength")}, rows)
}

func (m *Monthly) pdfWindows(d *pdfDoc, w Words) {
	var rows [][]string
	for _, win := range m.Windows {
		rows = append(rows, []string{clip(win.Name(w.Lang), 48), w.At(win.Occurrence.From), w.At(win.Occurrence.To), w.Excluded(win, m.Period)})
	}
	d.table(w.T("AreaReportWindows"), w.T("AreaReportNoWindows"),
		[]string{w.T("AreaReportName"), w.T("AreaReportStart"), w.T("AreaReportEnd"), w.T("AreaReportExcluded")}, rows)
}

// clip shortens a text to n characters, for a table cell.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
