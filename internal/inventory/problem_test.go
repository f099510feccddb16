package inventory

import (
	"errors"
	"testing"
)

// TestProblemsError proves the error text is one problem per line, sorted
// by file then line, stable for a same line, and leaves the list as it was.
func TestProblemsError(t *testing.T) {
	ps := Problems{
		{File: "b.yaml", Line: 2, Message: "second"},
		{File: "a.yaml", Line: 10, Message: "ten"},
		{File: "a.yaml", Line: 9, Message: "nine, first"},
		{File: "a.yaml", Line: 9, Message: "nine, second"},
		{File: "b.yaml", Message: "whole file"},
	}
	want := "a.yaml:9: nine, first\na.yaml:9: nine, second\na.yaml:10: ten\nb.yaml: whole file\nb.yaml:2: second"
	var err error = ps
	if got := err.Error(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if ps[0].Message != "second" {
		t.Errorf("Error reordered the list")
	}
	ps.Sort()
	if ps[0].Message != "nine, first" || ps[4].Message != "second" {
		t.Errorf("Sort gave %v", ps)
	}
	var target Problems
	if !errors.As(err, &target) || len(target) != 5 {
		t.Errorf("errors.As did not find the problems")
	}
}
