package inventory

import (
	"bytes"
	"path/filepath"
	"strings"
)

// The header lines that mark a CSV file, after trimming the spaces around
// each column name.
const (
	customersHeader   = "id,name,email,language,timezone"
	assetsHeader      = "name,kind,owner,depends_on,url,address"
	assetsLabelHeader = assetsHeader + ",labels"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// Parse reads one inventory file. CSV is recognised by its header line:
//
//	customers: id,name,email,language,timezone
//	assets:    name,kind,owner,depends_on,url,address   optionally followed by ,labels
//
// anything else is YAML with top-level keys customers, assets, checks,
// check_defaults, rules and components. Parse returns every problem found
// (syntax, unknown fields and keys, wrong types, per-field validation of
// customers and assets; Check validates the rest) and never panics. The document is
// never nil; when there are problems it holds what could be read, and an
// entry whose fields are wrong is kept with its values as written.
func Parse(file string, data []byte) (*Document, Problems) {
	data = bytes.TrimPrefix(data, utf8BOM)
	switch csvHeader(data) {
	case customersHeader:
		return parseCustomersCSV(file, data)
	case assetsHeader:
		return parseAssetsCSV(file, data, false)
	case assetsLabelHeader:
		return parseAssetsCSV(file, data, true)
	}
	if strings.EqualFold(filepath.Ext(file), ".csv") {
		var ps Problems
		ps.add(file, 1, "unknown CSV header: want %q or %q, optionally followed by \",labels\"", customersHeader, assetsHeader)
		return &Document{File: file}, ps
	}
	return parseYAML(file, data)
}

// csvHeader returns the first line of data with the spaces around each
// comma-separated cell removed, lower-cased.
func csvHeader(data []byte) string {
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	// The longest header is short: anything much longer is not one.
	if len(line) > 2*len(assetsLabelHeader) {
		return ""
	}
	cells := strings.Split(string(line), ",")
	for i, c := range cells {
		cells[i] = strings.ToLower(strings.TrimSpace(c))
	}
	return strings.Join(cells, ",")
}

// validateCustomerEntry normalises and checks a customer read from a file,
// placing each problem on the line of its field. Fields in skip could not be
// read, their problem is already reported.
func validateCustomerEntry(e *CustomerEntry, file string, skip fieldSet, ps *Problems) {
	validateCustomer(&e.Customer, func(f Field, _ int, msg string) {
		if skip.has(f) {
			return
		}
		*ps = append(*ps, Problem{File: file, Line: e.Lines.Of(f),
			Message: fieldMessage(FieldError{Field: f, Message: msg})})
	})
}

// validateAssetEntry normalises and checks an asset read from a file,
// placing each problem on the line of its field, or of its depends_on item
// when known. Fields in skip could not be read, their problem is already
// reported.
func validateAssetEntry(e *AssetEntry, file string, skip fieldSet, ps *Problems) {
	validateAsset(&e.Asset, func(f Field, item int, msg string) {
		if skip.has(f) {
			return
		}
		*ps = append(*ps, Problem{File: file, Line: e.itemLine(f, item),
			Message: fieldMessage(FieldError{Field: f, Message: msg})})
	})
}

// itemLine returns the line of a depends_on item when it was recorded, else
// the line of field f.
func (e *AssetEntry) itemLine(f Field, item int) int {
	if f == FieldDependsOn && item >= 0 && item < len(e.DependsOnLines) && e.DependsOnLines[item] > 0 {
		return int(e.DependsOnLines[item])
	}
	return e.Lines.Of(f)
}
