package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
)

// adminConfig serves the administration pages of the host's configuration:
// notification channels, public components, compliance rules and
// settings. Each calls the service its API calls, so that the console can
// do what the API can; every change is audited by the staff routes.
type adminConfig struct {
	*staff
}

// problem is one thing wrong with what a form sent, as shown above it:
// the field (or file:line) and the message.
type problem struct {
	Field, Message string
	// Label is the message id naming the field for people, when known.
	Label string
}

// formProblems turns a refusal of the domain (a bad field, line-numbered
// problems, a conflict, a missing object) into the problems a form shows
// and the status of the page; ok is false for any other error, which the
// caller answers with failPage.
func formProblems(err error) (problems []problem, status int, ok bool) {
	e := classify(err)
	if e.Status >= 500 || e.Status == http.StatusNotFound {
		return nil, 0, false
	}
	if fields, isFields := e.Details["fields"].([]map[string]string); isFields {
		for _, f := range fields {
			problems = append(problems, problem{Field: f["field"], Message: f["message"]})
		}
	}
	if ps, isProblems := e.Details["errors"].([]inventory.Problem); isProblems {
		for _, p := range ps {
			where := p.File
			if p.Line > 0 {
				where = fmt.Sprintf("%s:%d", p.File, p.Line)
			}
			problems = append(problems, problem{Field: where, Message: p.Message})
		}
	}
	if len(problems) == 0 {
		problems = []problem{{Message: e.Message}}
	}
	return problems, e.Status, true
}

// canChange reports whether the viewer may use the page's forms.
func canChange(r *http.Request, perm auth.Permission) bool {
	v := viewerOf(r)
	return v != nil && v.Principal.Can(perm)
}

// lines splits a textarea into its non-empty trimmed lines, also split at
// commas when commas is set.
func lines(s string, commas bool) []string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		parts := []string{line}
		if commas {
			parts = strings.Split(line, ",")
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}
