package inventory

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// csvFile reads the records of a CSV inventory file, reporting the records
// it cannot use.
type csvFile struct {
	file string
	r    *csv.Reader
	ps   Problems
}

func newCSVFile(file string, data []byte) *csvFile {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // counted here, to report every bad line and go on
	r.ReuseRecord = true
	c := &csvFile{file: file, r: r}
	c.next(-1) // the header, already recognised
	return c
}

// next returns the next record of want fields (any number when want < 0),
// reporting and skipping the others; it returns nil at the end.
func (c *csvFile) next(want int) []string {
	for {
		rec, err := c.r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				c.ps.add(c.file, 1, "invalid CSV: %v", err)
				return nil
			}
			c.ps.add(c.file, max(pe.Line, 1), "invalid CSV: %v", pe.Err)
			continue
		}
		if want >= 0 && len(rec) != want {
			c.ps.add(c.file, c.line(0), "want %d fields, got %d", want, len(rec))
			continue
		}
		return rec
	}
}

// line returns the line where field i of the last record starts.
func (c *csvFile) line(i int) int {
	line, _ := c.r.FieldPos(i)
	return max(line, 1)
}

// estimateRows is an upper bound on the number of records, to size the
// entry slices once for files of a million lines.
func estimateRows(data []byte) int {
	return bytes.Count(data, []byte{'\n'}) + 1
}

var customerColumns = []Field{FieldID, FieldName, FieldEmail, FieldLanguage, FieldTimezone}

func parseCustomersCSV(file string, data []byte) (*Document, Problems) {
	doc := &Document{File: file, Customers: make([]CustomerEntry, 0, estimateRows(data))}
	c := newCSVFile(file, data)
	for rec := c.next(len(customerColumns)); rec != nil; rec = c.next(len(customerColumns)) {
		e := CustomerEntry{File: file}
		e.ID, e.Name, e.Email, e.Language, e.Timezone = rec[0], rec[1], rec[2], rec[3], rec[4]
		e.Lines[FieldEntry] = int32(c.line(0))
		for i, f := range customerColumns {
			e.Lines[f] = int32(c.line(i))
		}
		validateCustomerEntry(&e, file, 0, &c.ps)
		doc.Customers = append(doc.Customers, e)
	}
	return doc, c.ps
}

var assetColumns = []Field{FieldName, FieldKind, FieldOwner, FieldDependsOn, FieldURL, FieldAddress, FieldLabels}

func parseAssetsCSV(file string, data []byte, withLabels bool) (*Document, Problems) {
	doc := &Document{File: file, Assets: make([]AssetEntry, 0, estimateRows(data))}
	c := newCSVFile(file, data)
	columns := assetColumns
	if !withLabels {
		columns = columns[:len(columns)-1]
	}
	for rec := c.next(len(columns)); rec != nil; rec = c.next(len(columns)) {
		e := AssetEntry{File: file}
		e.Name, e.Kind, e.Owner, e.URL, e.Address = rec[0], rec[1], rec[2], rec[4], rec[5]
		e.DependsOn = strings.Fields(rec[3])
		e.Lines[FieldEntry] = int32(c.line(0))
		for i, f := range columns {
			e.Lines[f] = int32(c.line(i))
		}
		if withLabels {
			e.Labels = c.labels(rec[6], int(e.Lines[FieldLabels]))
		}
		validateAssetEntry(&e, file, 0, &c.ps)
		doc.Assets = append(doc.Assets, e)
	}
	return doc, c.ps
}

// labels reads a labels cell: key=value pairs separated by spaces.
func (c *csvFile) labels(cell string, line int) map[string]string {
	pairs := strings.Fields(cell)
	if len(pairs) == 0 {
		return nil
	}
	labels := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		switch {
		case !ok:
			c.ps.add(c.file, line, "labels: want key=value, got %q", p)
		case hasLabel(labels, k):
			c.ps.add(c.file, line, "labels: duplicate key %q", k)
		default:
			labels[k] = v
		}
	}
	return labels
}

func hasLabel(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
