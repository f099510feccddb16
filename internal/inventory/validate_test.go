package inventory

import (
	"reflect"
	"strings"
	"testing"
)

func okCustomer() Customer {
	return Customer{ID: "C1", Name: "One", Email: "one@example.org", Language: "en", Timezone: "UTC"}
}

// TestValidateCustomer proves each customer rule with its exact message.
func TestValidateCustomer(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Customer)
		want   []FieldError
	}{
		{"valid", func(*Customer) {}, nil},
		{"numeric id", func(c *Customer) { c.ID = "000123" }, nil},
		{"id at most 64", func(c *Customer) { c.ID = strings.Repeat("x", 64) }, nil},
		{"no id", func(c *Customer) { c.ID = "  " }, []FieldError{{FieldID, "required"}}},
		{"id with space", func(c *Customer) { c.ID = "C 1" }, []FieldError{{FieldID, `must not contain white space, got "C 1"`}}},
		{"id with tab", func(c *Customer) { c.ID = "C\t1" }, []FieldError{{FieldID, `must not contain white space, got "C\t1"`}}},
		{"id too long", func(c *Customer) { c.ID = strings.Repeat("é", 65) }, []FieldError{{FieldID, "must be at most 64 characters"}}},
		{"no name", func(c *Customer) { c.Name = "" }, []FieldError{{FieldName, "required"}}},
		{"name with newline", func(c *Customer) { c.Name = "a\nb" }, []FieldError{{FieldName, "must not contain control characters"}}},
		{"no email", func(c *Customer) { c.Email = "" }, []FieldError{{FieldEmail, "required"}}},
		{"email without at", func(c *Customer) { c.Email = "one.example.org" }, []FieldError{{FieldEmail, `invalid address "one.example.org"`}}},
		{"email with name", func(c *Customer) { c.Email = "One <one@example.org>" }, []FieldError{{FieldEmail, `invalid address "One <one@example.org>"`}}},
		{"email with angle brackets", func(c *Customer) { c.Email = "<one@example.org>" }, []FieldError{{FieldEmail, `invalid address "<one@example.org>"`}}},
		{"email without dot", func(c *Customer) { c.Email = "root@localhost" }, nil},
		{"language", func(c *Customer) { c.Language = "EN" }, []FieldError{{FieldLanguage, `must be fr or en, got "EN"`}}},
		{"timezone", func(c *Customer) { c.Timezone = "Paris" }, []FieldError{{FieldTimezone, `unknown time zone "Paris"`}}},
		{"timezone Local", func(c *Customer) { c.Timezone = "Local" }, []FieldError{{FieldTimezone, `unknown time zone "Local"`}}},
		{"timezone path", func(c *Customer) { c.Timezone = "../etc/passwd" }, []FieldError{{FieldTimezone, `unknown time zone "../etc/passwd"`}}},
		{"every field", func(c *Customer) { *c = Customer{Language: "de", Timezone: "X"} }, []FieldError{
			{FieldID, "required"}, {FieldName, "required"}, {FieldEmail, "required"},
			{FieldLanguage, `must be fr or en, got "de"`}, {FieldTimezone, `unknown time zone "X"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := okCustomer()
			tt.change(&c)
			if got := ValidateCustomer(&c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestValidateCustomerDefaults proves spaces are trimmed and the language
// and time zone default.
func TestValidateCustomerDefaults(t *testing.T) {
	c := Customer{ID: " C1 ", Name: " One\t", Email: " one@example.org ", Language: " ", Timezone: ""}
	if errs := ValidateCustomer(&c); errs != nil {
		t.Fatal(errs)
	}
	want := Customer{ID: "C1", Name: "One", Email: "one@example.org", Language: "fr", Timezone: "Europe/Paris"}
	if c != want {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func okAsset() Asset {
	return Asset{Name: "web-01.example.org", Kind: "site", Owner: "C1", DependsOn: []string{"vm-01", "db-01"},
		URL: "https://web-01.example.org/", Address: "10.0.0.1:443", Labels: map[string]string{"tier": "gold"}}
}

// TestValidateAsset proves each asset rule with its exact message.
func TestValidateAsset(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *Asset)
		want   []FieldError
	}{
		{"valid", func(*Asset) {}, nil},
		{"bare", func(a *Asset) { *a = Asset{Name: "x", Kind: "vm"} }, nil},
		{"every name character", func(a *Asset) { a.Name = "aZ09._:@/-" }, nil},
		{"name of 200", func(a *Asset) { a.Name = strings.Repeat("n", 200) }, nil},
		{"no name", func(a *Asset) { a.Name = " " }, []FieldError{{FieldName, "required"}}},
		{"name too long", func(a *Asset) { a.Name = strings.Repeat("n", 201) }, []FieldError{{FieldName, "must be at most 200 characters"}}},
		{"name with space", func(a *Asset) { a.Name = "web 01" }, []FieldError{{FieldName, `invalid character ' ' in "web 01": use letters, digits and . _ : @ / -`}}},
		{"name with accent", func(a *Asset) { a.Name = "café" }, []FieldError{{FieldName, `invalid character 'é' in "café": use letters, digits and . _ : @ / -`}}},
		{"no kind", func(a *Asset) { a.Kind = "" }, []FieldError{{FieldKind, "required"}}},
		{"kind of 32", func(a *Asset) { a.Kind = "k" + strings.Repeat("_", 31) }, nil},
		{"kind too long", func(a *Asset) { a.Kind = strings.Repeat("k", 33) }, []FieldError{{FieldKind, `want a lower-case word of letters, digits, _ and - (at most 32 characters), got "` + strings.Repeat("k", 33) + `"`}}},
		{"kind upper case", func(a *Asset) { a.Kind = "VM" }, []FieldError{{FieldKind, `want a lower-case word of letters, digits, _ and - (at most 32 characters), got "VM"`}}},
		{"kind starting with digit", func(a *Asset) { a.Kind = "1vm" }, []FieldError{{FieldKind, `want a lower-case word of letters, digits, _ and - (at most 32 characters), got "1vm"`}}},
		{"no owner", func(a *Asset) { a.Owner = "" }, nil},
		{"owner with space", func(a *Asset) { a.Owner = "C 1" }, []FieldError{{FieldOwner, `must not contain white space, got "C 1"`}}},
		{"empty dependency", func(a *Asset) { a.DependsOn = []string{"vm-01", " "} }, []FieldError{{FieldDependsOn, "empty asset name"}}},
		{"self dependency", func(a *Asset) { a.DependsOn = []string{a.Name} }, []FieldError{{FieldDependsOn, `"web-01.example.org" depends on itself`}}},
		{"duplicate dependency", func(a *Asset) { a.DependsOn = []string{"b", "a", "b"} }, []FieldError{{FieldDependsOn, `duplicate entry "b"`}}},
		{"duplicate among many", func(a *Asset) { a.DependsOn = strings.Fields("a b c d e f g h i j a") }, []FieldError{{FieldDependsOn, `duplicate entry "a"`}}},
		{"no url", func(a *Asset) { a.URL = "" }, nil},
		{"http url", func(a *Asset) { a.URL = "http://[2001:db8::1]:8080/x?y" }, nil},
		{"ftp url", func(a *Asset) { a.URL = "ftp://example.org" }, []FieldError{{FieldURL, `want an absolute http or https URL, got "ftp://example.org"`}}},
		{"relative url", func(a *Asset) { a.URL = "example.org/x" }, []FieldError{{FieldURL, `want an absolute http or https URL, got "example.org/x"`}}},
		{"url without host", func(a *Asset) { a.URL = "https:///x" }, []FieldError{{FieldURL, `want an absolute http or https URL, got "https:///x"`}}},
		{"url with port only", func(a *Asset) { a.URL = "https://:443/" }, []FieldError{{FieldURL, `want an absolute http or https URL, got "https://:443/"`}}},
		{"no address", func(a *Asset) { a.Address = "" }, nil},
		{"ipv6 address", func(a *Asset) { a.Address = "[::1]:65535" }, nil},
		{"address without port", func(a *Asset) { a.Address = "10.0.0.1" }, []FieldError{{FieldAddress, `want host:port, got "10.0.0.1"`}}},
		{"address without host", func(a *Asset) { a.Address = ":22" }, []FieldError{{FieldAddress, `want host:port, got ":22"`}}},
		{"port 0", func(a *Asset) { a.Address = "h:0" }, []FieldError{{FieldAddress, `port must be a number from 1 to 65535, got "0"`}}},
		{"port too big", func(a *Asset) { a.Address = "h:65536" }, []FieldError{{FieldAddress, `port must be a number from 1 to 65535, got "65536"`}}},
		{"port by name", func(a *Asset) { a.Address = "h:ssh" }, []FieldError{{FieldAddress, `port must be a number from 1 to 65535, got "ssh"`}}},
		{"label key of 63", func(a *Asset) { a.Labels = map[string]string{"k" + strings.Repeat(".", 62): ""} }, nil},
		{"label key too long", func(a *Asset) { a.Labels = map[string]string{strings.Repeat("k", 64): ""} }, []FieldError{{FieldLabels, `invalid key "` + strings.Repeat("k", 64) + `": use letters, digits and _ . / - (at most 63 characters)`}}},
		{"label key", func(a *Asset) { a.Labels = map[string]string{"_x": "1", "a b": "2"} }, []FieldError{
			{FieldLabels, `invalid key "_x": use letters, digits and _ . / - (at most 63 characters)`},
			{FieldLabels, `invalid key "a b": use letters, digits and _ . / - (at most 63 characters)`},
		}},
		{"label value of 200", func(a *Asset) { a.Labels = map[string]string{"k": strings.Repeat("é", 200)} }, nil},
		{"label value too long", func(a *Asset) { a.Labels = map[string]string{"k": strings.Repeat("v", 201)} }, []FieldError{{FieldLabels, `value of "k" is longer than 200 characters`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := okAsset()
			tt.change(&a)
			if got := ValidateAsset(&a); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestValidateAssetTrims proves spaces are trimmed and nothing is reordered.
func TestValidateAssetTrims(t *testing.T) {
	a := Asset{Name: " web ", Kind: " site ", Owner: " C1 ", DependsOn: []string{" vm ", "db"}, URL: " http://x/ ", Address: " x:1 "}
	if errs := ValidateAsset(&a); errs != nil {
		t.Fatal(errs)
	}
	want := Asset{Name: "web", Kind: "site", Owner: "C1", DependsOn: []string{"vm", "db"}, URL: "http://x/", Address: "x:1"}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got %+v, want %+v", a, want)
	}
}
