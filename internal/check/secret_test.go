package check

import (
	"reflect"
	"testing"
)

func TestSecretsAreMaskedAndKeptWhenWrittenBack(t *testing.T) {
	stored := Check{
		Asset:       "a",
		Kind:        HTTP,
		URL:         "https://bob:s3cr%2Ft@example.org:8443/x?y=1",
		HTTPOptions: &HTTPOptions{Headers: map[string]string{"Authorization": "Bearer abc", "Host": "www.example.org"}},
	}
	shown := stored.Masked()
	want := Check{
		Asset:       "a",
		Kind:        HTTP,
		URL:         "https://bob:" + SecretMarker + "@example.org:8443/x?y=1",
		HTTPOptions: &HTTPOptions{Headers: map[string]string{"Authorization": SecretMarker, "Host": "www.example.org"}},
	}
	if !reflect.DeepEqual(shown, want) {
		t.Fatalf("masked %+v, want %+v", shown, want)
	}
	if stored.Headers()["Authorization"] != "Bearer abc" {
		t.Fatal("Masked changed the stored check's headers")
	}
	back, errs := shown.KeepSecrets(&stored)
	if len(errs) > 0 || !reflect.DeepEqual(back, stored) {
		t.Fatalf("written back: %+v %v, want the stored check", back, errs)
	}
	// A new value replaces the stored one; other fields may change too.
	edited := shown
	edited.EditHTTP().Headers = map[string]string{"Authorization": "Bearer new", "Host": "www.example.org"}
	edited.URL = "https://bob:" + SecretMarker + "@example.net/"
	back, errs = edited.KeepSecrets(&stored)
	if len(errs) > 0 || back.Headers()["Authorization"] != "Bearer new" || back.URL != "https://bob:s3cr%2Ft@example.net/" {
		t.Fatalf("edited: %+v %v", back, errs)
	}
}

func TestATokenAsURLUserIsASecretToo(t *testing.T) {
	stored := Check{Kind: HTTP, URL: "https://ghp_token@example.org/"}
	if got := stored.Masked().URL; got != "https://"+SecretMarker+"@example.org/" {
		t.Fatalf("masked %q", got)
	}
	if back, errs := stored.Masked().KeepSecrets(&stored); len(errs) > 0 || back.URL != stored.URL {
		t.Fatalf("written back %q %v", back.URL, errs)
	}
}

func TestAMarkerWithNothingStoredIsRefusedByField(t *testing.T) {
	c := Check{
		Kind:        HTTP,
		URL:         "https://bob:" + SecretMarker + "@example.org/",
		HTTPOptions: &HTTPOptions{Headers: map[string]string{"Authorization": SecretMarker}},
	}
	for _, old := range []*Check{nil, {Kind: HTTP, URL: "https://example.org/"}} {
		_, errs := c.KeepSecrets(old)
		fields := map[string]string{}
		for _, e := range errs {
			fields[e.Field] = e.Message
		}
		if fields["headers.Authorization"] != "the export does not carry secrets; give the value" || fields["url"] == "" || len(errs) != 2 {
			t.Errorf("against %+v: %v, want headers.Authorization and url refused", old, errs)
		}
	}
}

func TestAChecksWithoutSecretsIsShownAsIs(t *testing.T) {
	c := Check{Kind: HTTP, URL: "https://example.org/a@b", HTTPOptions: &HTTPOptions{Headers: map[string]string{"host": "x"}}}
	if got := c.Masked(); !reflect.DeepEqual(got, c) || got.HasSecretMarker() {
		t.Fatalf("masked %+v", got)
	}
}
