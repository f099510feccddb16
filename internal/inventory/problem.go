package inventory

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one error in an input, placed by file and line.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// String returns the problem as "FILE:LINE: message", leaving out the line
// when it is not known.
func (p Problem) String() string {
	if p.Line < 1 {
		return p.File + ": " + p.Message
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Message
}

// Problems is a list of problems; it is an error whose text is one String()
// per line, sorted by file then line.
type Problems []Problem

// Error returns one problem per line, sorted by file then line, without
// reordering the list itself.
func (ps Problems) Error() string {
	sorted := slices.Clone(ps)
	sorted.Sort()
	var b strings.Builder
	for i, p := range sorted {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Sort orders the problems by file then line, keeping the order of problems
// on the same line.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
}

// add appends a problem at file:line.
func (ps *Problems) add(file string, line int, format string, args ...any) {
	*ps = append(*ps, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// fieldMessage is how a field error reads in a problem: prefixed by the
// field's name unless it concerns the entry as a whole.
func fieldMessage(e FieldError) string {
	if e.Field == FieldEntry {
		return e.Message
	}
	return e.Field.String() + ": " + e.Message
}
