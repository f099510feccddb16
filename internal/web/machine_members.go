package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/vigie/vigie/internal/probe"
)

// callerMember reads the MemberHeader of a probe's call and records the
// call. named is false for a probe that does not name itself (one from
// before members), which runs every check of its location.
func (h *machine) callerMember(r *http.Request) (hello probe.Hello, named bool, err error) {
	v := r.Header.Get(probe.MemberHeader)
	if v == "" || h.members == nil {
		return probe.Hello{}, false, nil
	}
	hello, err = probe.ParseHello(v)
	if err != nil {
		return probe.Hello{}, false, badRequest("%v", err)
	}
	if err := h.members.Touch(r.Context(), callerLocation(r), hello); err != nil {
		return probe.Hello{}, false, err
	}
	return hello, true, nil
}

// assignmentsTag is the ETag of a location's assignments: the inventory
// version and, for a member, the location's alive members, whose change
// changes its share.
func (h *machine) assignmentsTag(ctx context.Context, location string, named bool) (string, probe.Members, error) {
	version := h.inv.Graph().Version()
	if !named {
		return fmt.Sprintf(`"v%d"`, version), probe.Members{}, nil
	}
	m, err := h.members.View(ctx, location)
	if err != nil {
		return "", probe.Members{}, err
	}
	return fmt.Sprintf(`"v%d-m%s"`, version, m.Tag), m, nil
}
