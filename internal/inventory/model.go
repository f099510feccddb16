// Package inventory holds the map of the host: customers, assets and the
// dependencies between assets, with the rules that keep it valid, its file
// formats, its storage and the in-memory graph used to compute impact.
package inventory

import (
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/facts"
)

// Languages customers can be served in.
var Languages = []string{"fr", "en"}

// DefaultTimezone is a customer's zone when none is given.
const DefaultTimezone = "Europe/Paris"

// DefaultLanguage is a customer's language when none is given.
const DefaultLanguage = "fr"

// KindSite is the kind of asset counted as a site in impact figures.
const KindSite = "site"

// Customer is an account of the host, identified by the billing system's id.
type Customer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Language string `json:"language"`
	Timezone string `json:"timezone"`
}

// Asset is anything the host runs or relies on, from a datacenter to a site.
type Asset struct {
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Owner     string            `json:"owner,omitempty"`
	DependsOn []string          `json:"depends_on,omitempty"`
	URL       string            `json:"url,omitempty"`
	Address   string            `json:"address,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// Inventory is a whole set of customers and assets, with the checks declared
// on them, as imported or exported.
type Inventory struct {
	Customers []Customer `json:"customers"`
	Assets    []Asset    `json:"assets"`
	// Checks are the explicitly declared checks, sorted by key.
	Checks []check.Check `json:"checks,omitempty"`
	// CheckDefaults replace the built-in default check of an asset kind.
	CheckDefaults []CheckDefault `json:"check_defaults,omitempty"`
	// Rules are the compliance rules of host facts, by name; one named as
	// a built-in rule replaces it.
	Rules []facts.Rule `json:"rules,omitempty"`
	// Components are what the public status page shows, in the order
	// declared.
	Components []Component `json:"components,omitempty"`
}

// Component is a part of the service the public sees on the status page,
// such as "Shared hosting": it covers assets, by selector or by name or
// both, and never names them publicly. Name is the French name (the
// host's language); the _en fields are the English ones, falling back to
// the French ones when empty.
type Component struct {
	Name          string    `json:"name"`
	NameEN        string    `json:"name_en,omitempty"`
	Group         string    `json:"group,omitempty"`
	GroupEN       string    `json:"group_en,omitempty"`
	Description   string    `json:"description,omitempty"`
	DescriptionEN string    `json:"description_en,omitempty"`
	Covers        *Selector `json:"covers,omitempty"`
	Assets        []string  `json:"assets,omitempty"`
}

// Selector picks assets by kind and by one label ("pool=shared"); an empty
// part matches everything.
type Selector struct {
	Kind  string `json:"kind,omitempty"`
	Label string `json:"label,omitempty"`
}

// CheckDefault is the check every asset of a kind gets unless it declares
// one of the same name; a Check of kind "none" turns the default off.
type CheckDefault struct {
	AssetKind string      `json:"asset_kind"`
	Check     check.Check `json:"check"`
}

// Field names a field of a customer or an asset, as spelled in the files.
type Field uint8

// The fields of customers and assets.
const (
	FieldEntry Field = iota // the entry as a whole
	FieldID
	FieldName
	FieldEmail
	FieldLanguage
	FieldTimezone
	FieldKind
	FieldOwner
	FieldDependsOn
	FieldURL
	FieldAddress
	FieldLabels
	fieldCount
)

var fieldNames = [fieldCount]string{"entry", "id", "name", "email", "language", "timezone",
	"kind", "owner", "depends_on", "url", "address", "labels"}

// String returns the field's name as written in files and JSON.
func (f Field) String() string {
	if f >= fieldCount {
		return "unknown"
	}
	return fieldNames[f]
}

// FieldError is a problem with one field of one customer or asset.
type FieldError struct {
	Field   Field
	Message string
}

// Pos is where an entry or a field was read: a file name and a 1-based line.
type Pos struct {
	File string
	Line int
}

// Lines records the line of each field of an entry; 0 when the field is absent.
type Lines [fieldCount]int32

// Of returns the line of field f, or of the entry when f was not given.
func (l *Lines) Of(f Field) int {
	if l[f] != 0 {
		return int(l[f])
	}
	return int(l[FieldEntry])
}

// CustomerEntry is a customer read from a file, with where each field was.
type CustomerEntry struct {
	Customer
	File  string
	Lines Lines
}

// AssetEntry is an asset read from a file, with where each field was.
type AssetEntry struct {
	Asset
	File  string
	Lines Lines
	// DependsOnLines holds the line of each depends_on item (same length as
	// DependsOn) when the format puts them on separate lines.
	DependsOnLines []int32
}

// CheckEntry is a check read from a file, with the line of each field
// (by its name in the file) and of the entry.
type CheckEntry struct {
	check.Check
	File       string
	Line       int
	FieldLines map[string]int
}

// CheckDefaultEntry is a default check read from a file.
type CheckDefaultEntry struct {
	CheckDefault
	File       string
	Line       int
	FieldLines map[string]int
}

// RuleEntry is a compliance rule read from a file.
type RuleEntry struct {
	facts.Rule
	File       string
	Line       int
	FieldLines map[string]int
}

// Document is the content of one inventory file.
type Document struct {
	File          string
	Customers     []CustomerEntry
	Assets        []AssetEntry
	Checks        []CheckEntry
	CheckDefaults []CheckDefaultEntry
	Rules         []RuleEntry
	Components    []ComponentEntry
}
