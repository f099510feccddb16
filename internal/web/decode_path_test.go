package web

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/check"
)

// A field of the wrong type among a check's options is named in a 400 as
// the sender wrote it, without the options struct that holds it.
func TestStrictDecodingNamesOptionFieldsByTheirJSONName(t *testing.T) {
	for body, want := range map[string]string{
		`{"asset":"a","kind":"dns","query":7}`:            `malformed JSON: field "query": want a string, got a number`,
		`{"asset":"a","kind":"http","headers":{"X":1}}`:   `malformed JSON: field "headers": want a string, got a number`,
		`{"asset":"a","kind":"dns","expect_answers":[1]}`: `malformed JSON: field "expect_answers": want a string, got a number`,
		`{"asset":"a","kind":"http","attempts":"three"}`:  `malformed JSON: field "attempts": want a whole number, got a string`,
	} {
		var c check.Check
		var we *Error
		if err := decodeStrict(strings.NewReader(body), &c); !errors.As(err, &we) || we.Message != want {
			t.Errorf("%s: got %v, want %s", body, err, want)
		}
	}
}
